"""The personal data C-DOT holds, each model with its retention declaration.

Retention declarations (read by the engine in `retention/`; the periods themselves live in the
register's `RetentionRule`, never here):

- every purgeable model names the rule code(s) governing it (`retention_rule_codes`);
- its QuerySet has `expired(now, rule)`: the rows whose anchor is at or before
  `rule.cutoff(now)` and that are not under an active LegalHold, as ONE query on indexed
  columns. `expired(now + 7 days, rule)` previews what expires in the next 7 days.

Calendar maths (Brussels calendar, 29 Feb, month ends, DST) is `registry.periods`; an anchor
that is a *date* counts from the end of that Brussels day (`periods.end_of_day`), so nothing
expires before its last day is over.
"""

from datetime import UTC, date, datetime
from typing import ClassVar

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import periods

from .normalise import (
    email_hashes,
    name_key,
    normalise_email,
    normalise_kbo,
    normalise_phone,
    normalise_vat,
    validate_kbo,
    validate_phone,
    validate_vat,
)

# --- The personal-data inventory (issue 13) ---------------------------------------------------


def personal_fields_shown(model: type[models.Model]) -> tuple[str, ...]:
    """The model's ``PERSONAL_FIELDS`` (declared once on the model and read by the purge, the
    erasure, the importer and the access report) that a person enters and reads: not the
    search keys derived from them on every save (``editable=False``: ``email_normalised``,
    ``name_key``, ``phone_e164``...)."""
    names = model.PERSONAL_FIELDS  # type: ignore[attr-defined]
    return tuple(name for name in names if model._meta.get_field(name).editable)


# --- Legal holds ------------------------------------------------------------------------------


class LegalHoldQuerySet(models.QuerySet):
    def active(self, now: datetime | None = None) -> "LegalHoldQuerySet":
        """Holds in force at `now`: set, not released, and `until` not yet reached."""
        now = now or timezone.now()
        return self.filter(set_at__lte=now, released_at__isnull=True).filter(
            Q(until__isnull=True) | Q(until__gt=now)
        )

    def for_model(self, model: type[models.Model]) -> "LegalHoldQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(model))


class LegalHold(models.Model):
    """A record that must not be purged (dispute, investigation, claim; Art. 17(3)(e)).

    Holds no personal data of its own (a reason about a case, not about the person); it goes
    with the record it held (records_delete).
    """

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    until = models.DateTimeField(_("until"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        indexes = [models.Index(fields=["content_type", "object_id"], name="legalhold_target")]

    def __str__(self) -> str:
        model = self.content_type.model_class()
        kind = model._meta.verbose_name if model else self.content_type.model
        return f"{kind} #{self.object_id}"


# "Holds active at the beginning of time": none. `expired(..., ignore_holds=True)` uses it to
# count what a hold keeps without writing anything (retention PurgeTarget.held_count).
NO_HOLDS = datetime.min.replace(tzinfo=UTC)


def _not_held(model: type[models.Model], now: datetime, outer: str = "pk") -> Exists:
    """`~_not_held(...)` excludes rows with an active hold; as a correlated, indexed EXISTS."""
    return Exists(
        LegalHold.objects.active(now).filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef(outer)
        )
    )


def held(model: type[models.Model], now: datetime, outer: str = "pk") -> Exists:
    """EXISTS(an active legal hold on the row OuterRef(outer) of `model`), for any model."""
    return _not_held(model, now, outer)


def _dependant_held(model: type[models.Model], now: datetime) -> Exists:
    """EXISTS(a row of `model` of contact OuterRef("pk") with an active hold): a hold on an
    invoice or inquiry keeps its contact too (records_delete would refuse it)."""
    return Exists(
        model._default_manager.filter(contact_id=OuterRef("pk")).filter(_not_held(model, now))
    )


def _day_cutoff(cutoff: datetime) -> date:
    """The latest date D whose end (`end_of_day(D)`) is at or before `cutoff`."""
    day = cutoff.astimezone(periods.BRUSSELS).date()
    return day if periods.end_of_day(day) <= cutoff else day - relativedelta(days=1)


def fiscal_year_end_settings() -> tuple[int, int]:
    """(month, day) of the controller's fiscal year end; 31 December when not configured."""
    from registry.models import Organisation

    organisation = Organisation.objects.current()
    if organisation is None:
        return 12, 31
    return organisation.fiscal_year_end_month, organisation.fiscal_year_end_day


def last_fiscal_year_end_before(cutoff: datetime) -> date:
    """The last fiscal-year end F whose end of day is at or before `cutoff`.

    An invoice anchored at the end of fiscal year Y has expired at `now` exactly when
    end_of_day(Y's end) <= rule.cutoff(now), i.e. when its fiscal year end <= F, i.e. (fiscal
    year ends being increasing in the date) when the invoice date <= F. That turns "the end of
    the fiscal year of the last invoice" into a plain indexed `issue_date <= F` comparison.
    """
    end_month, end_day = fiscal_year_end_settings()
    day = cutoff.astimezone(periods.BRUSSELS).date()
    end = periods.fiscal_year_end(day, end_month=end_month, end_day=end_day)
    while periods.end_of_day(end) > cutoff:
        end = periods.fiscal_year_end(
            end - relativedelta(years=1), end_month=end_month, end_day=end_day
        )
    return end


def _active_rule(code: str):
    from registry.models import RetentionRule

    return RetentionRule.objects.filter(code=code, is_active=True).first()


# --- Contacts ---------------------------------------------------------------------------------


class ContactQuerySet(models.QuerySet):
    def expired(self, now: datetime, rule, *, ignore_holds: bool = False) -> "ContactQuerySet":
        """Contacts governed by `rule` whose retention has ended at `now`, not held.

        - `prospect` / `loose-contact`: kind matches and `first_contact_at <= rule.cutoff(now)`
          (e.g. first contact 3 March 2025 10:15 → purged from 3 March 2026 10:15 Brussels).
        - `customer-contact`: kind customer, and
          (a) the end of the relationship has passed by the rule's period: with the anchor
              `last_invoice_fiscal_year_end`, the fiscal-year end of the customer's last invoice
              (a customer without invoices: `last_activity_at`, else `first_contact_at`); with
              any other anchor, `last_activity_at`, else `first_contact_at`; and
          (b) none of their invoices must still be kept under the `invoice` rule (no invoice
              later than that rule's fiscal-year cutoff; with no active `invoice` rule, any
              invoice at all keeps the contact) — Art. 17(3)(b): a legal obligation to keep.
        Contacts with an active LegalHold, or with an invoice or web inquiry under one, are
        left out.
        """
        held_at = NO_HOLDS if ignore_holds else now
        cutoff = rule.cutoff(now)
        kind = Contact.kind_for_rule_code(rule.code)
        if kind is None:
            return self.none()
        qs = (
            self.filter(kind=kind)
            .exclude(_not_held(Contact, held_at))
            .exclude(_dependant_held(Invoice, held_at))
            .exclude(_dependant_held(WebInquiry, held_at))
        )
        if kind != Contact.Kind.CUSTOMER:
            return qs.filter(first_contact_at__lte=cutoff)
        relationship_end = Q(relationship_end__lte=cutoff)
        ended = qs.alias(relationship_end=Coalesce("last_activity_at", "first_contact_at"))
        if rule.anchor == "last_invoice_fiscal_year_end":
            own_end = last_fiscal_year_end_before(cutoff)
            # "(an invoice and none later than F) or (no invoice and the relationship ended)",
            # written as "none later than F and (an invoice or ended)" (a customer without
            # invoices has none later either): the NOT EXISTS becomes one anti-join and the
            # uncorrelated IN one hashed subplan, instead of two EXISTS probed per customer
            # (issue 19: 3.7 s -> see docs/BENCHMARKS.md at 100 000 customers).
            later = Exists(Invoice.objects.filter(contact=OuterRef("pk"), issue_date__gt=own_end))
            invoiced = Q(pk__in=Invoice.objects.values("contact_id"))
            ended = ended.filter(~later).filter(invoiced | relationship_end)
        else:
            ended = ended.filter(relationship_end)
        return ended.filter(~Invoice.objects.kept_exists(now, outer="pk"))

    def restriction_ended(self, now: datetime) -> "ContactQuerySet":
        """Restricted contacts whose restriction end has passed (Brussels date): staff decide
        to lift it (the contact then follows its rule again) or to set a new end."""
        today = timezone.localdate(now)
        return self.filter(restricted=True, restricted_until__lt=today)

    def erased_and_released(self, now: datetime) -> "ContactQuerySet":
        """Contacts erased on request (Art. 17(3)(b)) that no invoice keeps any more, and that
        no legal hold keeps: they go at once, whatever their kind's own rule says."""
        return (
            self.filter(erasure_requested_at__isnull=False)
            .exclude(_not_held(Contact, now))
            .exclude(_dependant_held(Invoice, now))
            .exclude(_dependant_held(WebInquiry, now))
            .filter(~Invoice.objects.kept_exists(now, outer="pk"))
        )


class RestrictionReason(models.TextChoices):
    """Art. 18(1)(a)-(d): why processing is restricted to storage."""

    ACCURACY = "accuracy", _("accuracy contested (Art. 18(1)(a))")
    UNLAWFUL = "unlawful", _("unlawful, erasure opposed (Art. 18(1)(b))")
    LEGAL_CLAIMS = "legal_claims", _("needed by the person for legal claims (Art. 18(1)(c))")
    OBJECTION = "objection", _("objection being weighed (Art. 18(1)(d))")
    # Contacts restricted before reasons were recorded (migration 0004): staff decide.
    NOT_RECORDED = "not_recorded", _("reason not recorded: decide")


class RestrictionLiftReason(models.TextChoices):
    """Why staff lifted a restriction (Art. 18): a choice, never free text about the person."""

    REASON_ENDED = (
        "reason_ended",
        _("its reason ended: accuracy verified, claim or objection decided"),
    )
    WITHDRAWN = "withdrawn", _("the person withdrew the request for restriction")
    ERROR = "error", _("recorded in error")


# A contact's search keys and the fields each is derived from (Contact.fill_search_keys).
SEARCH_KEY_SOURCES: dict[str, tuple[str, ...]] = {
    "email": ("email_normalised",),
    "first_name": ("name_key",),
    "last_name": ("name_key",),
    "phone": ("phone_e164",),
    "mobile": ("mobile_e164",),
}


def _with_derived(update_fields, derived: dict[str, tuple[str, ...]]):
    """`update_fields` plus the keys derived from any field in it (None stays None: all)."""
    if update_fields is None:
        return None
    fields = set(update_fields)
    for source, keys in derived.items():
        if source in fields:
            fields.update(keys)
    return fields


class EmailKeyMixin:
    """`email_normalised` follows `email` on full_clean and on every save: the subject search
    of an access request (Art. 15) reads the key, so a row saved by code must carry it too."""

    email: str
    email_normalised: str

    def clean(self) -> None:
        self.email_normalised = normalise_email(self.email)

    def save(self, *args, **kwargs) -> None:
        self.email_normalised = normalise_email(self.email)
        kwargs["update_fields"] = _with_derived(
            kwargs.get("update_fields"), {"email": ("email_normalised",)}
        )
        super().save(*args, **kwargs)  # type: ignore[misc]


class Contact(models.Model):
    """A person C-DOT has contact details of: a prospect, a loose contact or a customer."""

    class Kind(models.TextChoices):
        PROSPECT = "prospect", _("prospect")
        LOOSE = "loose", _("loose contact")
        CUSTOMER = "customer", _("customer")

    # Personal-data inventory (issue 13): the fields that identify or reach a person. The
    # purge, the erasure, the importer and the access report all read these.
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "first_name",
        "last_name",
        "name_key",  # "<last>|<first>", the subject search's key (issue 14)
        "company",
        "street",
        "postal_code",
        "city",
        "phone",
        "phone_e164",
        "mobile",
        "mobile_e164",
        "email",
        "email_normalised",
        "vat_number",
        "kbo_number",
        "url",
        "source",
    )
    # What an invoice needs of its customer (VAT code art. 53 §2 / Directive 2006/112 art.
    # 226(5): name, address, VAT number). Everything else goes when the person asks for
    # erasure while an invoice must be kept (Art. 17(3)(b)), or when the relationship ends.
    INVOICE_FIELDS: ClassVar[tuple[str, ...]] = (
        "first_name",
        "last_name",
        "company",
        "street",
        "postal_code",
        "city",
        "vat_number",
        "kbo_number",
    )
    NOT_FOR_INVOICE_FIELDS: ClassVar[tuple[str, ...]] = (
        "phone",
        "phone_e164",
        "mobile",
        "mobile_e164",
        "email",
        "email_normalised",
        "url",
        "source",
    )

    # Retention declaration: which RetentionRule code governs which kind.
    retention_rule_code_by_kind: ClassVar[dict[str, str]] = {
        Kind.PROSPECT: "prospect",
        Kind.LOOSE: "loose-contact",
        Kind.CUSTOMER: "customer-contact",
    }
    retention_rule_codes: ClassVar[tuple[str, ...]] = tuple(retention_rule_code_by_kind.values())

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROSPECT)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE", blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    mobile = models.CharField(_("mobile"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    email_normalised = models.CharField(max_length=254, blank=True, db_index=True, editable=False)
    # Subject search by name whatever the case and accents (issue 14): "<last>|<first>".
    name_key = models.CharField(max_length=210, blank=True, db_index=True, editable=False)
    phone_e164 = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    mobile_e164 = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    vat_number = models.CharField(
        _("VAT number"), max_length=16, blank=True, db_index=True, validators=[validate_vat]
    )
    kbo_number = models.CharField(
        _("company number (KBO/BCE)"),
        max_length=16,
        blank=True,
        db_index=True,
        validators=[validate_kbo],
    )
    url = models.URLField(_("website"), blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), default=timezone.now)
    became_customer_on = models.DateField(_("became customer on"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    marketing_opt_out = models.BooleanField(_("marketing opt-out"), default=False)
    # Art. 18: processing restricted to storage while the reason lasts; never without an end
    # (Art. 5(1)(e)). Past `restricted_until` the contact shows on the dashboard for a decision.
    restricted = models.BooleanField(_("restricted (Art. 18)"), default=False)
    restriction_reason = models.CharField(
        _("reason for the restriction"),
        max_length=16,
        choices=RestrictionReason.choices,
        blank=True,
    )
    restricted_at = models.DateTimeField(_("restricted since"), null=True, blank=True)
    restricted_until = models.DateField(
        _("restricted until"),
        null=True,
        blank=True,
        help_text=_("When the reason is expected to end (verification done, claim decided)."),
    )
    # The last lift (records.services.contact_restriction_lift): when and why; who is in the
    # contact's admin history. The person was told beforehand (Art. 18(3)).
    restriction_lifted_at = models.DateTimeField(
        _("restriction last lifted on"), null=True, blank=True, editable=False
    )
    restriction_lift_reason = models.CharField(
        _("why the restriction was lifted"),
        max_length=16,
        choices=RestrictionLiftReason.choices,
        blank=True,
        editable=False,
    )
    # Art. 17(3)(b): erasure asked while invoices must still be kept. Every field the tax law
    # does not need was blanked at once; the row goes with the customer's last invoice.
    erasure_requested_at = models.DateTimeField(
        _("erasure requested at"), null=True, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["kind", "first_contact_at"], name="contact_kind_first"),
            models.Index(fields=["last_name", "first_name"], name="contact_name"),
            # The dashboard's "restrictions past their end" (restriction_ended): a few rows
            # of 300 000, found without reading the others (issue 19).
            models.Index(
                fields=["restricted_until"],
                condition=Q(restricted=True),
                name="contact_restricted_until",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(restricted=False)
                | (~Q(restriction_reason="") & Q(restricted_until__isnull=False)),
                name="contact_restriction_has_reason_and_end",
                violation_error_message=_("A restriction needs a reason and an end date."),
            )
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.company or f"#{self.pk}"

    def save(self, *args, **kwargs) -> None:
        # Every save derives the keys, not only full_clean: a contact saved by code without
        # them would be missed by the subject search of an access request (Art. 15).
        self.fill_search_keys()
        kwargs["update_fields"] = _with_derived(kwargs.get("update_fields"), SEARCH_KEY_SOURCES)
        super().save(*args, **kwargs)

    @classmethod
    def kind_for_rule_code(cls, code: str) -> str | None:
        for kind, rule_code in cls.retention_rule_code_by_kind.items():
            if rule_code == code:
                return kind
        return None

    def clean(self) -> None:
        """Normalise identifiers and derive the search keys (called by full_clean)."""
        errors = {}
        for field, normalise in (("vat_number", normalise_vat), ("kbo_number", normalise_kbo)):
            try:
                setattr(self, field, normalise(getattr(self, field)))
            except ValidationError as exc:
                errors[field] = exc
        if errors:
            raise ValidationError(errors)
        if self.vat_number and not self.kbo_number:
            self.kbo_number = self.vat_number[2:]
        self.fill_search_keys()

    def fill_search_keys(self) -> None:
        self.email_normalised = normalise_email(self.email)
        self.name_key = name_key(first_name=self.first_name, last_name=self.last_name)
        self.phone_e164 = normalise_phone(self.phone) or ""
        self.mobile_e164 = normalise_phone(self.mobile) or ""


# --- Invoices ---------------------------------------------------------------------------------


class InvoiceQuerySet(models.QuerySet):
    def expired(self, now: datetime, rule, *, ignore_holds: bool = False) -> "InvoiceQuerySet":
        """Invoices whose retention (`invoice`, e.g. 7 years) has ended at `now`, not held.

        Anchor: the end of the fiscal year (Organisation.fiscal_year_end_month/day, Brussels end
        of day) of the customer's LAST invoice — all invoices of a customer go together.
        With F = the last fiscal-year end at or before `rule.cutoff(now)`, an invoice has
        expired when no invoice of the same customer is dated after F (so its own date is <= F
        too). Example, calendar fiscal year, 7 years: last invoice 12 June 2019 → fiscal year
        ends 31 Dec 2019 23:59:59.999999 → expires 31 Dec 2026 at that instant, purged from
        1 Jan 2027. Held invoices and invoices of a held contact are left out.
        """
        held_at = NO_HOLDS if ignore_holds else now
        last_end = last_fiscal_year_end_before(rule.cutoff(now))
        later = Invoice.objects.filter(contact_id=OuterRef("contact_id"), issue_date__gt=last_end)
        return (
            self.filter(issue_date__lte=last_end)
            .filter(~Exists(later))
            .exclude(_not_held(Invoice, held_at))
            .exclude(_not_held(Contact, held_at, outer="contact_id"))
        )

    def kept_exists(self, now: datetime, *, outer: str) -> Exists:
        """EXISTS(an invoice of contact OuterRef(outer) that must still be kept at `now`)."""
        rule = _active_rule(Invoice.retention_rule_code)
        invoices = Invoice.objects.filter(contact_id=OuterRef(outer))
        if rule is not None:
            invoices = invoices.filter(issue_date__gt=last_fiscal_year_end_before(rule.cutoff(now)))
        return Exists(invoices)

    def kept(self, now: datetime) -> "InvoiceQuerySet":
        """Invoices the `invoice` rule still keeps at `now` (each by its own fiscal year end;
        none when the register has no active rule): records_delete refuses them."""
        rule = _active_rule(Invoice.retention_rule_code)
        if rule is None:
            return self.none()
        return self.filter(issue_date__gt=last_fiscal_year_end_before(rule.cutoff(now)))


class Invoice(models.Model):
    """An invoice as issued (accounting law: kept 7 years after the end of the fiscal year)."""

    retention_rule_code: ClassVar[str] = "invoice"
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("invoice",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "billing_name",
        "billing_address",
        "billing_vat_number",
    )

    number = models.CharField(_("number"), max_length=50, unique=True)
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    issue_date = models.DateField(_("issue date"), db_index=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), blank=True)
    total_excl_vat = models.DecimalField(_("total excl. VAT"), max_digits=12, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    total_incl_vat = models.DecimalField(_("total incl. VAT"), max_digits=12, decimal_places=2)
    billing_name = models.CharField(_("billing name"), max_length=200)
    billing_address = models.TextField(_("billing address"), blank=True)
    billing_vat_number = models.CharField(
        _("billing VAT number"), max_length=16, blank=True, validators=[validate_vat]
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["contact", "issue_date"], name="invoice_contact_date")]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        try:
            self.billing_vat_number = normalise_vat(self.billing_vat_number)
        except ValidationError as exc:
            raise ValidationError({"billing_vat_number": exc}) from exc
        if self.issue_date and not self.fiscal_year:
            end_month, end_day = fiscal_year_end_settings()
            self.fiscal_year = periods.fiscal_year_end(
                self.issue_date, end_month=end_month, end_day=end_day
            ).year


# --- Web inquiries ----------------------------------------------------------------------------


class WebInquiryQuerySet(models.QuerySet):
    def expired(self, now: datetime, rule, *, ignore_holds: bool = False) -> "WebInquiryQuerySet":
        """Inquiries with `received_at <= rule.cutoff(now)` (e.g. 1 year), not held.

        An inquiry linked to a contact who became a customer is kept with that customer
        (it is then part of the customer relationship, removed with the contact).
        """
        held_at = NO_HOLDS if ignore_holds else now
        return (
            self.filter(received_at__lte=rule.cutoff(now))
            .filter(Q(contact__isnull=True) | ~Q(contact__kind=Contact.Kind.CUSTOMER))
            .exclude(_not_held(WebInquiry, held_at))
            .exclude(_not_held(Contact, held_at, outer="contact_id"))
        )


class WebInquiry(EmailKeyMixin, models.Model):
    """A message sent through the website or webshop contact form (purpose E/F)."""

    class Source(models.TextChoices):
        WEBSITE = "website", _("website")
        WEBSHOP = "webshop", _("webshop")

    retention_rule_code: ClassVar[str] = "web-inquiry"
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("web-inquiry",)
    # A contact's messages are its own data: they go with it (not only unlinked).
    DELETED_WITH: ClassVar[tuple[str, ...]] = ("contact",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "email",
        "email_normalised",
        "phone",
        "company",
        "message",
    )

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    email_normalised = models.CharField(max_length=254, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    company = models.CharField(_("company"), max_length=200, blank=True)
    message = models.TextField(_("message"))
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.WEBSITE
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="web_inquiries",
        verbose_name=_("contact"),
    )

    objects = WebInquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("web inquiry")
        verbose_name_plural = _("web inquiries")

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.pk}"


# --- Newsletter -------------------------------------------------------------------------------


class NewsletterSubscriptionQuerySet(models.QuerySet):
    def expired(
        self, now: datetime, rule, *, ignore_holds: bool = False
    ) -> "NewsletterSubscriptionQuerySet":
        """Subscriptions withdrawn at or before `rule.cutoff(now)` (0 days: at once), not held.

        Only the row goes; the SuppressionEntry made at withdrawal stays (Art. 21(3): the
        address must not be mailed again).
        """
        held_at = NO_HOLDS if ignore_holds else now
        return self.filter(withdrawn_at__lte=rule.cutoff(now)).exclude(
            _not_held(NewsletterSubscription, held_at)
        )

    def active(self) -> "NewsletterSubscriptionQuerySet":
        return self.filter(withdrawn_at__isnull=True)


class NewsletterSubscription(EmailKeyMixin, models.Model):
    """Proof of a newsletter consent (Art. 7(1)): what was shown, when, where."""

    retention_rule_code: ClassVar[str] = "newsletter"
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("newsletter",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email", "email_normalised")

    email = models.EmailField(_("e-mail"))
    email_normalised = models.CharField(max_length=254, db_index=True, editable=False)
    consent_given_at = models.DateTimeField(_("consent given at"), default=timezone.now)
    consent_text = models.TextField(_("consent text shown"), blank=True)
    statement_version = models.CharField(_("statement version"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, db_index=True)

    objects = NewsletterSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter subscription")
        verbose_name_plural = _("newsletter subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(consent_text="") | ~Q(statement_version=""),
                name="newsletter_consent_proof",
                violation_error_message=_(
                    "A consent needs the text or the statement version shown."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class SuppressionEntryQuerySet(models.QuerySet):
    def matching(self, email: str) -> "SuppressionEntryQuerySet":
        """Entries of this address, under the current key or a fallback key (rotation)."""
        return self.filter(email_hash__in=email_hashes(email))


class SuppressionEntry(models.Model):
    """An address that must not receive marketing again (Art. 21(3)).

    Only a keyed hash (records.normalise.email_hash: HMAC-SHA256 under SUPPRESSION_KEY of the
    address's SHA-256), so it survives purges and cannot be reversed with a dictionary of
    addresses without the key. Kept while C-DOT may send marketing (rule `suppression`).
    """

    retention_rule_codes: ClassVar[tuple[str, ...]] = ("suppression",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email_hash",)  # pseudonymous (Art. 4(5))

    class Reason(models.TextChoices):
        WITHDRAWN = "withdrawn", _("consent withdrawn")
        OBJECTION = "objection", _("objection to direct marketing (Art. 21(2))")
        ERASURE = "erasure", _("erased on request")
        BOUNCE = "bounce", _("address does not exist")

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    objects = SuppressionEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("suppression entry")
        verbose_name_plural = _("suppression list")

    def __str__(self) -> str:
        return self.email_hash[:12]


class NewsletterConsentProofQuerySet(models.QuerySet):
    def expired(
        self, now: datetime, rule, *, ignore_holds: bool = False
    ) -> "NewsletterConsentProofQuerySet":
        """Proofs whose withdrawal lies at or before `rule.cutoff(now)`, not held."""
        held_at = NO_HOLDS if ignore_holds else now
        return self.filter(withdrawn_at__lte=rule.cutoff(now)).exclude(
            _not_held(NewsletterConsentProof, held_at)
        )


class NewsletterConsentProof(models.Model):
    """What remains of a withdrawn newsletter consent (Art. 7(1): the controller must be able
    to show the consent it relied on): the keyed hash of the address, when consent was given,
    the notice shown and when it was withdrawn. No address. Kept for rule `consent-proof`."""

    retention_rule_code: ClassVar[str] = "consent-proof"
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("consent-proof",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("email_hash",)  # pseudonymous (Art. 4(5))

    email_hash = models.CharField(max_length=64, db_index=True)
    consent_given_at = models.DateTimeField(_("consent given at"))
    consent_text = models.TextField(_("consent text shown"), blank=True)
    statement_version = models.CharField(_("statement version"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), db_index=True)

    objects = NewsletterConsentProofQuerySet.as_manager()

    class Meta:
        verbose_name = _("proof of a withdrawn newsletter consent")
        verbose_name_plural = _("proofs of withdrawn newsletter consents")

    def __str__(self) -> str:
        return f"#{self.pk}"


# --- Camera footage ---------------------------------------------------------------------------


class CameraRecordingQuerySet(models.QuerySet):
    def expired(
        self, now: datetime, rule, *, ignore_holds: bool = False
    ) -> "CameraRecordingQuerySet":
        """Recordings with `recorded_from <= rule.cutoff(now)` (14 days), not held.

        Camera law of 21 March 2007: at most one month unless the images prove an offence,
        damage or nuisance — that exception is a LegalHold.
        """
        held_at = NO_HOLDS if ignore_holds else now
        return self.filter(recorded_from__lte=rule.cutoff(now)).exclude(
            _not_held(CameraRecording, held_at)
        )


class CameraRecording(models.Model):
    """One footage file under settings.CAMERA_FOOTAGE_DIR, indexed by the footage scan."""

    retention_rule_code: ClassVar[str] = "camera-footage"
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("camera-footage",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("file_path",)  # the images themselves
    STORED_FILE_FIELD: ClassVar[str] = "file_path"  # records_delete removes the file

    camera = models.CharField(_("camera"), max_length=50)
    file_path = models.CharField(_("file"), max_length=500, unique=True)
    recorded_from = models.DateTimeField(_("recorded from"), db_index=True)
    recorded_to = models.DateTimeField(_("recorded to"), null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)

    objects = CameraRecordingQuerySet.as_manager()

    class Meta:
        verbose_name = _("camera recording")
        verbose_name_plural = _("camera recordings")

    def __str__(self) -> str:
        return self.file_path

    @classmethod
    def stored_file_root(cls) -> str:
        return str(settings.CAMERA_FOOTAGE_DIR)


# --- Data held as processor -------------------------------------------------------------------


class ProcessorDatasetQuerySet(models.QuerySet):
    def expired(
        self, now: datetime, rule, *, ignore_holds: bool = False
    ) -> "ProcessorDatasetQuerySet":
        """Datasets due for deletion at `now` and not yet confirmed deleted, not held.

        Due when the contract has ended by the rule's period (`end_of_day(contract_end)` <=
        `rule.cutoff(now)`; the dataset's own contract_end, else the client's), or when the
        client asked for deletion (`deletion_requested_on` is today or earlier, Brussels date;
        Art. 28(3)(g): delete or return at the controller's choice).
        """
        held_at = NO_HOLDS if ignore_holds else now
        cutoff_day = _day_cutoff(rule.cutoff(now))
        today = timezone.localdate(now)
        return (
            self.filter(deletion_confirmed_on__isnull=True)
            .alias(effective_end=Coalesce("contract_end", "client__contract_end"))
            .filter(Q(effective_end__lte=cutoff_day) | Q(deletion_requested_on__lte=today))
            .exclude(_not_held(ProcessorDataset, held_at))
        )


class ProcessorDataset(models.Model):
    """Data of a client controller that C-DOT holds as processor (Art. 28, Art. 30(2))."""

    class Service(models.TextChoices):
        MAILHOSTING = "mailhosting", _("mail hosting")
        BACKUP = "backup", _("backup")
        VPS = "vps", _("VPS")
        WEBHOSTING = "webhosting", _("web hosting")

    retention_rule_code: ClassVar[str] = "processor-data"
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("processor-data",)
    # The personal data themselves live on the client's systems (`location`).
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("location",)

    client = models.ForeignKey(
        "registry.ProcessorClient",
        on_delete=models.PROTECT,
        related_name="datasets",
        verbose_name=_("client"),
    )
    service = models.CharField(_("service"), max_length=16, choices=Service.choices)
    location = models.CharField(_("location"), max_length=200, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True, db_index=True)
    deletion_requested_on = models.DateField(_("deletion requested on"), null=True, blank=True)
    deletion_confirmed_on = models.DateField(_("deletion confirmed on"), null=True, blank=True)

    objects = ProcessorDatasetQuerySet.as_manager()

    class Meta:
        verbose_name = _("dataset held as processor")
        verbose_name_plural = _("datasets held as processor")

    def __str__(self) -> str:
        return f"{self.get_service_display()} #{self.pk}"


# The models the retention engine governs, in purge order (invoices before their customers).
RETAINED_MODELS: tuple[type[models.Model], ...] = (
    CameraRecording,
    WebInquiry,
    NewsletterSubscription,
    NewsletterConsentProof,
    SuppressionEntry,
    Invoice,
    Contact,
    ProcessorDataset,
)


from .models_api import ApiAuditEntry, ApiKey, IdempotencyRecord  # noqa: E402, F401
from .models_ledger import ErasureReplay  # noqa: E402, F401
from .models_outbox import OutboxEmail  # noqa: E402, F401
