"""PostgreSQL for the test run: Django's backend, emptying the tables faster between tests.

A test that commits (transactional_db, live_server) is followed by Django's `flush`, which on
PostgreSQL is one TRUNCATE of all ~110 tables. TRUNCATE gives every table, index and TOAST
table a new file: ~1 s per flush on these machines, most of it the server's system time, and
~70 tests flush in a full run. DELETE FROM empties the same tables in ~0.1 s when they hold a
test's few rows. What stays the same: every table is emptied in one transaction (the project's
foreign keys are DEFERRABLE INITIALLY DEFERRED, checked at the commit), sequences are not reset
(TRUNCATE without RESTART IDENTITY does not reset them either), and Django's post_migrate
handlers run after it as before.

Tables where DELETE may refuse or keep rows (a trigger on DELETE: the append-only audit trail,
requests_app/migrations/0002; a rule on DELETE; row-level security) and the tables that
reference them are still truncated. A reset of the sequences, a cascade (`available_apps`), or
a foreign key checked at once gets Django's own TRUNCATE of every table.

Only the test run uses this engine (tests/conftest.py sets it when DATABASE_URL is
PostgreSQL); the app, the Celery workers and the processes the tests start use Django's.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        with self.connection.cursor() as cursor:
            # A key checked at once (not INITIALLY DEFERRED, or ON DELETE RESTRICT) would fail
            # on the first parent row deleted before its children.
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
                " AND (NOT condeferred OR confdeltype = 'r')"
                " AND conrelid::regclass::text = ANY(%s)",
                [list(tables)],
            )
            if cursor.fetchone()[0]:
                return super().sql_flush(style, tables)
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
        """The tables where DELETE may refuse or keep rows: a trigger on DELETE, a rule on
        DELETE, row-level security; and the tables referencing them (TRUNCATE of a table needs
        the tables whose foreign keys point at it in the same statement)."""
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger"
            " WHERE NOT tgisinternal AND tgtype & 8 = 8 AND tgrelid::regclass::text = ANY(%s)"
            " UNION SELECT ev_class::regclass::text FROM pg_rewrite"
            " WHERE ev_type = '4' AND ev_class::regclass::text = ANY(%s)"
            " UNION SELECT oid::regclass::text FROM pg_class"
            " WHERE relrowsecurity AND oid::regclass::text = ANY(%s)",
            [list(tables)] * 3,
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
