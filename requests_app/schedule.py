"""Periodic tasks of the request workflow (see cdot_privacy/periodic.py). Crontabs are UTC."""

from cdot_privacy.periodic import Cron

PERIODIC_TASKS = [
    Cron(
        name="requests: deadline reminders",
        task="requests_app.send_deadline_reminders",
        minute="0",
        hour="6",
        description="E-mails the privacy officers and the assignee 7 and 2 days before a"
        " request is due (Art. 12(3)).",
    ),
    Cron(
        name="requests: expired download packages",
        task="requests_app.delete_expired_packages",
        minute="40",
        hour="3",
        description="Deletes access-package files whose download link has expired.",
    ),
]
