"""The PostgreSQL template of the migrated test database (tests/conftest.py, issue 18): a run
that migrates drops the templates of other migrations, never the copy another process is still
making under a name of its own before renaming it."""

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
