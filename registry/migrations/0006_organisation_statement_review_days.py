import django.core.validators
from django.db import migrations, models


def field():
    return models.PositiveSmallIntegerField(
        default=7,
        help_text=(
            "A register change makes a draft of the privacy statement. A privacy officer "
            "reviews and publishes it; if nobody does, it publishes itself after this many days."
        ),
        validators=[
            django.core.validators.MinValueValidator(1),
            django.core.validators.MaxValueValidator(90),
        ],
        verbose_name="statement review delay (days)",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_statementversion_moved_to_statement"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation", name="statement_review_days", field=field()
        ),
        migrations.AddField(
            model_name="historicalorganisation", name="statement_review_days", field=field()
        ),
    ]
