import pytest
from django.core.management import call_command

from rounds.models import Community, Round, RoundEvent, Stage

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_street_with_rounds_at_different_stages(capsys):
    call_command("seed_demo")

    assert Community.objects.filter(street__name="长桥街道").count() >= 4
    stages = set(Round.objects.values_list("stage", flat=True))
    assert {Stage.PLAN, Stage.COLLECTION, Stage.SCREENING, Stage.CLOSED} <= stages
    assert "weishishi-demo" in capsys.readouterr().out


def test_seed_demo_moves_rounds_through_recorded_transitions():
    call_command("seed_demo")

    closed = Round.objects.filter(stage=Stage.CLOSED).first()
    assert [e.to_stage for e in closed.events.all()][-1] == Stage.CLOSED
    assert closed.events.count() == 8


def test_seed_demo_is_safe_to_run_twice():
    call_command("seed_demo")
    counts = (Community.objects.count(), Round.objects.count(), RoundEvent.objects.count())

    call_command("seed_demo")

    assert (Community.objects.count(), Round.objects.count(), RoundEvent.objects.count()) == counts
