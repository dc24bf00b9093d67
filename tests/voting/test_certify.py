"""Certifying the tally: counts stay hidden until every station is closed, then the result is frozen."""

import hashlib
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from proposals.models import Status
from proposals.services import ballot_item_create
from rounds.exceptions import RoundTransitionError
from rounds.models import Stage, TieBreak
from rounds.services import round_transition
from tests.factories import (
    BallotStationFactory,
    ProposalFactory,
    RoundFactory,
    cast,
    complete_plan,
    put_at,
    recommended,
    staff_user,
    station_officer,
)
from voting.exceptions import VotingError
from voting.models import CertifiedTally, VoidedTally
from voting.selectors import round_ballots_csv
from voting.services import lot_record, station_close, tally_certify

pytestmark = pytest.mark.django_db

OBSERVERS = "提议人 王**、居民代表 李**"
VOTE_COUNT = re.compile(r"\d+\s*票")


@pytest.fixture
def round():
    return complete_plan(RoundFactory(total_fund=Decimal("100000"), project_cap=Decimal("50000")))


@pytest.fixture
def staff(round):
    return staff_user("community", round.community)


def on_ballot(round, staff, *costs):
    """Put one recommended proposal per cost on the ballot, open the vote; return the proposals."""
    put_at(round, Stage.SCREENING)
    proposals = []
    for order, cost in enumerate(costs, start=1):
        proposal = recommended(ProposalFactory(round=round), staff, order)
        ballot_item_create(
            round=round,
            proposals=[proposal],
            title=proposal.title,
            description=proposal.description,
            category=proposal.category,
            location=proposal.location,
            cost=Decimal(cost),
        )
        proposals.append(proposal)
    put_at(round, Stage.VOTING)
    return proposals


class Stations:
    """Two tablet stations of a round, each with an officer, and the voters' ballots."""

    def __init__(self, round):
        self.east = BallotStationFactory(round=round, name="东区投票站")
        self.west = BallotStationFactory(round=round, name="西区投票站")
        self.officers = {
            self.east: station_officer(self.east),
            self.west: station_officer(self.west),
        }

    def vote(self, *ballots):
        for voter, refs in enumerate(ballots, start=1):
            station = self.east if voter % 2 else self.west
            cast(station, self.officers[station], refs, voter=voter)

    def close(self, *stations):
        for station in stations or (self.east, self.west):
            station_close(
                station=station,
                actor=self.officers[station],
                officers=[self.officers[station]],
                observers=OBSERVERS,
            )


@pytest.fixture
def proposals(round, staff):
    return on_ballot(round, staff, "50000", "30000", "40000")


@pytest.fixture
def stations(round, proposals):
    """Ballots giving item 1 three votes, item 3 two and item 2 one: 1 and 3 fit the fund."""
    stations = Stations(round)
    stations.vote(["1", "3"], ["1", "3"], ["1"], ["2"])
    return stations


@pytest.fixture
def counted(stations):
    stations.close()
    return stations


def refusal(call, **kwargs):
    with pytest.raises(VotingError) as refused:
        call(**kwargs)
    return str(refused.value)


def certify(round, staff):
    return tally_certify(round=round, actor=staff, observers=OBSERVERS)


def public_pages(client, round):
    urls = [
        round.get_absolute_url(),
        reverse("proposals:library", args=[round.pk]),
        reverse("voting:results", args=[round.pk]),
    ]
    return [client.get(url).content.decode() for url in urls]


def test_public_pages_show_no_vote_counts_while_a_station_is_open(client, round, stations):
    stations.close(stations.east)

    pages = public_pages(client, round)

    assert not [page for page in pages if "得票排序" in page or VOTE_COUNT.search(page)]
    assert "全部投票站关闭之前" in pages[-1]


def test_results_page_shows_no_counts_when_all_stations_closed_but_not_certified(
    client, round, counted
):
    page = client.get(reverse("voting:results", args=[round.pk])).content.decode()

    assert "计票结果确认后在此公布" in page
    assert "得票排序" not in page
    assert not VOTE_COUNT.search(page)
    assert "有效" not in page


@pytest.mark.parametrize("name", ["voting:results_csv", "voting:ballots_csv", "voting:round_pb"])
def test_result_downloads_are_not_found_before_certification(client, round, counted, name):
    assert client.get(reverse(name, args=[round.pk])).status_code == 404


def test_tally_command_refuses_while_a_station_is_open(round, stations):
    stations.close(stations.east)

    with pytest.raises(CommandError, match="还有投票站没有关闭计票"):
        call_command("tally", str(round.pk))


def test_certify_is_refused_while_a_station_is_open(round, staff, proposals, stations):
    stations.close(stations.east)

    assert "还有投票站没有关闭计票：西区投票站" in refusal(certify, round=round, staff=staff)
    assert not CertifiedTally.objects.exists()
    assert {p.status for p in round.proposals.all()} == {Status.ON_BALLOT}


def test_certify_is_refused_without_observers(round, staff, counted):
    message = refusal(tally_certify, round=round, actor=staff, observers="  ")

    assert "请填写在场监票人" in message
    assert not CertifiedTally.objects.exists()


def test_certify_is_refused_without_any_station(round, staff, proposals):
    assert "本轮没有投票站" in refusal(certify, round=round, staff=staff)


def test_certify_twice_is_refused(round, staff, counted):
    certify(round, staff)

    assert "已经确认" in refusal(certify, round=round, staff=staff)
    assert CertifiedTally.objects.count() == 1


def test_round_cannot_move_to_publicity_while_a_station_is_open(round, staff, stations):
    stations.close(stations.east)

    with pytest.raises(RoundTransitionError, match="还有投票站没有关闭计票：西区投票站"):
        round_transition(round=round, to=Stage.PUBLICITY, actor=staff)
    round.refresh_from_db()
    assert round.stage == Stage.VOTING


def test_round_cannot_move_to_publicity_before_certification(round, staff, counted):
    with pytest.raises(RoundTransitionError, match="计票结果还没有确认"):
        round_transition(round=round, to=Stage.PUBLICITY, actor=staff)
    round.refresh_from_db()
    assert round.stage == Stage.VOTING


def test_round_moves_to_publicity_after_certification(round, staff, counted):
    certify(round, staff)

    round_transition(round=round, to=Stage.PUBLICITY, actor=staff)

    round.refresh_from_db()
    assert round.stage == Stage.PUBLICITY


def test_certified_result_funds_down_the_ranking_within_the_fund(round, staff, counted):
    result = certify(round, staff).result

    assert result["selected"] == ["1", "3"]
    assert {item["ref"]: item["votes"] for item in result["items"]} == {"1": 3, "2": 1, "3": 2}


def test_certification_gives_each_proposal_on_the_ballot_its_outcome(
    round, staff, proposals, counted
):
    certify(round, staff)

    statuses = [proposal.status for proposal in round.proposals.order_by("ballot_item__number")]
    assert statuses == [Status.SELECTED, Status.NOT_SELECTED, Status.SELECTED]


def test_results_page_shows_the_counts_after_certification(
    client, round, staff, proposals, counted
):
    certify(round, staff)

    page = client.get(reverse("voting:results", args=[round.pk])).content.decode()

    assert "得票排序" in page
    assert proposals[0].title in page


def test_downloaded_ballots_after_the_bom_hash_to_the_certified_digest(
    client, round, staff, counted
):
    tally = certify(round, staff)

    download = client.get(reverse("voting:ballots_csv", args=[round.pk]))

    assert download.content.startswith(b"\xef\xbb\xbf")
    assert hashlib.sha256(download.content[3:]).hexdigest() == tally.inputs_digest


def test_ballots_digest_does_not_depend_on_the_language_of_certification(round, staff, counted):
    with translation.override("en"):
        tally = certify(round, staff)

    assert tally.inputs_digest == hashlib.sha256(round_ballots_csv(round).encode()).hexdigest()
    assert round_ballots_csv(round).startswith(",".join(["投票站", "类型", "项目\n"]))


@pytest.fixture
def tied(round, staff):
    """Items 1 and 2 cost the same and get two votes each; the fund pays for only one."""
    round.total_fund = Decimal("60000")
    round.tie_break = TieBreak.LOT
    round.save()
    proposals = on_ballot(round, staff, "50000", "50000")
    stations = Stations(round)
    stations.vote(["1"], ["2"], ["1"], ["2"])
    stations.close()
    return proposals


def test_decisive_tie_under_the_lot_rule_refuses_certification(round, staff, tied):
    message = refusal(certify, round=round, staff=staff)

    assert "抽签" in message
    assert "1、2" in message
    assert not CertifiedTally.objects.exists()


def test_decisive_tie_is_settled_by_the_recorded_lot(round, staff, tied):
    lot_record(round=round, order=["2", "1"], witnesses="居民代表 张**、监督员 赵**", actor=staff)

    tally = certify(round, staff)

    assert tally.result["selected"] == ["2"]
    statuses = [proposal.status for proposal in round.proposals.order_by("ballot_item__number")]
    assert statuses == [Status.NOT_SELECTED, Status.SELECTED]


def test_decisive_tie_under_the_order_rule_needs_no_lot(round, staff, tied):
    round.tie_break = TieBreak.ORDER
    round.save()

    assert certify(round, staff).result["selected"] == ["1"]


def test_tie_that_decides_nothing_needs_no_lot(round, staff, tied):
    round.total_fund = Decimal("100000")
    round.save()

    assert certify(round, staff).result["selected"] == ["1", "2"]


def test_lot_without_witnesses_is_refused(round, staff, tied):
    assert "见证人" in refusal(
        lot_record, round=round, order=["2", "1"], witnesses=" ", actor=staff
    )


def test_lot_naming_an_item_not_on_the_ballot_is_refused(round, staff, tied):
    with pytest.raises(VotingError):
        lot_record(round=round, order=["2", "9"], witnesses="居民代表 张**", actor=staff)


@pytest.fixture
def reopened(round, staff, superuser, counted):
    """Certify, publish, then reopen the round back to voting with a reason."""
    certify(round, staff)
    round_transition(round=round, to=Stage.PUBLICITY, actor=staff)
    round_transition(round=round, to=Stage.VOTING, actor=superuser, note="西区投票站漏计两张选票")
    return round


def test_reopen_past_the_certification_voids_it_with_the_reason(round, superuser, reopened):
    voided = VoidedTally.objects.get(round=round)

    assert not CertifiedTally.objects.filter(round=round).exists()
    assert (voided.reason, voided.voided_by, voided.result["selected"]) == (
        "西区投票站漏计两张选票",
        superuser,
        ["1", "3"],
    )


def test_reopen_past_the_certification_puts_the_proposals_back_on_the_ballot(
    round, superuser, reopened
):
    assert {p.status for p in round.proposals.all()} == {Status.ON_BALLOT}
    last_events = [p.events.last() for p in round.proposals.all()]
    assert {(e.from_status, e.actor) for e in last_events} == {
        (Status.SELECTED, superuser),
        (Status.NOT_SELECTED, superuser),
    }


def test_after_a_void_the_round_cannot_go_forward_until_certified_again(
    round, staff, reopened
):
    with pytest.raises(RoundTransitionError, match="计票结果还没有确认"):
        round_transition(round=round, to=Stage.PUBLICITY, actor=staff)

    certify(round, staff)
    round_transition(round=round, to=Stage.PUBLICITY, actor=staff)

    round.refresh_from_db()
    assert round.stage == Stage.PUBLICITY
    statuses = [proposal.status for proposal in round.proposals.order_by("ballot_item__number")]
    assert statuses == [Status.SELECTED, Status.NOT_SELECTED, Status.SELECTED]


def test_results_page_shows_the_voided_tally_as_voided(client, round, reopened):
    page = client.get(reverse("voting:results", args=[round.pk])).content.decode()

    assert "已作废的计票结果" in page
    assert "西区投票站漏计两张选票" in page
    assert "得票排序" not in page


def test_admin_lists_the_voided_tally_read_only(client, round, superuser, reopened):
    client.force_login(superuser)
    voided = VoidedTally.objects.get(round=round)

    listing = client.get(reverse("admin:voting_voidedtally_changelist")).content.decode()
    change = client.post(
        reverse("admin:voting_voidedtally_change", args=[voided.pk]), {"reason": "改写"}
    )

    assert "西区投票站漏计两张选票" in listing
    assert change.status_code == 403
    assert client.get(reverse("admin:voting_voidedtally_add")).status_code == 403
    voided.refresh_from_db()
    assert voided.reason == "西区投票站漏计两张选票"


def test_reopen_back_to_screening_is_refused_once_anyone_has_voted(round, superuser, stations):
    with pytest.raises(RoundTransitionError, match="已有居民投票"):
        round_transition(round=round, to=Stage.SCREENING, actor=superuser, note="项目库有误")

    round.refresh_from_db()
    assert round.stage == Stage.VOTING


def test_results_page_links_each_item_to_its_public_page(client, round, staff, counted):
    certify(round, staff)

    page = client.get(reverse("voting:results", args=[round.pk])).content.decode()

    for ref in ["1", "2", "3"]:
        assert reverse("proposals:ballot_item", args=[round.pk, ref]) in page
