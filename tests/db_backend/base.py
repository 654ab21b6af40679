"""PostgreSQL for the test run: Django's backend, emptying the tables faster between tests.

A test that commits (transactional_db, live_server) is followed by Django's `flush`, which on
PostgreSQL is one TRUNCATE of all ~110 tables. TRUNCATE gives every table, index and TOAST
table a new file: ~1 s per flush on these machines, most of it the server's system time, and
~70 tests flush in a full run. DELETE FROM empties the same tables in ~0.1 s when they hold a
test's few rows. What stays the same: every table is emptied in one transaction (the project's
foreign keys are DEFERRABLE INITIALLY DEFERRED, checked at the commit), sequences are not reset
(TRUNCATE without RESTART IDENTITY does not reset them either), and Django's post_migrate
handlers run after it as before.

Tables that refuse DELETE (a row trigger on DELETE: the append-only audit trail,
requests_app/migrations/0002) and the tables that reference them are still truncated; a
reset of the sequences, or a non-deferrable foreign key, gets Django's own TRUNCATE.

Only the test run uses this engine (tests/conftest.py sets it when DATABASE_URL is
PostgreSQL); the app, the Celery workers and the processes the tests start use Django's.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT condeferrable"
                " AND conrelid::regclass::text = ANY(%s)",
                [list(tables)],
            )
            if cursor.fetchone()[0]:
                return super().sql_flush(style, tables, allow_cascade=allow_cascade)
            truncate = self._refusing_delete(cursor, tables)
        statements = super().sql_flush(style, sorted(truncate)) if truncate else []
        statements += [
            f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} "
            f"{style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
            if table not in truncate
        ]
        return statements

    @staticmethod
    def _refusing_delete(cursor, tables) -> set[str]:
        """The tables with a row trigger on DELETE, and those referencing them (TRUNCATE of a
        table needs the tables whose foreign keys point at it in the same statement)."""
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger"
            " WHERE NOT tgisinternal AND tgtype & 8 = 8 AND tgrelid::regclass::text = ANY(%s)",
            [list(tables)],
        )
        found = {name for (name,) in cursor.fetchall()}
        pending = set(found)
        while pending:
            cursor.execute(
                "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint"
                " WHERE contype = 'f' AND confrelid::regclass::text = ANY(%s)",
                [list(pending)],
            )
            pending = {name for (name,) in cursor.fetchall()} - found
            found |= pending
        return found & set(tables)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
