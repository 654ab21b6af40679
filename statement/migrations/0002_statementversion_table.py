"""The moved model's table takes this app's name (registry_statementversion -> statement_...).

The content types and permissions follow, so groups keep their right to view the versions.
"""

from django.db import migrations


def content_type_to(app_label: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        old_label = "registry" if app_label == "statement" else "statement"
        old = ContentType.objects.filter(app_label=old_label, model="statementversion").first()
        if old is None:
            return
        clash = ContentType.objects.filter(app_label=app_label, model="statementversion")
        if clash.exists():  # created by a post_migrate run in between: keep the one with rights
            Permission = apps.get_model("auth", "Permission")
            Permission.objects.filter(content_type__in=clash).delete()
            clash.delete()
        old.app_label = app_label
        old.save(update_fields=["app_label"])

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("statement", "0001_statementversion_from_registry"),
        ("registry", "0005_statementversion_moved_to_statement"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelTable(name="statementversion", table=None),
        migrations.RunPython(content_type_to("statement"), content_type_to("registry")),
    ]
