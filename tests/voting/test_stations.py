"""Ballot stations: who may record votes where and when, one vote per person, and the ballot rule."""

import datetime
import threading
from functools import partial

import pytest

from proposals.models import Relation
from rounds.models import Stage
from tests.factories import (
    BallotItemFactory,
    BallotStationFactory,
    CommunityFactory,
    RoundFactory,
    cast,
    id_card_number,
    local_time,
    put_at,
    run_together,
    station_officer,
)
from voting.exceptions import VotingError
from voting.identity import DocumentType, voter_key
from voting.models import Ballot, BallotChoice, BallotStation, VoterMark
from voting.services import ballot_cast, voter_record

pytestmark = pytest.mark.django_db

OPEN = local_time(2026, 6, 2, 10, 0)  # a Tuesday morning of the voting week


@pytest.fixture
def east(round):
    return BallotStationFactory(round=round, name="东区投票站")


@pytest.fixture
def west(round):
    return BallotStationFactory(round=round, name="西区投票站")


@pytest.fixture
def paper(round):
    return BallotStationFactory(round=round, name="老年活动中心", mode=BallotStation.Mode.PAPER)


@pytest.fixture
def officer(east):
    return station_officer(east)


def refusal(call, **kwargs):
    with pytest.raises(VotingError) as refused:
        call(**kwargs)
    return str(refused.value)


def cast_refusal(station, officer, refs=("1",), voter=1, now=OPEN):
    return refusal(cast, station=station, officer=officer, refs=refs, voter=voter, now=now)


def record_paper_voter(station, officer, voter=1, now=OPEN):
    key = voter_key(station.round, DocumentType.ID_CARD, id_card_number(voter))
    return voter_record(
        station=station, officer=officer, relation=Relation.STUDIES, voter_key=key, now=now
    )


def nothing_recorded():
    return not (
        VoterMark.objects.exists() or Ballot.objects.exists() or BallotChoice.objects.exists()
    )


def test_officer_on_duty_casts_a_ballot_with_its_choices(east, officer):
    ballot = cast(east, officer, ["3", "1"], now=OPEN)

    assert sorted(ballot.items.values_list("ref", flat=True)) == ["1", "3"]
    assert ballot.station == east
    mark = VoterMark.objects.get()
    assert (mark.station, mark.day, mark.relation) == (
        east,
        datetime.date(2026, 6, 2),
        Relation.LIVES,
    )


def test_officer_of_another_station_is_refused(east, west):
    stranger = station_officer(west)

    assert "您不是「东区投票站」的工作人员" in cast_refusal(east, stranger)
    assert nothing_recorded()


def test_officer_on_duty_one_day_is_refused_on_another_day(east):
    wednesday_only = station_officer(east, day=datetime.date(2026, 6, 3))

    assert "值班工作人员" in cast_refusal(east, wednesday_only, now=local_time(2026, 6, 2, 10, 0))
    assert nothing_recorded()


def test_officer_on_duty_one_day_may_act_on_that_day(east):
    wednesday_only = station_officer(east, day=datetime.date(2026, 6, 3))

    cast(east, wednesday_only, ["1"], now=local_time(2026, 6, 3, 10, 0))

    assert Ballot.objects.count() == 1


@pytest.mark.parametrize("day", range(1, 8))
def test_officer_on_duty_every_day_may_act_on_each_open_day(east, officer, day):
    cast(east, officer, ["2"], now=local_time(2026, 6, day, 9, 0))

    assert VoterMark.objects.get().day == datetime.date(2026, 6, day)


@pytest.mark.parametrize(
    "now",
    [
        local_time(2026, 5, 31, 10, 0),
        local_time(2026, 6, 8, 10, 0),
        local_time(2026, 6, 1, 8, 59),
        local_time(2026, 6, 4, 17, 0),
        local_time(2026, 6, 7, 23, 30),
    ],
    ids=["day-before", "day-after", "before-hours", "at-closing", "night"],
)
def test_station_outside_its_days_and_hours_is_refused(east, officer, now):
    message = cast_refusal(east, officer, now=now)

    assert "现在不开放" in message
    assert "2026-06-01 至 2026-06-07，每天 09:00–17:00" in message
    assert nothing_recorded()


def test_station_is_open_until_the_minute_before_closing(east, officer):
    cast(east, officer, ["1"], now=local_time(2026, 6, 7, 16, 59))

    assert Ballot.objects.count() == 1


def test_opening_hours_are_read_on_the_community_clock(east, officer):
    utc = datetime.UTC
    cast(east, officer, ["1"], voter=1, now=datetime.datetime(2026, 6, 1, 1, 30, tzinfo=utc))

    message = cast_refusal(
        east, officer, voter=2, now=datetime.datetime(2026, 6, 1, 9, 30, tzinfo=utc)
    )

    assert "现在不开放" in message
    assert Ballot.objects.count() == 1


def test_voter_mark_records_the_local_day(round):
    early = BallotStationFactory(
        round=round, opens_at=datetime.time(7), closes_at=datetime.time(20)
    )
    officer = station_officer(early)

    cast(early, officer, ["1"], now=datetime.datetime(2026, 6, 1, 23, 30, tzinfo=datetime.UTC))

    assert VoterMark.objects.get().day == datetime.date(2026, 6, 2)


@pytest.mark.parametrize("stage", [Stage.SCREENING, Stage.PUBLICITY])
def test_round_not_in_voting_refuses_votes(round, east, officer, stage):
    put_at(round, stage)

    assert "这一步要在「居民投票" in cast_refusal(east, officer)
    assert nothing_recorded()


def test_paper_station_refuses_a_tablet_ballot(paper):
    assert "纸质投票站不能在平板上投票" in cast_refusal(paper, station_officer(paper))
    assert nothing_recorded()


def test_tablet_station_refuses_a_paper_voter(east, officer):
    message = refusal(record_paper_voter, station=east, officer=officer)

    assert "在提交选票时一并登记" in message
    assert nothing_recorded()


def test_paper_station_records_the_voter_and_no_ballot(paper):
    mark = record_paper_voter(paper, station_officer(paper))

    assert (mark.station, mark.day, mark.relation) == (
        paper,
        datetime.date(2026, 6, 2),
        Relation.STUDIES,
    )
    assert not Ballot.objects.exists()


def test_paper_station_refuses_an_officer_off_duty(paper):
    message = refusal(
        record_paper_voter,
        station=paper,
        officer=station_officer(paper),
        now=local_time(2026, 6, 2, 18, 0),
    )

    assert "现在不开放" in message
    assert nothing_recorded()


def test_same_document_at_another_station_is_refused(east, west, officer):
    cast(east, officer, ["1", "2"], voter=1, now=OPEN)

    message = cast_refusal(west, station_officer(west), refs=["3"], voter=1)

    assert "已经投过票" in message
    assert VoterMark.objects.get().station == east
    assert Ballot.objects.get().station == east
    assert BallotChoice.objects.count() == 2


def test_same_document_at_the_same_station_later_is_refused(east, officer):
    cast(east, officer, ["1"], voter=1, now=OPEN)

    assert "已经投过票" in cast_refusal(east, officer, voter=1, now=local_time(2026, 6, 6, 15, 0))
    assert Ballot.objects.count() == 1


def test_same_person_written_differently_is_refused(round, east, west, officer):
    def vote(station, officer, number):
        return ballot_cast(
            station=station,
            officer=officer,
            relation=Relation.LIVES,
            voter_key=voter_key(round, DocumentType.ID_CARD, number),
            refs=["1"],
            now=OPEN,
        )

    vote(east, officer, "11010519491231002X")

    message = refusal(
        vote, station=west, officer=station_officer(west), number="110105 19491231 002x"
    )

    assert "已经投过票" in message
    assert Ballot.objects.count() == 1


def test_paper_voter_cannot_vote_again_on_a_tablet(east, officer, paper):
    record_paper_voter(paper, station_officer(paper), voter=5)

    assert "已经投过票" in cast_refusal(east, officer, voter=5)
    assert not Ballot.objects.exists()
    assert VoterMark.objects.get().station == paper


def test_tablet_voter_cannot_take_a_paper_ballot_too(east, officer, paper):
    cast(east, officer, ["1"], voter=5, now=OPEN)

    message = refusal(record_paper_voter, station=paper, officer=station_officer(paper), voter=5)

    assert "已经投过票" in message
    assert VoterMark.objects.get().station == east


def test_paper_voter_cannot_take_a_second_paper_ballot(paper):
    clerk = station_officer(paper)
    record_paper_voter(paper, clerk, voter=5)

    assert "已经投过票" in refusal(record_paper_voter, station=paper, officer=clerk, voter=5)
    assert VoterMark.objects.count() == 1


def test_same_document_may_vote_in_another_community_round(east, officer):
    other_round = put_at(RoundFactory(community=CommunityFactory()), Stage.VOTING)
    BallotItemFactory(round=other_round)
    other = BallotStationFactory(round=other_round)
    cast(east, officer, ["1"], voter=1, now=OPEN)

    cast(other, station_officer(other), ["1"], voter=1, now=OPEN)

    assert VoterMark.objects.count() == 2


def test_ballot_without_any_item_is_refused(east, officer):
    assert "请至少选择1个项目" in cast_refusal(east, officer, refs=[])
    assert nothing_recorded()


def test_ballot_with_more_items_than_allowed_is_refused(east, officer):
    assert "最多选择3个项目，您选择了4个" in cast_refusal(east, officer, refs=["1", "2", "3", "4"])
    assert nothing_recorded()


@pytest.mark.parametrize("refs", [["4"], ["1", "4"], ["1", "2", "3"]])
def test_ballot_with_one_to_max_items_is_accepted(east, officer, refs):
    ballot = cast(east, officer, refs, now=OPEN)

    assert sorted(ballot.items.values_list("ref", flat=True)) == refs


def test_max_choices_comes_from_the_round(round, east, officer):
    round.max_choices = 1
    round.save()

    assert "最多选择1个项目，您选择了2个" in cast_refusal(east, officer, refs=["1", "2"])


def test_item_of_another_round_is_refused(east, officer):
    other_round = RoundFactory(community=CommunityFactory())
    BallotItemFactory.create_batch(5, round=other_round)

    assert "不属于本轮项目库" in cast_refusal(east, officer, refs=["1", "5"])
    assert nothing_recorded()


def test_refused_ballot_leaves_the_voter_free_to_vote(east, officer):
    cast_refusal(east, officer, refs=["1", "2", "3", "4"], voter=3)

    cast(east, officer, ["1", "2"], voter=3, now=OPEN)

    assert Ballot.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_documents_at_two_stations_at_once_vote_once_each(east, west):
    officers = {east.pk: station_officer(east), west.pk: station_officer(west)}
    voters = range(1, 7)
    attempts = [(station.pk, voter) for voter in voters for station in (east, west)]
    start = threading.Barrier(len(attempts))
    outcomes = []

    def vote(station_pk, voter):
        try:
            station = BallotStation.objects.select_related("round").get(pk=station_pk)
            start.wait()
            cast(station, officers[station_pk], ["1", "2"], voter=voter, now=OPEN)
            outcomes.append("voted")
        except VotingError as refused:
            outcomes.append(str(refused))

    run_together(*(partial(vote, *attempt) for attempt in attempts))

    assert outcomes.count("voted") == len(voters)
    assert all("已经投过票" in outcome for outcome in outcomes if outcome != "voted")
    assert VoterMark.objects.count() == len(voters)
    assert Ballot.objects.count() == len(voters)
    assert BallotChoice.objects.count() == 2 * len(voters)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_document_on_a_tablet_and_at_a_paper_desk_at_once_votes_once(east, paper):
    tablet_officer, paper_officer = station_officer(east), station_officer(paper)
    start = threading.Barrier(2)
    outcomes = []

    def attempt(call, **kwargs):
        try:
            start.wait()
            call(**kwargs)
            outcomes.append("voted")
        except VotingError as refused:
            outcomes.append(str(refused))

    tablet = {"station": east, "officer": tablet_officer, "refs": ["1"], "voter": 9, "now": OPEN}
    desk = {"station": paper, "officer": paper_officer, "voter": 9}
    run_together(partial(attempt, cast, **tablet), partial(attempt, record_paper_voter, **desk))

    assert outcomes.count("voted") == 1
    assert any("已经投过票" in outcome for outcome in outcomes)
    mark = VoterMark.objects.get()
    tablet_won = 1 if mark.station == east else 0
    assert Ballot.objects.count() == BallotChoice.objects.count() == tablet_won
