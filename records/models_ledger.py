"""What ``manage.py replay_erasures`` did after a restore (records/ledger.py): counts only."""

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasureReplay(models.Model):
    """One replay of the erasure ledger: when, and how many rows it erased, minimised,
    withdrew, opted out or suppressed again (Art. 5(2): the controller can show it did)."""

    PERSONAL_FIELDS: ClassVar[tuple[str, ...]] = ()

    at = models.DateTimeField(_("at"), default=timezone.now)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("erasure replay after a restore")
        verbose_name_plural = _("erasure replays after a restore")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"#{self.pk}"
