"""The breach register moved out of `cdot_privacy` into the `breaches` app (issue 16): an existing
installation keeps its breaches, the content type and the groups' breach permissions.

cdot_privacy.0002_breach_register created the tables; breaches.0001_initial and
cdot_privacy.0003_breach_register_moved_to_breaches move the model in the migration state only;
breaches.0002_rename_tables renames the tables and moves the content type.
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from breaches.models import Breach

# Each test rebuilds part of the schema twice.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE_THE_MOVE = [("cdot_privacy", "0002_breach_register"), ("breaches", None)]


def _migrate(targets):
    """Migrate to `targets`; the project state (its historical models) there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets)


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move():
    """The database as an installation had it before the move; back to the latest after."""
    ContentType.objects.get_for_model(Breach)  # as post_migrate left it on that installation
    state = _migrate(BEFORE_THE_MOVE)
    try:
        yield state.apps
    finally:
        _migrate(_latest())
        ContentType.objects.clear_cache()


def test_a_breach_its_content_type_and_a_group_permission_follow_the_move(before_the_move):
    old_apps = before_the_move
    OldBreach = old_apps.get_model("cdot_privacy", "Breach")
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    OldPermission = old_apps.get_model("auth", "Permission")
    OldGroup = old_apps.get_model("auth", "Group")
    assert "cdot_privacy_breach" in connection.introspection.table_names()
    assert "breaches_breach" not in connection.introspection.table_names()
    old = OldBreach.objects.create(
        title="Laptop stolen from a car",
        discovered_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        facts="A staff laptop with an encrypted disk was stolen.",
        risk="unlikely",
    )
    content_type = OldContentType.objects.get(app_label="cdot_privacy", model="breach")
    permission = OldPermission.objects.get(content_type=content_type, codename="change_breach")
    officers = OldGroup.objects.create(name="breach officers (before the move)")
    officers.permissions.add(permission)

    _migrate(_latest())
    ContentType.objects.clear_cache()

    breach = Breach.objects.get(pk=old.pk)
    assert (breach.title, breach.risk) == ("Laptop stolen from a car", "unlikely")
    assert breach.discovered_at == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    assert ContentType.objects.get_for_model(Breach).pk == content_type.pk
    assert not ContentType.objects.filter(app_label="cdot_privacy", model="breach").exists()
    moved = Group.objects.get(pk=officers.pk).permissions.get()
    assert (moved.content_type.app_label, moved.codename) == ("breaches", "change_breach")
    assert "cdot_privacy_breach" not in connection.introspection.table_names()
