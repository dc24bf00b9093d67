import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from rounds.models import Community, Round, RoundEvent, Stage
from tests.factories import id_card_number
from voting.identity import DocumentType, voter_key
from voting.models import BallotStation, CertifiedTally, StationClosure
from voting.services import ballot_cast

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


def demo_voting_station():
    return BallotStation.objects.get(round__stage=Stage.VOTING, mode=BallotStation.Mode.TABLET)


@pytest.mark.parametrize("hour", [0, 9, 23])
def test_seed_demo_tablet_station_takes_a_vote_today_at_any_hour(hour):
    call_command("seed_demo")
    station = demo_voting_station()
    now = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(hour, 30))
    )

    ballot = ballot_cast(
        station=station,
        officer=get_user_model().objects.get(username="zhanwu1"),
        relation="lives",
        voter_key=voter_key(station.round, DocumentType.ID_CARD, id_card_number(serial=999)),
        refs=["1"],
        now=now,
    )

    assert ballot.station == station


def test_seed_demo_dates_last_years_rounds_on_their_plan_not_today():
    call_command("seed_demo")
    today = timezone.localdate()
    closed = Round.objects.filter(stage=Stage.CLOSED)

    assert {round.year for round in closed} == {today.year - 1}
    for round in closed:
        planned = {p.stage: p.starts_on for p in round.planned_stages.all()}
        for event in round.events.exclude(to_stage=Stage.CLOSED):
            assert timezone.localtime(event.created_at).date() == planned[event.to_stage]
        assert timezone.localtime(round.events.last().created_at).year == today.year - 1
    closures = StationClosure.objects.filter(station__round__in=closed)
    certifications = CertifiedTally.objects.filter(round__in=closed)
    stamps = [
        *closures.values_list("closed_at", flat=True),
        *certifications.values_list("certified_at", flat=True),
    ]
    assert stamps
    assert all(timezone.localtime(stamp).year == today.year - 1 for stamp in stamps)


def test_seed_demo_rounds_of_this_year_stand_in_the_step_their_plan_gives_for_today():
    call_command("seed_demo")
    today = timezone.localdate()

    for round in Round.objects.exclude(stage=Stage.CLOSED):
        step = round.planned_stages.get(stage=round.stage)
        assert step.starts_on <= today <= step.ends_on
        assert all(
            timezone.localtime(event.created_at).date() <= today for event in round.events.all()
        )
