"""Periodic purges (see cdot_privacy/periodic.py for the format). Crontabs are UTC.

Each rule is purged once a day at a fixed time, a few minutes apart so they never overlap on
the two-core host; invoices run before the customer contacts they keep. Camera footage is
purged every hour (14 days must not become 15). The footage scan (every 10 minutes) belongs to
the records app's schedule.

Every hour the backlog of every rule is recounted (retention.services.rule_backlogs_refresh):
the dashboard and the rules page show those counts with the time they were taken.
"""

from cdot_privacy.periodic import Cron

from .targets import rule_codes

CAMERA_RULE = "camera-footage"
BACKLOG_MINUTE = "43"  # off the purges' five-minute grid and the footage purge's :07
DAILY_HOUR_UTC = "2"

PERIODIC_TASKS = [
    Cron(
        name=f"purge {code}",
        task="retention.purge_rule",
        # Five minutes apart; past the hour's 12th rule into the next hour (a crontab minute
        # is 0-59: "60 2 * * *" would never run).
        minute=str(5 * position % 60),
        hour=str(int(DAILY_HOUR_UTC) + 5 * position // 60),
        kwargs={"rule_code": code},
        description=f"Delete what retention rule '{code}' says has expired (daily, UTC).",
    )
    for position, code in enumerate(rule_codes())
    if code != CAMERA_RULE
] + [
    Cron(
        name=f"purge {CAMERA_RULE}",
        task="retention.purge_rule",
        minute="7",
        hour="*",
        kwargs={"rule_code": CAMERA_RULE},
        description="Delete camera footage older than its retention period (hourly, UTC).",
    ),
    Cron(
        name="count what each rule has waiting",
        task="retention.rule_backlogs_refresh",
        minute=BACKLOG_MINUTE,
        hour="*",
        description="Recount, per retention rule, the rows expired, held and expiring within "
        "7 and 30 days; the dashboard shows these counts (hourly, UTC).",
    ),
]
