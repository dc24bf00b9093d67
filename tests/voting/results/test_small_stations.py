"""Stations with fewer than ten voters: no figure of theirs is published on its own, anywhere."""

import hashlib

import pytest
from django.urls import reverse

from tests.factories import BallotStationFactory, cast, station_officer
from tests.voting.test_certify import OBSERVERS, certify, on_ballot
from voting.selectors import merged_stations
from voting.services import station_close

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    ("counts", "merged"),
    [
        ([(1, 40, 40), (2, 30, 30)], set()),
        ([(1, 5, 5), (2, 6, 7), (3, 40, 40)], {1, 2}),
        ([(1, 5, 5), (2, 40, 40), (3, 30, 30)], {1, 3}),  # one small: the smallest other joins
        ([(1, 3, 3), (2, 4, 4), (3, 40, 40)], {1, 2, 3}),  # 7 voters: every station, totals only
        ([(1, 12, 9), (2, 40, 40), (3, 30, 30)], {1, 3}),  # nine ballots are too few as well
        ([(1, 5, 5), (2, 12, 12)], {1, 2}),
    ],
)
def test_merged_stations_hold_every_small_station_and_at_least_two_and_ten_voters(counts, merged):
    assert merged_stations(counts) == merged


class Voting:
    """Stations of a round with this many voters each; every voter ticks item 1."""

    def __init__(self, round, **voters):
        self.stations = {}
        voter = 0
        for name, count in voters.items():
            station = BallotStationFactory(round=round, name=name)
            officer = station_officer(station)
            for _ in range(count):
                voter += 1
                cast(station, officer, ["1"], voter=voter)
            station_close(station=station, actor=officer, officers=[officer], observers=OBSERVERS)
            self.stations[name] = station


@pytest.fixture
def certified(round, staff):
    """东区 12 voters, 西区 11, 北区 3: 北区 is small and 西区, the smallest other, joins it."""
    on_ballot(round, staff, "50000", "30000")
    voting = Voting(round, 东区投票站=12, 西区投票站=11, 北区投票站=3)
    return voting, certify(round, staff)


def results_page(client, round):
    return client.get(reverse("voting:results", args=[round.pk])).content.decode()


def test_results_page_shows_small_stations_only_in_the_merged_line(client, round, certified):
    page = results_page(client, round)

    assert "投票人数：12" in page
    assert "投票人数：14 · 有效 14 · 空白 0 · 无效 0" in page
    assert "投票人数：11" not in page
    assert "投票人数：3" not in page
    assert "合并统计" in page
    assert page.count("计入「合并统计」") == 2


def test_results_page_hides_digest_of_merged_stations(client, round, certified):
    voting, _tally = certified

    page = results_page(client, round)

    assert voting.stations["东区投票站"].closure.digest in page
    assert voting.stations["西区投票站"].closure.digest not in page
    assert voting.stations["北区投票站"].closure.digest not in page


def test_results_page_shows_no_station_turnout_before_every_station_is_closed(client, round, staff):
    on_ballot(round, staff, "50000")
    Voting(round, 东区投票站=12)
    BallotStationFactory(round=round, name="西区投票站")

    page = results_page(client, round)

    assert "投票人数：" not in page


def test_ballots_csv_lists_merged_stations_ballots_under_the_merged_line(client, round, certified):
    _voting, tally = certified

    content = client.get(reverse("voting:ballots_csv", args=[round.pk])).content
    text = content.decode("utf-8-sig")

    assert "北区投票站" not in text
    assert "西区投票站" not in text
    assert text.count(",".join(["合并统计", "有效", "1\n"])) == 14
    assert text.count(",".join(["东区投票站", "有效", "1\n"])) == 12
    assert hashlib.sha256(content.removeprefix(BOM)).hexdigest() == tally.inputs_digest


def test_pb_file_names_no_station(client, round, certified):
    text = client.get(reverse("voting:round_pb", args=[round.pk])).content.decode()

    assert "投票站" not in text
