"""Periodic tasks of the consent app (see cdot_privacy/periodic.py for the format)."""

from cdot_privacy.periodic import Every

PERIODIC_TASKS = [
    Every(
        name="cookie choices flush",
        task="consent.queue_flush",
        seconds=10,
        description="Writes the first cookie choices queued in Redis into the database, so "
        "each is stored within about 10 seconds (without Redis they are written at once).",
    ),
]
