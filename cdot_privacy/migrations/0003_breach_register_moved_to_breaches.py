# The breach register moved to the `breaches` app (Django's documented way to move a model
# between apps: SeparateDatabaseAndState). State only here: the tables are kept, and
# breaches.0002 renames them; no row is lost.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cdot_privacy", "0002_breach_register"),
        ("breaches", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalBreach_activities"),
                migrations.DeleteModel(name="HistoricalBreach_data_categories"),
                migrations.DeleteModel(name="HistoricalBreach_subject_categories"),
                migrations.DeleteModel(name="HistoricalBreach"),
                migrations.DeleteModel(name="Breach"),
            ],
            database_operations=[],
        ),
    ]
