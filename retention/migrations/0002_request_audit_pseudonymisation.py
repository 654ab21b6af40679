"""Issue 13: the request audit trail stays append-only, except for exactly one update.

When a closed request is deleted at the end of its retention period (rule
`data-subject-request`), records_delete pseudonymises its audit entries before deleting the
request: request_id, actor_id -> NULL, actor_label -> '', details -> {"reference": <the
request's reference>}. Action, time and every other column stay. The PostgreSQL trigger of
requests_app migration 0002 is replaced by one that allows that update and nothing else;
DELETE stays refused. (Here, in the retention engine that performs it, so the requests
app's own migrations are not touched.)
"""

from django.db import migrations

ALLOW_PSEUDONYMISATION = """
CREATE OR REPLACE FUNCTION requests_app_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.request_id IS NOT NULL
       AND NEW.request_id IS NULL
       AND NEW.actor_id IS NULL
       AND NEW.actor_label = ''
       AND NEW.details::jsonb = jsonb_build_object(
           'reference',
           (SELECT reference FROM requests_app_datasubjectrequest WHERE id = OLD.request_id))
       AND (to_jsonb(NEW) - 'request_id' - 'actor_id' - 'actor_label' - 'details')
         = (to_jsonb(OLD) - 'request_id' - 'actor_id' - 'actor_label' - 'details')
    THEN
        RETURN NEW;  -- the pseudonymisation of an entry whose request is being deleted
    END IF;
    RAISE EXCEPTION 'requests_app_auditentry is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION requests_app_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'requests_app_auditentry is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_PSEUDONYMISATION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_initial"),
        ("requests_app", "0002_audit_append_only_trigger"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
