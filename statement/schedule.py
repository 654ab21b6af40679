"""Periodic tasks of the statement (see cdot_privacy/periodic.py for the format)."""

from cdot_privacy.periodic import Cron

PERIODIC_TASKS = [
    Cron(
        name="statement publish",
        task="statement.publish",
        minute="10",
        hour="3",
        description=(
            "Daily: re-render the privacy statement from the register; a new version is "
            "stored only when its content changed (register changes also publish within a minute)."
        ),
        kwargs={"trigger": "schedule"},
    ),
]
