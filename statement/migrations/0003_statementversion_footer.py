"""Each version stores its footer apart instead of behind a marker in the page content.

The page template now includes the stored body, announcement and footer (statement/page.html):
the spliced `html_*` columns go. Forwards, the footer is cut from behind the old marker;
backwards, the columns come back holding the body followed by the marker and the footer (the
title line above the body was rendered from the version's own fields and is not restored).
"""

from django.db import migrations, models

FOOTER_MARKER = "<!--statement:footer-->"
LANGUAGES = ("nl", "fr", "en")


def footers_from_html(apps, schema_editor):
    StatementVersion = apps.get_model("statement", "StatementVersion")
    for version in StatementVersion.objects.all():
        for lang in LANGUAGES:
            footer = getattr(version, f"html_{lang}").partition(FOOTER_MARKER)[2]
            setattr(version, f"footer_{lang}", footer.strip())
        version.save(update_fields=[f"footer_{lang}" for lang in LANGUAGES])


def html_from_parts(apps, schema_editor):
    StatementVersion = apps.get_model("statement", "StatementVersion")
    for version in StatementVersion.objects.all():
        for lang in LANGUAGES:
            html = getattr(version, f"body_{lang}") + FOOTER_MARKER + getattr(version, f"footer_{lang}")
            setattr(version, f"html_{lang}", html)
        version.save(update_fields=[f"html_{lang}" for lang in LANGUAGES])


class Migration(migrations.Migration):
    dependencies = [
        ("statement", "0002_statementversion_table"),
    ]

    operations = [
        *[
            migrations.AddField(
                model_name="statementversion",
                name=f"footer_{lang}",
                field=models.TextField(blank=True, editable=False),
            )
            for lang in LANGUAGES
        ],
        migrations.RunPython(footers_from_html, migrations.RunPython.noop),
        *[
            migrations.AlterField(
                model_name="statementversion",
                name=f"html_{lang}",
                field=models.TextField(blank=True, default="", editable=False),
            )
            for lang in LANGUAGES
        ],
        migrations.RunPython(migrations.RunPython.noop, html_from_parts),
        *[migrations.RemoveField(model_name="statementversion", name=f"html_{lang}") for lang in LANGUAGES],
    ]
