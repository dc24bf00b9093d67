from django.db import migrations, models


class Migration(migrations.Migration):
    """A roundtable outcome without its order or reason is explained in Chinese, not by name."""

    dependencies = [("proposals", "0004_status_lookup_throttle")]

    operations = [
        migrations.AlterConstraint(
            model_name="roundtableoutcome",
            name="roundtable_outcome_order_or_reason",
            constraint=models.CheckConstraint(
                condition=models.Q(("on_ballot", True), ("recommended_order__isnull", False))
                | models.Q(("on_ballot", False), ~models.Q(("reason", ""))),
                name="roundtable_outcome_order_or_reason",
                violation_error_message="推荐入库的提议要填写推荐顺序；未入库的提议要写明理由。",
            ),
        ),
    ]
