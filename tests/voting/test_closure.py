"""Closing a station: counting its ballots in front of observers, and the paper ballots typed twice."""

import contextlib
import datetime
import hashlib
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.models import Relation
from rounds.models import Stage
from tests.factories import (
    SHANGHAI,
    BallotItemFactory,
    BallotStationFactory,
    RoundFactory,
    cast,
    during_opening,
    id_card_number,
    put_at,
    run_together,
    station_officer,
)
from voting import services
from voting.exceptions import VotingError
from voting.identity import DocumentType, voter_key
from voting.models import Ballot, BallotStation, StationClosure
from voting.services import (
    paper_count_enter,
    paper_library,
    parse_paper_line,
    station_close,
    voter_record,
)

pytestmark = pytest.mark.django_db

OBSERVERS = "提议人 王**\n居民代表 李**"


@pytest.fixture
def station(round):
    return BallotStationFactory(round=round, name="东区投票站")


@pytest.fixture
def officer(station):
    return station_officer(station)


@pytest.fixture
def paper(round):
    return BallotStationFactory(round=round, name="老年活动中心", mode=BallotStation.Mode.PAPER)


@pytest.fixture
def clerks(paper):
    return [station_officer(paper), station_officer(paper)]


def close(station, actor, observers=OBSERVERS, explanation=""):
    return station_close(
        station=station, actor=actor, officers=[actor], observers=observers, explanation=explanation
    )


def refusal(call, *args, **kwargs):
    with pytest.raises(VotingError) as refused:
        call(*args, **kwargs)
    return str(refused.value)


def reloaded(station):
    """Return ``station`` as the next request loads it."""
    return BallotStation.objects.get(pk=station.pk)


def paper_voters(station, clerk, count):
    for voter in range(1, count + 1):
        voter_record(
            station=station,
            officer=clerk,
            relation=Relation.LIVES,
            voter_key=voter_key(station.round, DocumentType.ID_CARD, id_card_number(voter)),
            now=during_opening(station),
        )


def typed_twice(station, clerks, lines, second_lines=None):
    first, second = clerks
    paper_count_enter(station=station, officer=first, lines=lines)
    paper_count_enter(
        station=station, officer=second, lines=lines if second_lines is None else second_lines
    )


def sha256_of_lines(*lines):
    return hashlib.sha256("".join(f"{line}\n" for line in lines).encode()).hexdigest()


def test_closing_counts_the_station_ballots(station, officer):
    for voter, refs in enumerate([["1"], ["2", "3"], ["4"]], start=1):
        cast(station, officer, refs, voter=voter)

    closure = close(station, officer)

    counts = (
        closure.voters_marked,
        closure.ballots_counted,
        closure.valid,
        closure.blank,
        closure.invalid,
    )
    assert counts == (3, 3, 3, 0, 0)
    assert closure.observers == OBSERVERS
    assert list(closure.officers.all()) == [officer]


def test_closure_digest_is_the_sha256_of_the_sorted_ballot_lines(round, station, officer):
    other = BallotStationFactory(round=round)
    cast(other, station_officer(other), ["4"], voter=9)
    for voter, refs in enumerate([["3", "1"], ["2"], ["1", "3"], ["4", "2", "1"]], start=1):
        cast(station, officer, refs, voter=voter)

    closure = close(station, officer)

    assert closure.digest == sha256_of_lines("valid:1,2,4", "valid:1,3", "valid:1,3", "valid:2")


def test_closure_digest_lists_items_in_ballot_number_order(round, station, officer):
    BallotItemFactory.create_batch(8, round=round)
    cast(station, officer, ["12", "2", "10"])

    closure = close(station, officer)

    assert closure.digest == sha256_of_lines("valid:2,10,12")


def test_closure_digest_of_paper_ballots_names_their_kinds(paper, clerks):
    paper_voters(paper, clerks[0], 4)
    typed_twice(paper, clerks, "2,1\n空白\nX\n3")

    closure = close(paper, clerks[0])

    assert closure.digest == sha256_of_lines("blank:", "invalid:", "valid:1,2", "valid:3")


def test_difference_between_voters_and_ballots_without_explanation_is_refused(paper, clerks):
    paper_voters(paper, clerks[0], 3)
    typed_twice(paper, clerks, "1\n2")

    message = refusal(close, paper, clerks[0])

    assert "登记投票3人，清点选票2张，相差-1张，请说明原因" in message
    assert not StationClosure.objects.exists()
    assert not Ballot.objects.exists()


def test_difference_between_voters_and_ballots_with_explanation_is_accepted(paper, clerks):
    paper_voters(paper, clerks[0], 3)
    typed_twice(paper, clerks, "1\n2")

    closure = close(paper, clerks[0], explanation="一位居民领票后未投入票箱")

    assert (closure.voters_marked, closure.ballots_counted, closure.difference) == (3, 2, -1)
    assert closure.explanation == "一位居民领票后未投入票箱"
    assert Ballot.objects.count() == 2


def test_closing_without_observers_is_refused(station, officer):
    cast(station, officer, ["1"])

    assert "请填写在场监票人" in refusal(close, station, officer, observers=" \n ")
    assert not StationClosure.objects.exists()


def test_closed_station_refuses_further_votes(station, officer):
    cast(station, officer, ["1"], voter=1)
    close(station, officer)

    assert "已经关闭计票" in refusal(cast, reloaded(station), officer, ["2"], voter=2)
    assert Ballot.objects.count() == 1


def test_closed_paper_station_refuses_further_voters(paper, clerks):
    paper_voters(paper, clerks[0], 1)
    typed_twice(paper, clerks, "1")
    close(paper, clerks[0])

    assert "已经关闭计票" in refusal(paper_voters, reloaded(paper), clerks[1], 2)


def test_closed_paper_station_refuses_new_typing(paper, clerks):
    paper_voters(paper, clerks[0], 1)
    typed_twice(paper, clerks, "1")
    close(paper, clerks[0])

    assert "已经关闭计票" in refusal(
        paper_count_enter, station=reloaded(paper), officer=clerks[1], lines="2"
    )


def test_station_cannot_be_closed_twice(station, officer):
    cast(station, officer, ["1"])
    close(station, officer)

    assert "已经关闭计票" in refusal(close, station, officer)
    assert StationClosure.objects.count() == 1


def test_officer_of_another_station_cannot_close_it(round, station):
    other = BallotStationFactory(round=round)

    assert "不是「东区投票站」的工作人员" in refusal(close, station, station_officer(other))


def test_station_of_a_round_not_in_voting_cannot_be_closed(round, station, officer):
    put_at(round, Stage.SCREENING)

    assert "这一步要在「居民投票" in refusal(close, station, officer)


def test_closing_one_station_leaves_the_others_open(round, station, officer):
    west = BallotStationFactory(round=round)
    close(station, officer)

    cast(west, station_officer(west), ["1"])

    assert west.ballots.count() == 1


def test_paper_station_needs_two_typings_before_closing(paper, clerks):
    paper_voters(paper, clerks[0], 1)
    paper_count_enter(station=paper, officer=clerks[0], lines="1")

    assert "需要两名工作人员分别录入" in refusal(close, paper, clerks[0])


def test_differing_typings_are_reported_by_line_number(paper, clerks):
    paper_voters(paper, clerks[0], 5)
    typed_twice(paper, clerks, "1,2\n3\n0\nX\n4", "1,2\n2\n空白\n4\n4")

    message = refusal(close, paper, clerks[0])

    assert "第2、4行不一致" in message
    assert not StationClosure.objects.exists()
    assert not Ballot.objects.exists()


def test_corrected_typing_lets_the_station_close(paper, clerks):
    paper_voters(paper, clerks[0], 2)
    typed_twice(paper, clerks, "1,2\n3", "1,2\n2")
    refusal(close, paper, clerks[0])

    paper_count_enter(station=paper, officer=clerks[1], lines="1,2\n3")
    closure = close(paper, clerks[0])

    assert closure.valid == 2
    assert paper.paper_counts.count() == 2


def test_typings_that_differ_only_in_writing_agree(paper, clerks):
    paper_voters(paper, clerks[0], 3)
    typed_twice(paper, clerks, "1,2\n3,4\nX", "2, 1\n4,3\nx")

    closure = close(paper, clerks[0])

    assert (closure.valid, closure.invalid) == (2, 1)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("2", "valid"),
        ("1,2,3", "valid"),
        (" 3 , 1 ", "valid"),
        ("空白", "blank"),
        ("0", "blank"),
        (" ０ ", "blank"),
        ("X", "invalid"),
        ("x", "invalid"),
        ("无效", "invalid"),
        ("0,1", "invalid"),
        ("9", "invalid"),
        ("1,9", "invalid"),
        ("1,2,3,4", "invalid"),
        ("2,2", "invalid"),
        ("张三", "invalid"),
    ],
)
def test_paper_line_is_counted_as_its_kind(paper, clerks, line, kind):
    paper_voters(paper, clerks[0], 2)
    typed_twice(paper, clerks, f"{line}\n1")

    close(paper, clerks[0])

    assert sorted(Ballot.objects.values_list("kind", flat=True)) == sorted(["valid", kind])


def test_paper_sheet_is_counted_into_valid_blank_and_invalid(paper, clerks):
    paper_voters(paper, clerks[0], 6)
    typed_twice(paper, clerks, "1,2\n空白\nX\n9\n1,2,3,4\n3")

    closure = close(paper, clerks[0])

    assert (closure.valid, closure.blank, closure.invalid, closure.ballots_counted) == (2, 1, 3, 6)


def test_paper_ballot_keeps_its_ticked_items(paper, clerks):
    paper_voters(paper, clerks[0], 1)
    typed_twice(paper, clerks, "3,1")

    close(paper, clerks[0])

    assert sorted(Ballot.objects.get().items.values_list("ref", flat=True)) == ["1", "3"]


def test_typings_with_a_different_number_of_ballots_disagree(paper, clerks):
    paper_voters(paper, clerks[0], 3)
    typed_twice(paper, clerks, "1\n2\n3\n", "1\n2")

    assert "第3行不一致" in refusal(close, paper, clerks[0], explanation="核对")


def test_paper_line_in_full_width_digits_is_valid(paper, clerks):
    paper_voters(paper, clerks[0], 1)
    typed_twice(paper, clerks, "\uff11\uff0c\uff13")  # "１，３" typed in full width

    assert close(paper, clerks[0]).valid == 1


def test_typing_at_a_tablet_station_is_refused(station, officer):
    assert "只有纸质投票站需要录入选票" in refusal(
        paper_count_enter, station=station, officer=officer, lines="1"
    )


def test_typing_by_an_officer_of_another_station_is_refused(round, paper):
    other = BallotStationFactory(round=round)

    message = refusal(paper_count_enter, station=paper, officer=station_officer(other), lines="1")

    assert "不是「老年活动中心」的工作人员" in message


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ballot_cast_while_the_station_closes_is_counted_or_refused(station, officer, monkeypatch):
    checked, closed = threading.Event(), threading.Event()
    real_check_choices = services.check_choices

    def check_then_wait(round, refs):
        items = real_check_choices(round, refs)
        checked.set()
        closed.wait(timeout=3)  # the officer presses 关闭 while this voter is still on the ballot
        return items

    def vote():
        with contextlib.suppress(VotingError):
            cast(reloaded(station), officer, ["1"])

    def close_now():
        try:
            checked.wait(timeout=3)
            close(reloaded(station), officer)
        finally:
            closed.set()

    monkeypatch.setattr(services, "check_choices", check_then_wait)
    run_together(vote, close_now)

    closure = StationClosure.objects.get()
    assert closure.ballots_counted == station.ballots.count()
    assert closure.voters_marked == station.voter_marks.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ballot_that_waits_for_the_closing_of_its_station_is_refused(station, officer, monkeypatch):
    counting = threading.Event()
    real_lines = services.station_ballot_lines
    outcome = []

    def count_slowly(station):
        counting.set()  # the closing holds the station's lock from here to its commit
        time.sleep(0.5)
        return real_lines(station)

    def vote():
        counting.wait(timeout=3)
        try:
            cast(reloaded(station), officer, ["1"])
            outcome.append("cast")
        except VotingError as refused:
            outcome.append(str(refused))

    monkeypatch.setattr(services, "station_ballot_lines", count_slowly)
    run_together(lambda: close(reloaded(station), officer), vote)

    assert outcome == ["「东区投票站」已经关闭计票。"]
    assert StationClosure.objects.get().ballots_counted == 0
    assert not station.ballots.exists()
    assert not station.voter_marks.exists()


def on_day(station, day):
    """Return 18:00 on ``day`` of the station's week, after the station's hours."""
    return datetime.datetime.combine(
        station.opens_on + datetime.timedelta(days=day), datetime.time(18), tzinfo=SHANGHAI
    )


def test_officer_on_duty_another_day_cannot_close_the_station_today(station):
    yesterday_only = station_officer(station, day=station.opens_on)
    cast(station, yesterday_only, ["1"])

    message = refusal(
        station_close,
        station=station,
        actor=yesterday_only,
        officers=[yesterday_only],
        observers=OBSERVERS,
        now=on_day(station, 1),
    )

    assert "您今天不是「东区投票站」的值班工作人员" in message
    assert not StationClosure.objects.exists()


def test_officer_on_duty_today_closes_the_station_after_its_hours(station):
    today_only = station_officer(station, day=station.opens_on)
    cast(station, today_only, ["1"])

    closure = station_close(
        station=station,
        actor=today_only,
        officers=[today_only],
        observers=OBSERVERS,
        now=on_day(station, 0),
    )

    assert closure.ballots_counted == 1


def test_paper_station_without_voters_closes_with_zero_ballots(paper, clerks):
    typed_twice(paper, clerks, "")

    closure = close(paper, clerks[0])

    assert (closure.voters_marked, closure.ballots_counted, closure.blank) == (0, 0, 0)
    assert not Ballot.objects.exists()
    assert closure.digest == sha256_of_lines()


@pytest.mark.parametrize("lines", ["1\n\n2", "\n1\n2", "1\n \n2"])
def test_typing_with_an_empty_line_among_the_ballots_is_refused(paper, clerks, lines):
    message = refusal(paper_count_enter, station=paper, officer=clerks[0], lines=lines)

    assert "行是空行" in message and "空白" in message
    assert not paper.paper_counts.exists()


def test_empty_lines_after_the_last_ballot_are_ignored(paper, clerks):
    paper_voters(paper, clerks[0], 2)
    typed_twice(paper, clerks, "1\n空白\n\n\n", "1\n0")

    closure = close(paper, clerks[0])

    assert (closure.ballots_counted, closure.valid, closure.blank) == (2, 1, 1)


def test_paper_station_difference_still_needs_an_explanation(paper, clerks):
    paper_voters(paper, clerks[0], 1)
    typed_twice(paper, clerks, "")

    assert "请说明原因" in refusal(close, paper, clerks[0])
    assert close(paper, clerks[0], explanation="居民领票后离开").not_voted == 0


def test_closing_a_paper_station_inserts_its_ballots_in_one_statement_each_table():
    round = put_at(RoundFactory(), Stage.VOTING)
    BallotItemFactory.create_batch(2, round=round)
    paper = BallotStationFactory(round=round, mode=BallotStation.Mode.PAPER)
    clerks = [station_officer(paper), station_officer(paper)]
    paper_voters(paper, clerks[0], 20)
    typed_twice(paper, clerks, "\n".join(["1,2"] * 20))

    with CaptureQueriesContext(connection) as queries:
        close(paper, clerks[0])

    inserts = [q["sql"].split()[2] for q in queries if q["sql"].startswith("INSERT")]
    assert inserts.count('"voting_ballot"') == 1
    assert inserts.count('"voting_ballotchoice"') == 1
    assert paper.ballots.count() == 20


@pytest.mark.parametrize("line", ["\u1369", "9" * 5000, "1;2"])
def test_paper_line_that_names_no_item_number_is_invalid(paper, clerks, line):
    paper_voters(paper, clerks[0], 2)
    typed_twice(paper, clerks, f"{line}\n1")

    closure = close(paper, clerks[0])

    assert (closure.valid, closure.invalid) == (1, 1)


def test_paper_numbers_separated_by_spaces_are_separate_items(paper):
    BallotItemFactory.create_batch(9, round=paper.round)  # item 12 exists too

    kind, items = parse_paper_line(paper.round, " 1 2 ", paper_library(paper.round))

    assert (kind, sorted(item.number for item in items)) == (Ballot.Kind.VALID, [1, 2])


@pytest.mark.parametrize("ballots", [3, 60])
def test_paper_typings_are_checked_with_one_read_of_the_library_whatever_their_length(
    client, paper, clerks, ballots, django_assert_max_num_queries
):
    """Comparing the typings and closing read the items once, not once a typed ballot."""
    paper_voters(paper, clerks[0], ballots)
    typed_twice(paper, clerks, "\n".join(["1,2", "空白", "2"] * (ballots // 3)))
    client.force_login(clerks[0])

    with django_assert_max_num_queries(12):
        assert client.get(reverse("voting:paper", args=[paper.pk])).status_code == 200
    with django_assert_max_num_queries(40):
        closure = close(paper, clerks[0])
    assert (closure.valid, closure.blank) == (ballots * 2 // 3, ballots // 3)


def test_paper_page_shows_a_typing_with_unusual_digits(client, paper, clerks):
    typed_twice(paper, clerks, "\u1369\n1")
    client.force_login(clerks[0])

    assert client.get(reverse("voting:paper", args=[paper.pk])).status_code == 200
