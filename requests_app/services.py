"""The request workflow: submit, verify, assign, identity check, extend, reject, complete.

Every state change writes an audit entry in the same transaction. E-mails are sent by Celery
tasks enqueued on commit (a rolled-back step sends nothing).
"""

import logging
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from records.deletion import records_delete, stored_files, stored_files_unlink

from . import emails
from .deadlines import due_on_for, extension_allowed_on, latest_extension, local_date
from .errors import WorkflowError
from .models import (
    AccessPackage,
    AuditEntry,
    DataSubjectRequest,
    IdCopy,
    IdentityCheck,
)
from .tokens import TokenUsed, request_for_token
from .uploads import CheckedFile, random_name, store_private_file

logger = logging.getLogger(__name__)

Status = DataSubjectRequest.Status
Action = AuditEntry.Action


# --- audit -----------------------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    dsr: DataSubjectRequest | None = None,
    actor=None,
    actor_label: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit trail. `details`: ids, counts, codes; no personal data."""
    if actor is not None and not actor_label:
        actor_label = actor.get_username()
    return AuditEntry.objects.create(
        action=action,
        request=dsr,
        actor=actor,
        actor_label=actor_label or "system",
        details=details or {},
    )


# --- e-mails ---------------------------------------------------------------------------------


def _email_subject_on_commit(dsr: DataSubjectRequest, kind: str) -> None:
    """Queue the subject's e-mail in the outbox, in this transaction (sent after commit)."""
    emails.subject_email_queue(dsr=dsr, kind=kind)


# --- public side -----------------------------------------------------------------------------


def request_submit(
    *,
    type: str,
    name: str,
    email: str,
    phone: str,
    details: str,
    language: str,
    id_copy: CheckedFile | None,
) -> DataSubjectRequest:
    """Store a request from the public form and e-mail the confirmation link.

    Art. 12(3): the month runs from now, the moment of receipt; the link only guards against
    spam. The request stays listed for staff, unconfirmed, until confirmed or closed.
    The ID copy is written first and removed again if the rows cannot be saved: no stray file.
    """
    stored_path = None
    stored_name = ""
    if id_copy is not None:
        stored_name = random_name(id_copy.extension)
        stored_path = store_private_file(IdCopy.directory(), stored_name, id_copy.content)
    try:
        with transaction.atomic():
            now = timezone.now()
            dsr = DataSubjectRequest.objects.create(
                type=type,
                name=name,
                email=email.strip(),
                phone=phone,
                details=details,
                language=language,
                channel=DataSubjectRequest.Channel.WEB_FORM,
                submitted_at=now,
                received_at=now,
                due_on=due_on_for(now),
            )
            if id_copy is not None:
                IdCopy.objects.create(
                    request=dsr,
                    stored_name=stored_name,
                    content_type=id_copy.content_type,
                    size_bytes=len(id_copy.content),
                )
            _audit_received(dsr, actor=None)
            _email_subject_on_commit(dsr, "verify")
    except BaseException:
        if stored_path is not None:
            stored_path.unlink(missing_ok=True)
        raise
    logger.info("request submitted id=%s type=%s", dsr.pk, dsr.type)
    return dsr


def _audit_received(dsr: DataSubjectRequest, *, actor) -> None:
    audit_record(
        action=Action.RECEIVED,
        dsr=dsr,
        actor=actor,
        actor_label="" if actor else "subject",
        details={
            "type": dsr.type,
            "channel": dsr.channel,
            "due_on": dsr.due_on.isoformat() if dsr.due_on else None,
        },
    )


def request_enter(
    *,
    actor,
    channel: str,
    received_at: datetime,
    type: str,
    name: str,
    email: str = "",
    phone: str = "",
    postal_address: str = "",
    details: str = "",
    language: str,
    forwarded_by: str = "",
) -> DataSubjectRequest:
    """A request staff received by e-mail, post, phone, in person or from a client controller.

    Art. 12(3): the month runs from `received_at`, the moment of receipt staff record. The
    request enters the workflow at once (no confirmation link); privacy officers are told.
    """
    if received_at > timezone.now():
        raise WorkflowError(_("The moment of receipt cannot be in the future."))
    with transaction.atomic():
        dsr = DataSubjectRequest.objects.create(
            type=type,
            name=name,
            email=email.strip(),
            phone=phone,
            postal_address=postal_address,
            details=details,
            language=language,
            channel=channel,
            forwarded_by=forwarded_by,
            entered_by=actor,
            status=Status.RECEIVED,
            submitted_at=received_at,
            received_at=received_at,
            due_on=due_on_for(received_at),
        )
        _audit_received(dsr, actor=actor)
        emails.new_request_email_queue(dsr=dsr)
        _email_subject_on_commit(dsr, "acknowledgement")
    logger.info("request entered id=%s type=%s channel=%s", dsr.pk, dsr.type, dsr.channel)
    return dsr


def request_verify(*, token: str) -> DataSubjectRequest:
    """Use a confirmation link once: the request enters the workflow. Its month already runs
    from the submission (Art. 12(3)); the link changes neither receipt nor due date."""
    with transaction.atomic():
        dsr = request_for_token(token)
        dsr = DataSubjectRequest.objects.select_for_update().get(pk=dsr.pk)
        if dsr.verification_used_at is not None:  # a concurrent click won the race
            raise TokenUsed
        if dsr.status != Status.UNVERIFIED:  # closed as not confirmed meanwhile
            raise TokenUsed
        dsr.verification_used_at = timezone.now()
        dsr.status = Status.RECEIVED
        dsr.save(update_fields=["verification_used_at", "status"])
        audit_record(action=Action.CONFIRMED, dsr=dsr, actor_label="subject")
        emails.new_request_email_queue(dsr=dsr)
        _email_subject_on_commit(dsr, "acknowledgement")
    return dsr


@transaction.atomic
def request_close_unconfirmed(*, dsr: DataSubjectRequest, actor) -> DataSubjectRequest:
    """Close a web-form request never confirmed within 7 days; its ID copy is deleted. The
    request itself stays, closed, in the list and the audit trail: nothing disappears unseen."""
    dsr = _locked(dsr)
    dsr.require_step(Step.CLOSE_UNCONFIRMED)
    if not dsr.may_close_unconfirmed(timezone.now()):
        raise WorkflowError(
            _("The subject has 7 days to confirm; this request can be closed from %(date)s.")
            % {"date": local_date(dsr.submitted_at + dsr.CONFIRMATION_WINDOW).isoformat()}
        )
    _close(dsr, actor=actor, status=Status.NOT_CONFIRMED)
    dsr.save(update_fields=["status", "completed_at"])
    audit_record(action=Action.CLOSED_NOT_CONFIRMED, dsr=dsr, actor=actor)
    return dsr


# --- staff workflow --------------------------------------------------------------------------


Step = DataSubjectRequest.Step


def _locked(dsr: DataSubjectRequest) -> DataSubjectRequest:
    return DataSubjectRequest.objects.select_for_update().get(pk=dsr.pk)


@transaction.atomic
def request_assign(*, dsr: DataSubjectRequest, assignee, actor) -> DataSubjectRequest:
    """Give the request to a staff member (reminders go to them)."""
    dsr = _locked(dsr)
    dsr.require_step(Step.ASSIGN)
    dsr.assignee = assignee
    dsr.save(update_fields=["assignee"])
    audit_record(action=Action.ASSIGNED, dsr=dsr, actor=actor, details={"assignee_id": assignee.pk})
    return dsr


@transaction.atomic
def request_start_identity_check(
    *, dsr: DataSubjectRequest, actor, doubt: str, information: str
) -> DataSubjectRequest:
    """Art. 12(6): a reasoned doubt about the identity and the information asked to resolve it.

    The clock pauses from now until the information arrives (`request_information_received`).
    """
    dsr = _locked(dsr)
    dsr.require_step(Step.START_IDENTITY_CHECK)
    doubt, information = doubt.strip(), information.strip()
    if not doubt or not information:
        raise WorkflowError(
            _("Say why the identity is in doubt and which information was asked (Art. 12(6)).")
        )
    now = timezone.now()
    dsr.status = Status.IDENTITY_CHECK
    dsr.clock_paused_at = now
    dsr.identity_doubt = doubt
    dsr.information_requested = information
    dsr.save(update_fields=["status", "clock_paused_at", "identity_doubt", "information_requested"])
    audit_record(
        action=Action.IDENTITY_CHECK_STARTED,
        dsr=dsr,
        actor=actor,
        details={"paused_on": local_date(now).isoformat()},
    )
    return dsr


def _resume_clock(dsr: DataSubjectRequest, *, actor) -> None:
    """Art. 12(6): the days the clock stood still are added to the due date(s)."""
    if dsr.clock_paused_at is None or dsr.due_on is None:
        return
    paused_on, resumed_on = local_date(dsr.clock_paused_at), local_date(timezone.now())
    shift = resumed_on - paused_on
    due_from = dsr.effective_due
    dsr.due_on = dsr.due_on + shift
    if dsr.extended_until:
        dsr.extended_until = dsr.extended_until + shift
    dsr.clock_paused_at = None
    dsr.save(update_fields=["due_on", "extended_until", "clock_paused_at"])
    audit_record(
        action=Action.CLOCK_RESUMED,
        dsr=dsr,
        actor=actor,
        details={
            "paused_on": paused_on.isoformat(),
            "resumed_on": resumed_on.isoformat(),
            "due_from": due_from.isoformat() if due_from else None,
            "due_to": dsr.effective_due.isoformat() if dsr.effective_due else None,
        },
    )


@transaction.atomic
def request_information_received(*, dsr: DataSubjectRequest, actor) -> DataSubjectRequest:
    """Art. 12(6): the information asked arrived; the clock runs again, the due date moves."""
    dsr = _locked(dsr)
    dsr.require_step(Step.INFORMATION_RECEIVED)
    _resume_clock(dsr, actor=actor)
    dsr.status = Status.RECEIVED
    dsr.save(update_fields=["status"])
    return dsr


def id_copies_delete(*, dsr: DataSubjectRequest, actor=None, reason: str) -> int:
    """Delete the request's ID copies through records_delete (rows now, files after commit)."""
    pks = list(dsr.id_copies.values_list("pk", flat=True))
    if not pks:
        return 0
    deleted = records_delete(model=IdCopy, pks=pks)
    audit_record(
        action=Action.ID_COPY_DELETED,
        dsr=dsr,
        actor=actor,
        details={"count": deleted, "reason": reason},
    )
    return deleted


@transaction.atomic
def identity_check_record(
    *, dsr: DataSubjectRequest, actor, method: str, outcome: str, note: str = ""
) -> IdentityCheck:
    """Record who checked the identity, when and how; the ID copy is deleted right after."""
    dsr = _locked(dsr)
    dsr.require_step(Step.IDENTITY_CHECK)
    _resume_clock(dsr, actor=actor)  # checking it means the information arrived
    check = IdentityCheck.objects.create(
        request=dsr, checked_by=actor, method=method, outcome=outcome, note=note
    )
    if outcome == IdentityCheck.Outcome.CONFIRMED and dsr.status in (
        Status.RECEIVED,
        Status.IDENTITY_CHECK,
    ):
        dsr.status = Status.EXTENDED if dsr.extended_until else Status.IN_PROGRESS
        dsr.save(update_fields=["status"])
    audit_record(
        action=Action.IDENTITY_CHECKED,
        dsr=dsr,
        actor=actor,
        details={"method": method, "outcome": outcome, "check_id": check.pk},
    )
    id_copies_delete(dsr=dsr, actor=actor, reason="identity check done")
    return check


@transaction.atomic
def request_start(*, dsr: DataSubjectRequest, actor) -> DataSubjectRequest:
    """Move a received request into work without a separate identity check."""
    dsr = _locked(dsr)
    dsr.require_step(Step.START)
    _resume_clock(dsr, actor=actor)
    dsr.status = Status.EXTENDED if dsr.extended_until else Status.IN_PROGRESS
    dsr.save(update_fields=["status"])
    audit_record(action=Action.STARTED, dsr=dsr, actor=actor)
    return dsr


@transaction.atomic
def request_extend(
    *,
    dsr: DataSubjectRequest,
    actor,
    extended_until: date,
    reason: str,
    today: date | None = None,
) -> DataSubjectRequest:
    """Art. 12(3): extend by at most two months, within the first month, with reasons told."""
    dsr = _locked(dsr)
    dsr.require_step(Step.EXTEND)
    today = today or local_date(timezone.now())
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("An extension needs a reason (Art. 12(3))."))
    if dsr.extended_until is not None:
        raise WorkflowError(_("The deadline was already extended once."))
    if dsr.due_on is None:
        raise WorkflowError(_("This request has no deadline to extend."))
    due_on: date = dsr.due_on
    if not extension_allowed_on(today, due_on):
        raise WorkflowError(
            _("An extension must be decided within the first month (by %(date)s).")
            % {"date": due_on.isoformat()}
        )
    if extended_until <= due_on:
        raise WorkflowError(_("The new due date must be after the current one."))
    if extended_until > latest_extension(due_on):
        raise WorkflowError(
            _("At most two further months: %(date)s at the latest.")
            % {"date": latest_extension(due_on).isoformat()}
        )
    dsr.extended_until = extended_until
    dsr.extension_reason = reason
    if dsr.status != Status.IDENTITY_CHECK:
        dsr.status = Status.EXTENDED
    dsr.save(update_fields=["extended_until", "extension_reason", "status"])
    audit_record(
        action=Action.EXTENDED,
        dsr=dsr,
        actor=actor,
        details={"from": due_on.isoformat(), "to": extended_until.isoformat()},
    )
    _email_subject_on_commit(dsr, "extension")
    return dsr


def _close(dsr: DataSubjectRequest, *, actor, status: str) -> None:
    dsr.status = status
    dsr.completed_at = timezone.now()
    id_copies_delete(dsr=dsr, actor=actor, reason="request closed")


@transaction.atomic
def request_reject(*, dsr: DataSubjectRequest, actor, reason: str) -> DataSubjectRequest:
    """Art. 12(4): refuse with reasons; the e-mail tells about the right to complain to the GBA."""
    dsr = _locked(dsr)
    dsr.require_step(Step.REJECT)
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("A rejection needs a reason (Art. 12(4))."))
    dsr.rejection_reason = reason
    dsr.decision = DataSubjectRequest.Decision.REFUSED
    _close(dsr, actor=actor, status=Status.REJECTED)
    dsr.save(update_fields=["rejection_reason", "decision", "status", "completed_at"])
    audit_record(action=Action.REJECTED, dsr=dsr, actor=actor)
    _email_subject_on_commit(dsr, "rejection")
    return dsr


@transaction.atomic
def request_complete(
    *, dsr: DataSubjectRequest, actor, decision: str, answer: str = ""
) -> DataSubjectRequest:
    """Close the request with its answer and e-mail the subject (with download links if any)."""
    dsr = _locked(dsr)
    dsr.require_step(Step.COMPLETE)
    if decision == DataSubjectRequest.Decision.REFUSED:
        raise WorkflowError(_("Use reject for a refusal (it needs a reason)."))
    if not answer.strip() and not dsr.answer:
        raise WorkflowError(_("Write the answer to the subject first."))
    dsr.answer = answer_with(dsr, answer)
    dsr.decision = decision
    _close(dsr, actor=actor, status=Status.COMPLETED)
    dsr.save(update_fields=["answer", "decision", "status", "completed_at"])
    audit_record(action=Action.COMPLETED, dsr=dsr, actor=actor, details={"decision": decision})
    _email_subject_on_commit(dsr, "completion")
    return dsr


def answer_with(dsr: DataSubjectRequest, answer: str) -> str:
    """The answer the subject receives: what the steps wrote (erasure results) and the text
    staff add now."""
    parts = [part.strip() for part in (dsr.answer, answer) if part and part.strip()]
    return "\n\n".join(parts)


def request_completion_preview(*, dsr: DataSubjectRequest, decision: str, answer: str) -> str:
    """The exact e-mail `request_complete` would send, composed by the same function."""
    draft = DataSubjectRequest.objects.get(pk=dsr.pk)
    draft.answer = answer_with(draft, answer)
    draft.decision = decision
    return emails.subject_email_compose(dsr=draft, kind="completion").body


@transaction.atomic
def request_withdraw(*, dsr: DataSubjectRequest, actor) -> DataSubjectRequest:
    """The subject withdrew the request (told staff by mail or phone)."""
    dsr = _locked(dsr)
    dsr.require_step(Step.WITHDRAW)
    _close(dsr, actor=actor, status=Status.WITHDRAWN)
    dsr.save(update_fields=["status", "completed_at"])
    audit_record(action=Action.WITHDRAWN, dsr=dsr, actor=actor)
    return dsr


def answer_append(*, dsr: DataSubjectRequest, text: str) -> None:
    """Add a paragraph to the answer the subject will receive (erasure results, etc.)."""
    dsr.answer = (dsr.answer + "\n\n" + text).strip() if dsr.answer else text
    dsr.save(update_fields=["answer"])


# --- reminders -------------------------------------------------------------------------------

REMINDER_DAYS = (7, 2)


def reminders_due(*, today: date) -> list[tuple[int, int]]:
    """(request id, days) pairs whose 7- or 2-day reminder has not been sent for this due date."""
    pending = []
    for dsr in DataSubjectRequest.objects.due_within(today, 7).only(
        "pk", "due_on", "extended_until", "reminded_7d_for", "reminded_2d_for"
    ):
        days_left = (dsr.effective_due - today).days
        if days_left <= 2:
            if dsr.reminded_2d_for != dsr.effective_due:
                pending.append((dsr.pk, 2))
        elif dsr.reminded_7d_for != dsr.effective_due:
            pending.append((dsr.pk, 7))
    return pending


@transaction.atomic
def reminder_mark_sent(*, request_id: int, days: int) -> bool:
    """Claim the reminder for this due date and queue its e-mail to the privacy officers and
    the assignee; False when it was already sent (idempotent)."""
    dsr = DataSubjectRequest.objects.select_for_update().get(pk=request_id)
    field = "reminded_7d_for" if days == 7 else "reminded_2d_for"
    if getattr(dsr, field) == dsr.effective_due:
        return False
    setattr(dsr, field, dsr.effective_due)
    if days == 2:  # a late start (beat missed a week) must not send the 7-day one afterwards
        dsr.reminded_7d_for = dsr.effective_due
    dsr.save(update_fields=["reminded_7d_for", "reminded_2d_for"])
    audit_record(action=Action.REMINDER_SENT, dsr=dsr, details={"days": days})
    emails.reminder_email_queue(dsr=dsr, days=days)  # same transaction: claimed = queued
    return True


def packages_expired_delete(*, now: datetime | None = None) -> int:
    """Remove the files of access packages whose link expired (the rows stay for the log),
    with the file helpers records_delete uses (only files inside the packages' folder)."""
    now = now or timezone.now()
    expired = list(
        AccessPackage.objects.expired(now)
        .filter(file_deleted_at__isnull=True)
        .values_list("pk", flat=True)
    )
    stored_files_unlink(paths=stored_files(AccessPackage, expired))
    AccessPackage.objects.filter(pk__in=expired).update(file_deleted_at=now)
    return len(expired)
