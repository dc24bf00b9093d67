import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def stamp_from_the_last_move(apps, schema_editor):
    """A round entered its stage at its last recorded move, or when it was made."""
    Round = apps.get_model("rounds", "Round")
    RoundEvent = apps.get_model("rounds", "RoundEvent")
    last_move = RoundEvent.objects.filter(round=OuterRef("pk")).order_by("-created_at")
    Round.objects.update(
        stage_since=Coalesce(Subquery(last_move.values("created_at")[:1]), "created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rounds", "0002_tie_break_listed"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="stage_since",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="进入当前阶段的时间",
            ),
        ),
        migrations.RunPython(stamp_from_the_last_move, migrations.RunPython.noop),
    ]
