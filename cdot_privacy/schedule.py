"""Periodic tasks of the operations app (see cdot_privacy/periodic.py for the format)."""

from .periodic import Every

PERIODIC_TASKS = [
    Every(
        name="heartbeat",
        task="cdot_privacy.heartbeat",
        seconds=60,
        description="Proves beat and a worker are alive; read by /healthz.",
    ),
]
