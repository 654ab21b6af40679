from django.utils import timezone

from .models import Heartbeat


def heartbeat_record() -> Heartbeat:
    """Record that beat scheduled and a worker ran a task just now (shown on /healthz)."""
    beat, _ = Heartbeat.objects.update_or_create(
        name="beat", defaults={"last_beat_at": timezone.now()}
    )
    return beat
