"""What a request does to the records: confirm matches, erase, restrict, object, withdraw
consent, rectify. Each step is audited with ids and counts only (no personal data)."""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from records.ledger import ledger_erased, ledger_minimised
from records.models import (
    Contact,
    Invoice,
    NewsletterSubscription,
    RestrictionReason,
    SuppressionEntry,
    WebInquiry,
)
from records.services import (
    RecordsDeleteRefused,
    contact_erase_keeping_invoices,
    contact_erasure_notice,
    contact_object,
    contact_restrict,
    records_delete,
    suppression_add,
)

from .errors import WorkflowError
from .models import AuditEntry, DataSubjectRequest, SubjectMatch, WebhookDelivery
from .selectors import SEARCHED_MODELS
from .services import _locked, answer_append, audit_record
from .services_webhooks import processors_notify
from .tasks import deliver_webhook

Action = AuditEntry.Action


def confirmed_pks(dsr: DataSubjectRequest, model: type[Model]) -> list[int]:
    return list(
        SubjectMatch.objects.confirmed()
        .filter(request=dsr)
        .for_model(model)
        .values_list("object_id", flat=True)
    )


@transaction.atomic
def matches_confirm(
    *,
    dsr: DataSubjectRequest,
    actor,
    selected: dict[str, list[int]],
    shown: set[tuple[str, int]],
) -> int:
    """Record which search hits staff confirmed as the subject's (label -> pks).

    Only hits the search showed for this request (`shown`: (label, pk) pairs) can be
    confirmed; any other id is refused and nothing is recorded (issue #19).
    """
    dsr = _locked(dsr)
    dsr.require_step(DataSubjectRequest.Step.SEARCH)
    if not selected:
        raise WorkflowError(_("Tick at least one record the search showed."))
    if any((label, pk) not in shown for label, pks in selected.items() for pk in pks):
        raise WorkflowError(
            _("Only records shown by the search for this request can be confirmed; search again.")
        )
    models_by_label = {model._meta.label_lower: model for model in SEARCHED_MODELS}
    created = 0
    counts = {}
    for label, pks in selected.items():
        model = models_by_label[label]
        existing = set(model._default_manager.filter(pk__in=pks).values_list("pk", flat=True))
        content_type = ContentType.objects.get_for_model(model)
        for pk in sorted(existing):
            _match, was_created = SubjectMatch.objects.get_or_create(
                request=dsr,
                content_type=content_type,
                object_id=pk,
                defaults={"confirmed_by": actor},
            )
            created += was_created
        counts[label] = len(existing)
    audit_record(action=Action.MATCHES_CONFIRMED, dsr=dsr, actor=actor, details=counts)
    return created


@dataclass
class ErasureResult:
    erased: dict[str, int] = field(default_factory=dict)
    restricted_contacts: int = 0
    kept_invoices: int = 0
    kept_for_invoices: list[int] = field(default_factory=list)  # contact pks (Art. 17(3)(b))
    suppressed: int = 0
    refused: list[str] = field(default_factory=list)


def _answer_for_erasure(result: ErasureResult, language: str) -> str:
    """The paragraph the subject receives: what was erased, what was kept and why (Art. 17(3))."""
    with override(language):
        labels = {
            "contact": _("contact details"),
            "webinquiry": _("messages sent through our website or webshop"),
            "newsletter": _("newsletter subscriptions"),
        }
        lines = []
        if result.erased:
            lines.append(_("Erased:"))
            lines += [f"- {labels[key]}: {count}" for key, count in result.erased.items()]
        elif not result.kept_for_invoices:  # a minimised contact says itself what went at once
            lines += [_("Erased:"), "- " + _("nothing")]
        if result.suppressed:
            lines.append(
                _(
                    "Your e-mail address is kept only as a one-way code (hash) on our "
                    "suppression list, so that it is never added to a mailing again."
                )
            )
        if result.kept_for_invoices:
            # The period and the date come from the register's invoice rule (issue 13).
            lines.append(contact_erasure_notice(pks=result.kept_for_invoices, language=language))
        if result.refused:
            lines.append(
                _(
                    "Kept: some data are needed for the establishment, exercise or defence of "
                    "legal claims (Art. 17(3)(e) GDPR); they are restricted until that ends."
                )
            )
    return "\n".join(lines)


@transaction.atomic
def erasure_execute(*, dsr: DataSubjectRequest, actor) -> ErasureResult:
    """Art. 17: erase the confirmed records, except what the law keeps, which is restricted."""
    dsr = _locked(dsr)
    dsr.require_step(DataSubjectRequest.Step.ERASE)
    result = ErasureResult()
    now = timezone.now()

    # Newsletter: the subscription goes, the hash stays on the suppression list.
    subscriptions = confirmed_pks(dsr, NewsletterSubscription)
    emails = set(
        NewsletterSubscription.objects.filter(pk__in=subscriptions).values_list(
            "email_normalised", flat=True
        )
    )
    if subscriptions:
        ledger_erased(model=NewsletterSubscription, pks=subscriptions, emails=emails)
        result.erased["newsletter"] = records_delete(
            model=NewsletterSubscription, pks=subscriptions
        )
    for address in emails:  # records_delete suppresses too; this states the intent
        suppression_add(email=address, reason=SuppressionEntry.Reason.ERASURE)
    result.suppressed = len(emails)

    inquiries = confirmed_pks(dsr, WebInquiry)
    if inquiries:
        ledger_erased(model=WebInquiry, pks=inquiries)
        result.erased["webinquiry"] = records_delete(model=WebInquiry, pks=inquiries)

    contacts = confirmed_pks(dsr, Contact)
    kept = set(
        Contact.objects.filter(pk__in=contacts)
        .filter(Invoice.objects.kept_exists(now, outer="pk"))
        .values_list("pk", flat=True)
    )
    erasable = [pk for pk in contacts if pk not in kept]
    for pk in erasable:  # one by one: a legal hold on one contact does not stop the others
        try:
            with transaction.atomic():
                ledger_erased(model=Contact, pks=[pk])  # dropped with the savepoint if refused
                result.erased["contact"] = result.erased.get("contact", 0) + records_delete(
                    model=Contact, pks=[pk]
                )
        except RecordsDeleteRefused:
            kept.add(pk)
            result.refused.append(f"contact:{pk}")
    if kept:
        # Art. 17(3)(b): every field the tax law does not need goes now, the rest with the
        # last invoice (records.services.contact_erase_keeping_invoices); held ones
        # (Art. 17(3)(e)) only leave marketing.
        for_invoices = sorted(
            Contact.objects.filter(pk__in=kept)
            .filter(Invoice.objects.kept_exists(now, outer="pk"))
            .values_list("pk", flat=True)
        )
        ledger_minimised(model=Contact, pks=for_invoices)
        result.restricted_contacts = contact_erase_keeping_invoices(pks=for_invoices, now=now)
        Contact.objects.filter(pk__in=kept).update(marketing_opt_out=True)
        result.kept_for_invoices = for_invoices
        result.kept_invoices = Invoice.objects.filter(contact_id__in=for_invoices).count()

    audit_record(
        action=Action.RECORDS_ERASED,
        dsr=dsr,
        actor=actor,
        details={
            "erased": result.erased,
            "restricted_contacts": result.restricted_contacts,
            "kept_invoices": result.kept_invoices,
            "suppressed": result.suppressed,
            "refused": result.refused,
        },
    )
    answer_append(dsr=dsr, text=_answer_for_erasure(result, dsr.language))
    if dsr.email and (result.erased or result.kept_for_invoices):
        # Art. 17 and 19: the processors hold the address for us (mailings, webshop).
        _pass_on(dsr, WebhookDelivery.Event.ERASURE)
    return result


@transaction.atomic
def restriction_apply(
    *,
    dsr: DataSubjectRequest,
    actor,
    reason: str = RestrictionReason.NOT_RECORDED,
    until=None,
) -> int:
    """Art. 18: the confirmed contacts are only stored, not used (no marketing either), for a
    reason and until an end (records.services.contact_restrict); without an end given, the
    request's due date, after which the dashboard asks staff to decide."""
    dsr = _locked(dsr)
    dsr.require_step(DataSubjectRequest.Step.RESTRICT)
    today = timezone.localdate()
    until = until or max(dsr.extended_until or dsr.due_on or today, today) + timedelta(days=1)
    count = contact_restrict(pks=confirmed_pks(dsr, Contact), reason=reason, until=until)
    audit_record(
        action=Action.RECORDS_RESTRICTED, dsr=dsr, actor=actor, details={"contacts": count}
    )
    return count


@transaction.atomic
def objection_apply(*, dsr: DataSubjectRequest, actor) -> dict[str, int]:
    """Art. 21: no more marketing (21(3)); the address goes on the suppression list. The
    contacts are not exempted from their retention rule (Art. 5(1)(e))."""
    dsr = _locked(dsr)
    dsr.require_step(DataSubjectRequest.Step.OBJECT)
    # Art. 21(3): marketing stops; the contacts still follow their retention rule (issue 13).
    details = contact_object(pks=confirmed_pks(dsr, Contact), emails=[dsr.email])
    audit_record(action=Action.OBJECTION_RECORDED, dsr=dsr, actor=actor, details=details)
    _pass_on(dsr, WebhookDelivery.Event.MARKETING_OBJECTION)
    return details


def _pass_on(dsr: DataSubjectRequest, event: str) -> None:
    """Tell each configured processor (signed webhook after commit) and say so in the answer."""
    deliveries = processors_notify(dsr=dsr, event=event)
    for delivery in deliveries:
        transaction.on_commit(partial(deliver_webhook.delay, delivery.pk))
    if deliveries:
        with override(dsr.language):
            text = _("We passed this on to the services that send our mailings: %(names)s.") % {
                "names": ", ".join(delivery.webhook.name for delivery in deliveries)
            }
        answer_append(dsr=dsr, text=text)


@transaction.atomic
def consent_withdraw(*, dsr: DataSubjectRequest, actor) -> int:
    """Art. 7(3): end the confirmed newsletter subscriptions; the address is suppressed."""
    dsr = _locked(dsr)
    dsr.require_step(DataSubjectRequest.Step.WITHDRAW_CONSENT)
    now = timezone.now()
    subscriptions = NewsletterSubscription.objects.filter(
        pk__in=confirmed_pks(dsr, NewsletterSubscription), withdrawn_at__isnull=True
    )
    addresses = set(subscriptions.values_list("email_normalised", flat=True))
    count = subscriptions.update(withdrawn_at=now)
    for address in addresses:
        suppression_add(email=address, reason=SuppressionEntry.Reason.WITHDRAWN)
    audit_record(
        action=Action.CONSENT_WITHDRAWN,
        dsr=dsr,
        actor=actor,
        details={"subscriptions": count},
    )
    _pass_on(dsr, WebhookDelivery.Event.CONSENT_WITHDRAWN)
    return count


# Art. 16: the fields staff may correct per record type the subject search finds.
RECTIFIABLE_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Contact: (
        "first_name", "last_name", "company", "street", "postal_code", "city",
        "phone", "mobile", "email",
    ),
    # The message is kept as it was sent: it records what the person wrote, not a fact about them.
    WebInquiry: ("name", "email", "phone", "company"),
    NewsletterSubscription: ("email",),
    # An issued invoice is kept exactly as issued (Belgian VAT Code art. 60); a wrong name,
    # address or VAT number on it is corrected by a credit note and a new invoice in the
    # accounting, not by changing the stored copy. The customer's contact is rectified instead.
    Invoice: (),
}  # fmt: skip


@transaction.atomic
def record_rectify(
    *, dsr: DataSubjectRequest, actor, model: type[Model], object_id: int, changes: dict[str, str]
) -> list[str]:
    """Art. 16: correct a confirmed record (only the fields given and allowed for its type);
    the audit lists the fields changed, not the values. An invalid value changes nothing."""
    dsr = _locked(dsr)
    dsr.require_step(DataSubjectRequest.Step.RECTIFY)
    allowed = RECTIFIABLE_FIELDS.get(model, ())
    if not allowed:
        raise WorkflowError(
            _(
                "An issued invoice is kept exactly as issued (VAT Code art. 60): correct it with "
                "a credit note and a new invoice in the accounting, and rectify the customer's "
                "contact here."
            )
        )
    if object_id not in confirmed_pks(dsr, model):
        raise WorkflowError(_("Only a record confirmed for this request can be rectified."))
    record = model._default_manager.select_for_update().get(pk=object_id)
    changed = []
    for name, value in changes.items():
        if name in allowed and value not in ("", None) and getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    if not changed:
        return []
    record.full_clean()  # validates and refreshes the normalised search keys
    record.save()
    audit_record(
        action=Action.RECORD_RECTIFIED,
        dsr=dsr,
        actor=actor,
        details={f"{model._meta.model_name}_id": record.pk, "fields": changed},
    )
    return changed
