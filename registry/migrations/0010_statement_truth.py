"""What the statement needs to stay true (issue 13): a recipient's country may be unknown
(empty: the statement then names none, a register hint asks for it), and a review rule says
how often it is reviewed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_dpia_screening_cameras"),
    ]

    operations = [
        *[
            migrations.AlterField(
                model_name=model,
                name="country",
                field=models.CharField(
                    blank=True,
                    help_text=(
                        "Where the recipient processes the data (ISO code, e.g. BE). Left "
                        "empty, the statement names no country and a register hint asks for it."
                    ),
                    max_length=2,
                    verbose_name="country",
                ),
            )
            for model in ("recipient", "historicalrecipient")
        ],
        *[
            migrations.AddField(
                model_name=model,
                name="review_every_months",
                field=models.PositiveSmallIntegerField(
                    blank=True,
                    help_text=(
                        "For a rule whose action is review: how often staff review the data; "
                        "the statement says so, with the criterion as how they decide."
                    ),
                    null=True,
                    verbose_name="reviewed every (months)",
                ),
            )
            for model in ("retentionrule", "historicalretentionrule")
        ],
    ]
