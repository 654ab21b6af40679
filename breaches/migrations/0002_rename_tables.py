# Second half of the move from cdot_privacy: give the tables this app's names and move the
# content types (so the groups' breach permissions and the admin log follow the model).

from django.db import migrations

MODELS = (
    "breach",
    "historicalbreach",
    "historicalbreach_activities",
    "historicalbreach_data_categories",
    "historicalbreach_subject_categories",
)


def content_types_follow(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label=new, model=model).exists():
            continue
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="cdot_privacy", new="breaches")


def backwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="breaches", new="cdot_privacy")


class Migration(migrations.Migration):

    dependencies = [
        ("breaches", "0001_initial"),
        ("cdot_privacy", "0003_breach_register_moved_to_breaches"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="breach", table=None),
        migrations.AlterModelTable(name="historicalbreach", table=None),
        migrations.AlterModelTable(name="historicalbreach_activities", table=None),
        migrations.AlterModelTable(name="historicalbreach_data_categories", table=None),
        migrations.AlterModelTable(name="historicalbreach_subject_categories", table=None),
        migrations.RunPython(forwards, backwards),
    ]
