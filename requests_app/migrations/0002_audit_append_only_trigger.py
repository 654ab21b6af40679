"""On PostgreSQL the audit trail refuses UPDATE and DELETE in the database itself, so not even
raw SQL or a shell session can rewrite it (the model and the admin refuse it too).
TRUNCATE (test database teardown) is a different statement and not affected."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION requests_app_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'requests_app_auditentry is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER requests_app_auditentry_append_only
    BEFORE UPDATE OR DELETE ON requests_app_auditentry
    FOR EACH ROW EXECUTE FUNCTION requests_app_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS requests_app_auditentry_append_only ON requests_app_auditentry;
DROP FUNCTION IF EXISTS requests_app_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
