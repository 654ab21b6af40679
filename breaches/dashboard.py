"""The breaches part of the staff dashboard: client controllers still to be told (Art. 33(2))."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import BreachClientNotification


def client_notices_dashboard(now: datetime) -> dict:
    """Open breaches' affected clients not told yet, nearest agreed deadline first."""
    pending = BreachClientNotification.objects.pending().select_related("breach", "client")
    rows = sorted(
        (
            {
                "breach": notice.breach,
                "client": notice.client.name,
                "deadline": notice.deadline,
                "hours_left": notice.time_left(now).total_seconds() / 3600,
                "overdue": notice.time_left(now).total_seconds() <= 0,
                "url": reverse("admin:breaches_breach_change", args=[notice.breach_id]),
            }
            for notice in pending
        ),
        key=lambda r: r["deadline"],
    )
    return {
        "title": _("Clients to tell of a breach (Art. 33(2))"),
        "rows": rows,
        "data": {
            "total": len(rows),
            "overdue": sum(1 for r in rows if r["overdue"]),
            "tile_label": _("clients still to tell of a breach"),
        },
    }
