"""Send e-mail through the transactional outbox (issue 19, finding 6).

``email_enqueue`` writes a row in the caller's transaction: if the change it reports rolls
back, so does the e-mail; once the transaction commits, a Celery task is queued to send it.
``email_send`` sends one row exactly once: the row is locked (``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, the write lock on SQLite) while the SMTP server is talking, and
``sent_at`` is written in the same transaction. An SMTP error leaves the row unsent with a
next attempt after a back-off; ``email_outbox_flush`` (beat, every minute, and once when a
worker starts: records/tasks.py) sends every row due,
so neither a killed worker nor a lost Redis queue loses or delays an e-mail beyond a minute or
two. After ``MAX_ATTEMPTS`` (about three days of retries) a row is given up and logged as an
error for the operator.

The one gap no outbox closes: the SMTP server accepts a message and the process dies before
the commit. The row is then sent again with the same Message-ID (``OutboxEmail.message_id``).
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from .models_outbox import OutboxEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 30
FLUSH_BATCH = 200


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, … minutes after each failed attempt, at most 4 hours apart."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 240))


def email_enqueue(
    *,
    to: list[str] | tuple[str, ...] | str,
    subject: str,
    body: str,
    html_body: str | None = None,
    language: str,
    reference: str = "",
) -> OutboxEmail:
    """Queue an e-mail in the caller's transaction; it is sent after the commit."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients or not all(isinstance(r, str) and r.strip() for r in recipients):
        raise ValueError("an e-mail needs at least one recipient address")
    # One line: a newline in a subject would be a header injection (Django refuses it later).
    subject = " ".join(subject.split())
    row = OutboxEmail.objects.create(
        to=recipients,
        subject=subject,
        body=body,
        html_body=html_body or "",
        language=language,
        reference=reference[:100],
    )
    transaction.on_commit(lambda: _queue_send(row.pk))
    return row


def _queue_send(email_id: int) -> None:
    from .tasks import email_send_task  # tasks import this module

    try:
        email_send_task.delay(email_id)
    except Exception:  # the broker is down: beat's flush sends it within a minute
        logger.warning("outbox e-mail %s not queued; the minute flush will send it", email_id)


def _smtp_error_label(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"[:200]


def email_send(*, email_id: int, now: datetime | None = None) -> str:
    """Send one outbox row if it is still unsent; returns 'sent', 'failed', 'retry' or 'skipped'.

    'skipped': already sent or given up, not due yet, or being sent right now by another
    worker (its lock is held).
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = OutboxEmail.objects.due(now).filter(pk=email_id)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        row = rows.first()
        if row is None:
            return "skipped"
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=row.to,
            headers={"Message-ID": row.message_id(domain), "Content-Language": row.language},
        )
        if row.html_body:
            message.attach_alternative(row.html_body, "text/html")
        row.attempts += 1
        try:
            message.send(fail_silently=False)
        except (smtplib.SMTPException, OSError) as exc:
            row.last_error = _smtp_error_label(exc)
            if row.attempts >= MAX_ATTEMPTS:
                row.failed_at = now
                logger.error(
                    "outbox e-mail %s given up after %s attempts (%s)",
                    row.pk,
                    row.attempts,
                    row.last_error,
                )
                outcome = "failed"
            else:
                row.next_attempt_at = now + retry_delay(row.attempts)
                logger.warning(
                    "outbox e-mail %s not sent (attempt %s, %s); retry at %s",
                    row.pk,
                    row.attempts,
                    row.last_error,
                    row.next_attempt_at.isoformat(),
                )
                outcome = "retry"
            row.save(update_fields=["attempts", "last_error", "next_attempt_at", "failed_at"])
            return outcome
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "last_error", "sent_at"])
    return "sent"


def email_outbox_flush(*, now: datetime | None = None) -> dict[str, int]:
    """Send every unsent row that is due (beat, every minute); returns counts per outcome."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    due = list(
        OutboxEmail.objects.due(now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:FLUSH_BATCH]
    )
    for email_id in due:
        counts[email_send(email_id=email_id, now=now)] += 1
    return counts
