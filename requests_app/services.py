"""The request workflow: submit, verify, assign, identity check, extend, reject, complete.

Every state change writes an audit entry in the same transaction. E-mails are sent by Celery
tasks enqueued on commit (a rolled-back step sends nothing).
"""

import logging
from datetime import date, datetime, timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from .deadlines import due_on_for, extension_allowed_on, latest_extension, local_date
from .models import (
    AccessPackage,
    AuditEntry,
    DataSubjectRequest,
    IdCopy,
    IdentityCheck,
)
from .uploads import CheckedFile, random_name, store_private_file

logger = logging.getLogger(__name__)

Status = DataSubjectRequest.Status
Action = AuditEntry.Action

VERIFY_SALT = "requests_app.verify"
VERIFY_MAX_AGE = timedelta(hours=48)
UNVERIFIED_KEPT_FOR = timedelta(days=7)


class WorkflowError(Exception):
    """A step that is not allowed in the request's current state; the message is for staff."""


class TokenInvalid(Exception):
    pass


class TokenExpired(Exception):
    pass


class TokenUsed(Exception):
    pass


# --- audit -----------------------------------------------------------------------------------


def audit_record(
    *,
    action: str,
    request: DataSubjectRequest | None = None,
    actor=None,
    actor_label: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit trail. `details`: ids, counts, codes; no personal data."""
    if actor is not None and not actor_label:
        actor_label = actor.get_username()
    return AuditEntry.objects.create(
        action=action,
        request=request,
        actor=actor,
        actor_label=actor_label or "system",
        details=details or {},
    )


# --- e-mails ---------------------------------------------------------------------------------


def _email_subject_on_commit(request: DataSubjectRequest, kind: str) -> None:
    from .tasks import send_subject_email

    request_id = request.pk
    transaction.on_commit(lambda: send_subject_email.delay(request_id, kind))


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
    """Store a request from the public form (unverified) and e-mail the verification link.

    The ID copy is written first and removed again if the rows cannot be saved: no stray file.
    """
    stored_path = None
    stored_name = ""
    if id_copy is not None:
        stored_name = random_name(id_copy.extension)
        stored_path = store_private_file(IdCopy.directory(), stored_name, id_copy.content)
    try:
        with transaction.atomic():
            dsr = DataSubjectRequest.objects.create(
                type=type,
                name=name,
                email=email.strip(),
                phone=phone,
                details=details,
                language=language,
            )
            if id_copy is not None:
                IdCopy.objects.create(
                    request=dsr,
                    stored_name=stored_name,
                    content_type=id_copy.content_type,
                    size_bytes=len(id_copy.content),
                )
            _email_subject_on_commit(dsr, "verify")
    except BaseException:
        if stored_path is not None:
            stored_path.unlink(missing_ok=True)
        raise
    logger.info("request submitted id=%s type=%s", dsr.pk, dsr.type)
    return dsr


def verification_token(request: DataSubjectRequest) -> str:
    return signing.dumps({"r": request.pk, "ref": request.reference}, salt=VERIFY_SALT)


def request_for_token(token: str) -> DataSubjectRequest:
    """The request a verification link points at; raises TokenInvalid/Expired/Used."""
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    if not isinstance(payload, dict):
        raise TokenInvalid
    request_id, reference = payload.get("r"), payload.get("ref")
    if not isinstance(request_id, int) or not isinstance(reference, str):
        raise TokenInvalid
    dsr = DataSubjectRequest.objects.filter(pk=request_id, reference=reference).first()
    if dsr is None:
        raise TokenInvalid
    if dsr.verification_used_at is not None:
        raise TokenUsed
    return dsr


def request_verify(*, token: str) -> DataSubjectRequest:
    """Use a verification link once: the request is received now and its month starts."""
    with transaction.atomic():
        dsr = request_for_token(token)
        dsr = DataSubjectRequest.objects.select_for_update().get(pk=dsr.pk)
        if dsr.verification_used_at is not None:  # a concurrent click won the race
            raise TokenUsed
        now = timezone.now()
        dsr.verification_used_at = now
        dsr.received_at = now  # Art. 12(3): the month runs from receipt (verification)
        dsr.due_on = due_on_for(now)
        dsr.status = Status.RECEIVED
        dsr.save(update_fields=["verification_used_at", "received_at", "due_on", "status"])
        audit_record(
            action=Action.RECEIVED,
            request=dsr,
            actor_label="subject",
            details={"type": dsr.type, "due_on": dsr.due_on.isoformat()},
        )
        _email_subject_on_commit(dsr, "acknowledgement")
    return dsr


def unverified_purge(*, now: datetime | None = None) -> int:
    """Delete unverified requests older than 7 days with their ID copies; returns the count."""
    now = now or timezone.now()
    stale = DataSubjectRequest.objects.unverified_older_than(now - UNVERIFIED_KEPT_FOR)
    ids = list(stale.values_list("pk", flat=True)[:5000])
    if not ids:
        return 0
    paths = [copy.path for copy in IdCopy.objects.filter(request_id__in=ids)]
    with transaction.atomic():
        IdCopy.objects.filter(request_id__in=ids).delete()
        deleted, _ = DataSubjectRequest.objects.filter(
            pk__in=ids, status=Status.UNVERIFIED
        ).delete()
        audit_record(action=Action.UNVERIFIED_PURGED, details={"count": len(ids)})
        transaction.on_commit(lambda: _unlink_all(paths))
    return len(ids)


def _unlink_all(paths: list) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


# --- staff workflow --------------------------------------------------------------------------


def _require_open(dsr: DataSubjectRequest) -> None:
    if not dsr.is_open:
        raise WorkflowError(f"request {dsr.reference} is {dsr.get_status_display()}, not open")


def _locked(dsr: DataSubjectRequest) -> DataSubjectRequest:
    return DataSubjectRequest.objects.select_for_update().get(pk=dsr.pk)


@transaction.atomic
def request_assign(*, request: DataSubjectRequest, assignee, actor) -> DataSubjectRequest:
    """Give the request to a staff member (reminders go to them)."""
    dsr = _locked(request)
    _require_open(dsr)
    dsr.assignee = assignee
    dsr.save(update_fields=["assignee"])
    audit_record(
        action=Action.ASSIGNED, request=dsr, actor=actor, details={"assignee_id": assignee.pk}
    )
    return dsr


@transaction.atomic
def request_start_identity_check(*, request: DataSubjectRequest, actor) -> DataSubjectRequest:
    """Art. 12(6): identity is in doubt; the request waits for the check."""
    dsr = _locked(request)
    if dsr.status not in (Status.RECEIVED, Status.IN_PROGRESS, Status.EXTENDED):
        raise WorkflowError("an identity check can only start on a received request")
    dsr.status = Status.IDENTITY_CHECK
    dsr.save(update_fields=["status"])
    audit_record(action=Action.IDENTITY_CHECK_STARTED, request=dsr, actor=actor)
    return dsr


def id_copies_delete(*, request: DataSubjectRequest, actor=None, reason: str) -> int:
    """Delete the request's ID copies (rows now, files after commit)."""
    copies = list(request.id_copies.all())
    if not copies:
        return 0
    paths = [copy.path for copy in copies]
    IdCopy.objects.filter(pk__in=[copy.pk for copy in copies]).delete()
    audit_record(
        action=Action.ID_COPY_DELETED,
        request=request,
        actor=actor,
        details={"count": len(copies), "reason": reason},
    )
    transaction.on_commit(lambda: _unlink_all(paths))
    return len(copies)


@transaction.atomic
def identity_check_record(
    *, request: DataSubjectRequest, actor, method: str, outcome: str, note: str = ""
) -> IdentityCheck:
    """Record who checked the identity, when and how; the ID copy is deleted right after."""
    dsr = _locked(request)
    _require_open(dsr)
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
        request=dsr,
        actor=actor,
        details={"method": method, "outcome": outcome, "check_id": check.pk},
    )
    id_copies_delete(request=dsr, actor=actor, reason="identity check done")
    return check


@transaction.atomic
def request_start(*, request: DataSubjectRequest, actor) -> DataSubjectRequest:
    """Move a received request into work without a separate identity check."""
    dsr = _locked(request)
    if dsr.status not in (Status.RECEIVED, Status.IDENTITY_CHECK):
        raise WorkflowError("only a received request can be started")
    dsr.status = Status.EXTENDED if dsr.extended_until else Status.IN_PROGRESS
    dsr.save(update_fields=["status"])
    audit_record(action=Action.STARTED, request=dsr, actor=actor)
    return dsr


@transaction.atomic
def request_extend(
    *,
    request: DataSubjectRequest,
    actor,
    extended_until: date,
    reason: str,
    today: date | None = None,
) -> DataSubjectRequest:
    """Art. 12(3): extend by at most two months, within the first month, with reasons told."""
    dsr = _locked(request)
    _require_open(dsr)
    today = today or local_date(timezone.now())
    reason = reason.strip()
    if not reason:
        raise WorkflowError("an extension needs a reason (Art. 12(3))")
    if dsr.extended_until is not None:
        raise WorkflowError("the deadline was already extended once")
    if dsr.due_on is None:
        raise WorkflowError("an unverified request has no deadline to extend")
    due_on: date = dsr.due_on
    if not extension_allowed_on(today, due_on):
        raise WorkflowError(f"an extension must be decided within the first month (by {due_on})")
    if extended_until <= due_on:
        raise WorkflowError("the new due date must be after the current one")
    if extended_until > latest_extension(due_on):
        raise WorkflowError(f"at most two further months: {latest_extension(due_on)} at the latest")
    dsr.extended_until = extended_until
    dsr.extension_reason = reason
    if dsr.status != Status.IDENTITY_CHECK:
        dsr.status = Status.EXTENDED
    dsr.save(update_fields=["extended_until", "extension_reason", "status"])
    audit_record(
        action=Action.EXTENDED,
        request=dsr,
        actor=actor,
        details={"from": due_on.isoformat(), "to": extended_until.isoformat()},
    )
    _email_subject_on_commit(dsr, "extension")
    return dsr


def _close(dsr: DataSubjectRequest, *, actor, status: str) -> None:
    dsr.status = status
    dsr.completed_at = timezone.now()
    id_copies_delete(request=dsr, actor=actor, reason="request closed")


@transaction.atomic
def request_reject(*, request: DataSubjectRequest, actor, reason: str) -> DataSubjectRequest:
    """Art. 12(4): refuse with reasons; the e-mail tells about the right to complain to the GBA."""
    dsr = _locked(request)
    _require_open(dsr)
    reason = reason.strip()
    if not reason:
        raise WorkflowError("a rejection needs a reason (Art. 12(4))")
    dsr.rejection_reason = reason
    dsr.decision = DataSubjectRequest.Decision.REFUSED
    _close(dsr, actor=actor, status=Status.REJECTED)
    dsr.save(update_fields=["rejection_reason", "decision", "status", "completed_at"])
    audit_record(action=Action.REJECTED, request=dsr, actor=actor)
    _email_subject_on_commit(dsr, "rejection")
    return dsr


@transaction.atomic
def request_complete(
    *, request: DataSubjectRequest, actor, decision: str, answer: str = ""
) -> DataSubjectRequest:
    """Close the request with its answer and e-mail the subject (with download links if any)."""
    dsr = _locked(request)
    _require_open(dsr)
    if dsr.status in (Status.RECEIVED, Status.IDENTITY_CHECK):
        raise WorkflowError("confirm the identity or start the request before completing it")
    if decision == DataSubjectRequest.Decision.REFUSED:
        raise WorkflowError("use reject for a refusal (it needs a reason)")
    if not answer.strip() and not dsr.answer:
        raise WorkflowError("write the answer to the subject first")
    if answer.strip():
        dsr.answer = (dsr.answer + "\n\n" + answer.strip()).strip() if dsr.answer else answer
    dsr.decision = decision
    _close(dsr, actor=actor, status=Status.COMPLETED)
    dsr.save(update_fields=["answer", "decision", "status", "completed_at"])
    audit_record(action=Action.COMPLETED, request=dsr, actor=actor, details={"decision": decision})
    _email_subject_on_commit(dsr, "completion")
    return dsr


@transaction.atomic
def request_withdraw(*, request: DataSubjectRequest, actor) -> DataSubjectRequest:
    """The subject withdrew the request (told staff by mail or phone)."""
    dsr = _locked(request)
    _require_open(dsr)
    _close(dsr, actor=actor, status=Status.WITHDRAWN)
    dsr.save(update_fields=["status", "completed_at"])
    audit_record(action=Action.WITHDRAWN, request=dsr, actor=actor)
    return dsr


def answer_append(*, request: DataSubjectRequest, text: str) -> None:
    """Add a paragraph to the answer the subject will receive (erasure results, etc.)."""
    request.answer = (request.answer + "\n\n" + text).strip() if request.answer else text
    request.save(update_fields=["answer"])


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
    """Claim the reminder for this due date; False when it was already sent (idempotent)."""
    dsr = DataSubjectRequest.objects.select_for_update().get(pk=request_id)
    field = "reminded_7d_for" if days == 7 else "reminded_2d_for"
    if getattr(dsr, field) == dsr.effective_due:
        return False
    setattr(dsr, field, dsr.effective_due)
    if days == 2:  # a late start (beat missed a week) must not send the 7-day one afterwards
        dsr.reminded_7d_for = dsr.effective_due
    dsr.save(update_fields=["reminded_7d_for", "reminded_2d_for"])
    audit_record(action=Action.REMINDER_SENT, request=dsr, details={"days": days})
    return True


def packages_expired_delete(*, now: datetime | None = None) -> int:
    """Remove the files of access packages whose link expired (the rows stay for the log)."""
    now = now or timezone.now()
    expired = list(AccessPackage.objects.expired(now).filter(file_deleted_at__isnull=True))
    for package in expired:
        package.path.unlink(missing_ok=True)
    AccessPackage.objects.filter(pk__in=[p.pk for p in expired]).update(file_deleted_at=now)
    return len(expired)
