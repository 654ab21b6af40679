"""The transactional e-mail outbox (issue 19, finding 6).

Every e-mail to a data subject or to staff is first a row here, written in the same database
transaction as the change it reports (records/outbox.py ``email_enqueue``). A Celery task sends
it after the commit; a beat task every minute sends what is still unsent (a killed worker, a
lost Redis, an SMTP error). ``sent_at`` marks a row sent, and the row is locked while it is
being sent, so two workers never send it twice.

The row holds personal data (the address, and the text, which names the person or the
request): it is deleted by the purge once the register's rule ``email-outbox`` has passed
after sending (or after sending was given up).
"""

from datetime import datetime
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEmailQuerySet(models.QuerySet):
    def unsent(self) -> "OutboxEmailQuerySet":
        return self.filter(sent_at__isnull=True, failed_at__isnull=True)

    def due(self, now: datetime) -> "OutboxEmailQuerySet":
        """Unsent rows whose next attempt is at or before ``now``."""
        return self.unsent().filter(next_attempt_at__lte=now)

    def expired(self, now: datetime, rule, *, ignore_holds: bool = False) -> "OutboxEmailQuerySet":
        """Rows sent (or given up) at or before ``rule.cutoff(now)``. No hold applies: the
        e-mail itself is not evidence (the request's audit trail is)."""
        cutoff = rule.cutoff(now)
        return self.filter(Q(sent_at__lte=cutoff) | Q(failed_at__lte=cutoff))


class OutboxEmail(models.Model):
    """One e-mail to send, sent, or given up."""

    retention_rule_code: ClassVar[str] = "email-outbox"
    retention_rule_codes: ClassVar[tuple[str, ...]] = ("email-outbox",)
    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ("to", "subject", "body", "html_body")

    to = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML text"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # The error's class and SMTP code only: a server's message may quote the address.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True, db_index=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="records_outbox_unsent",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def message_id(self, domain: str) -> str:
        """A Message-ID fixed per row: were a row ever sent twice (a crash between the SMTP
        server's answer and the commit), the receiving side sees the same message."""
        return f"<outbox-{self.pk}-{int(self.created_at.timestamp())}@{domain}>"
