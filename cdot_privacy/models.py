from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """The last time the beat-scheduled heartbeat task ran on a worker (one row)."""

    name = models.CharField(max_length=50, unique=True, default="beat")
    last_beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_beat_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def age_seconds(cls, *, now=None) -> float | None:
        """Seconds since the last beat, or None when none was ever recorded."""
        beat = cls.objects.filter(name="beat").only("last_beat_at").first()
        if beat is None:
            return None
        return ((now or timezone.now()) - beat.last_beat_at).total_seconds()
