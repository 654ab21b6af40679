"""Since 1 January 2024 every bvba is a BV by law (Code of Companies and Associations, art.
39 of the law of 23 March 2019): a register still naming "C-DOT bvba" becomes "C-DOT BV", so
the statement, the ROPA and the e-mails name the company as it is (issue 13). Other names are
left alone; the former form stays in the organisation's internal note."""

from django.db import migrations


def company_is_a_bv(apps, schema_editor):
    Organisation = apps.get_model("registry", "Organisation")
    Organisation.objects.filter(legal_name="C-DOT bvba").update(legal_name="C-DOT BV")
    Organisation.objects.filter(legal_name="C-DOT BV", legal_form__iexact="bvba").update(
        legal_form="BV"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("statement", "0004_drafts_and_approval"),
        ("registry", "0006_organisation_statement_review_days"),
    ]

    operations = [migrations.RunPython(company_is_a_bv, migrations.RunPython.noop)]
