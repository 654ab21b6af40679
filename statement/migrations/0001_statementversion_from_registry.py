"""StatementVersion moves from `registry` to this app, keeping its table and its rows.

Django's way to move a model between apps without copying data: the new app takes the model
into its *state* only (SeparateDatabaseAndState, no SQL), with the old table name; the old
app drops it from its state only (registry 0005); 0002 then renames the table. Every step is
reversible.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("registry", "0003_company_number_help"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StatementVersion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.PositiveIntegerField(editable=False, unique=True)),
                        ("content_hash", models.CharField(db_index=True, editable=False, help_text="sha256 of the rendered bodies.", max_length=64)),
                        ("published_at", models.DateTimeField(db_index=True, editable=False)),
                        ("trigger", models.CharField(choices=[("command", "management command"), ("schedule", "daily schedule"), ("staff", "staff action"), ("register_change", "register change")], editable=False, max_length=20)),
                        ("is_first", models.BooleanField(default=False, editable=False)),
                        ("change_summary", models.JSONField(default=dict, editable=False)),
                        ("facts", models.JSONField(default=dict, editable=False)),
                        ("render_seconds", models.FloatField(default=0, editable=False)),
                        ("html_nl", models.TextField(editable=False)),
                        ("html_fr", models.TextField(editable=False)),
                        ("html_en", models.TextField(editable=False)),
                        ("announcement_nl", models.TextField(blank=True, editable=False)),
                        ("announcement_fr", models.TextField(blank=True, editable=False)),
                        ("announcement_en", models.TextField(blank=True, editable=False)),
                        ("body_nl", models.TextField(editable=False)),
                        ("body_fr", models.TextField(editable=False)),
                        ("body_en", models.TextField(editable=False)),
                        ("pdf_nl", models.BinaryField()),
                        ("pdf_fr", models.BinaryField()),
                        ("pdf_en", models.BinaryField()),
                    ],
                    options={
                        "verbose_name": "privacy statement version",
                        "ordering": ["-number"],
                        "db_table": "registry_statementversion",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
