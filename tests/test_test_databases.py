"""The PostgreSQL template of the migrated test database (tests/conftest.py, issue 18): a run
that migrates drops the templates of other migrations, never the copy another process is still
making under a name of its own before renaming it; and the flush between committing tests
(tests/db_backend) empties every table."""

import pytest
from django.db import connection

from tests.conftest import _TEMPLATE_PREFIX, _other_templates


def test_only_templates_of_other_migrations_are_dropped_not_a_copy_in_progress():
    current = f"{_TEMPLATE_PREFIX}f630d412b84d61c4"
    older = f"{_TEMPLATE_PREFIX}0123456789abcdef"
    names = [
        current,
        older,
        f"{current}_p4242",  # another worker's copy of this template, renamed when done
        f"{older}_p17",  # a copy a killed process left: not a template
        "test_cdot_privacy_gw0",
        "postgres",
    ]
    assert _other_templates(names, current) == [older]


# --- Emptying the tables between committing tests on PostgreSQL (tests/db_backend) -----------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_flush_empties_every_table_the_audit_trail_by_truncate_the_rest_by_delete():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.management.color import no_style

    from requests_app.models import AuditEntry, DataSubjectRequest
    from tests.db_backend.base import DatabaseOperations

    assert isinstance(connection.ops, DatabaseOperations)
    staff = get_user_model().objects.create_user("officer", password="x" * 20)
    request = DataSubjectRequest.objects.create(
        type=DataSubjectRequest.Type.ACCESS, name="Jan Peeters", email="jan@example.be"
    )
    AuditEntry.objects.create(
        action=AuditEntry.Action.RECEIVED, request=request, actor=staff, actor_label="officer"
    )
    tables = connection.introspection.django_table_names(only_existing=True)
    statements = connection.ops.sql_flush(no_style(), tables)
    truncated = [s for s in statements if s.startswith("TRUNCATE")]
    # The append-only trail refuses DELETE (its trigger): truncated, with nothing else but the
    # tables that point at it; every other table is emptied by a DELETE of its own.
    assert len(truncated) == 1 and '"requests_app_auditentry"' in truncated[0]
    assert '"requests_app_datasubjectrequest"' not in truncated[0]
    deleted = {s.split()[2].strip('";') for s in statements if s.startswith("DELETE FROM")}
    assert deleted | {"requests_app_auditentry"} >= set(tables)

    # As Django's TransactionTestCase flushes (the command's own default resets the sequences,
    # which takes Django's TRUNCATE).
    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True
    )

    with connection.cursor() as cursor:
        filled = []
        for table in tables:
            name = connection.ops.quote_name(table)  # Django's own tables
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")  # noqa: S608
            if cursor.fetchone()[0]:
                filled.append(table)
    assert filled == []
