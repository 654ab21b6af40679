"""StatementVersion now lives in the `statement` app (its migration 0001 took the table over).

State only: the table and its rows stay; reversing gives the model back to this app's state.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_cookie_inventory"),
        ("statement", "0001_statementversion_from_registry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StatementVersion")],
            database_operations=[],
        ),
    ]
