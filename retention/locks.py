"""One purge per retention rule at a time.

PostgreSQL: a session-level advisory lock, ``pg_try_advisory_lock(namespace, hashtext(code))``,
taken on the connection that runs the purge and released in ``finally``. A process that dies
(SIGKILL, OOM) loses its connection and with it the lock, so the next run gets the lock and
knows that every PurgeRun of that rule still marked "running" belongs to a dead process.

SQLite (the embedded single-machine run): there are no advisory locks. The lock is a lease on
the PurgeRun row itself: a run may start when no other run of the rule is "running" with
progress in the last ``PurgeRun.STALE_AFTER``; the check and the insert happen in one
IMMEDIATE transaction (settings.py), which SQLite serialises. A running run updates
``progress_at`` after every batch. Batches stay correct without the lock either way: each one
re-selects expired rows inside its own write transaction, so no row is deleted twice.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# "PRGE": the first key of the two-int advisory lock, so our locks never meet anyone else's.
ADVISORY_NAMESPACE = 0x50524745


def advisory_locks_available() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def rule_lock(rule_code: str) -> Iterator[bool]:
    """Try to take the purge lock of one rule; yields whether it was taken (never waits).

    On SQLite this yields True: the PurgeRun lease decides (see the module docstring).
    """
    if not advisory_locks_available():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_lock(%s, hashtext(%s))", [ADVISORY_NAMESPACE, rule_code]
        )
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, hashtext(%s))", [ADVISORY_NAMESPACE, rule_code]
                )
