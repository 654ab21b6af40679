"""Periodic tasks of the statement (see cdot_privacy/periodic.py for the format)."""

from cdot_privacy.periodic import Cron

PERIODIC_TASKS = [
    Cron(
        name="statement draft",
        task="statement.draft",
        minute="10",
        hour="3",
        description=(
            "Daily: render the privacy statement from the register into a draft for review "
            "when it differs from the published version (register changes also do so within "
            "a minute)."
        ),
        kwargs={"trigger": "schedule"},
    ),
    Cron(
        name="statement publish due drafts",
        task="statement.publish_due",
        minute="20",
        description=(
            "Hourly: publish a statement draft nobody approved once the review delay the "
            "register sets has passed."
        ),
    ),
]
