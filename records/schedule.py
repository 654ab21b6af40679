"""Periodic tasks of the records app (see cdot_privacy/periodic.py for the format)."""

from cdot_privacy.periodic import Cron, Every

PERIODIC_TASKS = [
    Every(
        name="e-mail outbox flush",
        task="records.email_outbox_flush",
        seconds=60,
        description="Sends every queued e-mail still unsent (a killed worker, a lost queue, "
        "an SMTP error), so no e-mail waits more than a minute or two.",
    ),
    Every(
        name="camera footage scan",
        task="records.camera_footage_scan",
        seconds=10 * 60,
        description="Indexes new files under CAMERA_FOOTAGE_DIR so the purge can see them.",
    ),
    Cron(
        name="camera footage orphan sweep",
        task="records.camera_footage_orphans_sweep",
        minute="40",
        hour="3",
        description="Removes footage files older than 14 days that the index never saw.",
    ),
    Cron(
        name="erasure ledger prune",
        task="records.erasure_ledger_prune",
        minute="50",
        hour="3",
        description="Removes erasure-ledger lines older than the register's erasure-ledger rule "
        "and than every kept backup (30 days).",
    ),
    Cron(
        name="api idempotency records prune",
        task="records.idempotency_records_prune",
        minute="25",
        description="Forgets stored API answers older than 24 hours.",
    ),
]
