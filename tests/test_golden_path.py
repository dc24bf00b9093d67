"""The golden path: a round walks through steps 1–4 with the services people use, then on.

Each step uses the real service: the plan's comments, online and paper proposals, the 七不入
screening, the roundtable, departments' estimates, the library, a tablet and a paper station,
their closing and count, the certification; the public pages then show the certified result.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals.models import NegativeListReason, Proposal, Status
from proposals.services import (
    ballot_item_create,
    cost_estimate_record,
    proposal_screen,
    proposal_submit,
    roundtable_decide,
)
from rounds.models import Stage
from rounds.services import plan_comment_add, plan_comment_answer, round_transition
from rounds.workflow import STEPS
from tests.factories import (
    BallotStationFactory,
    DepartmentFactory,
    ProposalFactory,
    RoundFactory,
    RoundtableFactory,
    cast,
    complete_plan,
    during_opening,
    id_card_number,
    staff_user,
    station_officer,
)
from tests.notices.publicity.support import publish
from voting.identity import DocumentType, voter_key
from voting.models import Ballot, StationClosure
from voting.services import paper_count_enter, station_close, tally_certify, voter_record

pytestmark = pytest.mark.django_db

OBSERVERS = "提议人代表 王**、居民代表 李**"
COSTS = ["40000", "30000", "25000", "20000", "15000", "10000"]


class Walk:
    """One round taken through the first four steps, ``items`` projects on its ballot."""

    def __init__(self, items=3, tablet_votes=5):
        self.round = complete_plan(RoundFactory(total_fund=Decimal("75000")))
        self.staff = staff_user("community", self.round.community)
        self.items, self.tablet_votes = items, tablet_votes

    def move(self, to):
        round_transition(round=self.round, to=to, actor=self.staff)

    def publicise(self):
        """Step 5: publish the notice drafted on entering publicity; its seven days are past."""
        ended = timezone.localdate() - datetime.timedelta(days=1)
        notice = self.round.notices.get()
        publish(notice, self.staff, starts_on=ended - datetime.timedelta(days=6), ends_on=ended)

    def plan(self):
        comment = plan_comment_add(
            round=self.round, name="李建国", contact="13900001111", text="征集期能否延长？"
        )
        plan_comment_answer(comment=comment, answer="已延长到五周。", actor=self.staff)
        self.move(Stage.COLLECTION)

    def collect(self):
        compound = self.round.compounds.get()
        for index in range(self.items + 1):
            proposal_submit(
                proposal=ProposalFactory.build(round=self.round, compound=compound),
                address=f"10.0.0.{index}",
                entered_by=self.staff if index % 2 else None,
            )
        self.move(Stage.SCREENING)

    def screen(self):
        proposals = list(self.round.proposals.order_by("tracking_code"))
        excluded, *passing = proposals
        proposal_screen(
            proposal=excluded,
            actor=self.staff,
            exclusions=[(NegativeListReason.objects.get(number=2), "燃气公司负责。")],
        )
        roundtable = RoundtableFactory(round=self.round)
        department = DepartmentFactory(street=self.round.community.street)
        for order, (proposal, cost) in enumerate(zip(passing, COSTS, strict=False), start=1):
            proposal_screen(proposal=proposal, actor=self.staff)
            roundtable_decide(
                roundtable=roundtable,
                proposal=proposal,
                on_ballot=True,
                recommended_order=order,
                actor=self.staff,
            )
            cost_estimate_record(
                proposal=proposal, department=department, amount=Decimal(cost), actor=self.staff
            )
            ballot_item_create(
                round=self.round,
                proposals=[proposal],
                title=proposal.title,
                description=proposal.description,
                category=proposal.category,
                location=proposal.location,
                actor=self.staff,
            )
        self.tablet = BallotStationFactory(round=self.round, name="东区投票站")
        self.paper = BallotStationFactory(round=self.round, name="西区投票站", mode="paper")
        self.officers = {
            self.tablet: [station_officer(self.tablet)],
            self.paper: [station_officer(self.paper), station_officer(self.paper)],
        }
        self.move(Stage.VOTING)

    def vote(self):
        for voter in range(1, self.tablet_votes + 1):
            refs = ["1", "2"] if voter % 2 else ["1"]
            cast(self.tablet, self.officers[self.tablet][0], refs, voter)
        lines = []
        for voter in range(100, 104):
            voter_record(
                station=self.paper,
                officer=self.officers[self.paper][0],
                relation="works",
                voter_key=voter_key(self.round, DocumentType.ID_CARD, id_card_number(voter)),
                now=during_opening(self.paper),
            )
            lines.append({100: "2,3", 101: "3", 102: "空白", 103: "3"}[voter])
        for officer in self.officers[self.paper]:
            paper_count_enter(station=self.paper, officer=officer, lines="\n".join(lines))
        for station, officers in self.officers.items():
            station_close(
                station=station, actor=officers[0], officers=officers, observers=OBSERVERS
            )
        self.certified = tally_certify(round=self.round, actor=self.staff, observers=OBSERVERS)
        self.move(Stage.PUBLICITY)

    def steps_one_to_four(self):
        self.plan()
        self.collect()
        self.screen()
        self.vote()
        return self


def test_golden_path_walks_steps_one_to_four_with_the_real_services():
    walk = Walk().steps_one_to_four()
    round = walk.round

    assert [e.to_stage for e in round.events.all()] == STEPS[1:5]
    # 5, 4 and 3 votes; 40 000 + 30 000 fit the fund of 75 000, adding 25 000 would not
    assert walk.certified.result["selected"] == ["1", "2"]
    assert {item["ref"]: item["votes"] for item in walk.certified.result["items"]} == {
        "1": 5,
        "2": 4,
        "3": 3,
    }
    assert [c.ballots_counted for c in StationClosure.objects.order_by("station__name")] == [5, 4]
    outcomes = dict(round.proposals.values_list("ballot_item__ref", "status"))
    assert outcomes == {
        None: Status.EXCLUDED,
        "1": Status.SELECTED,
        "2": Status.SELECTED,
        "3": Status.NOT_SELECTED,
    }
    assert Ballot.objects.filter(round=round, kind=Ballot.Kind.BLANK).count() == 1


def test_golden_path_round_goes_on_to_closed_after_the_vote():
    walk = Walk().steps_one_to_four()

    walk.publicise()
    for to in [*STEPS[5:], Stage.CLOSED]:
        walk.move(to)

    walk.round.refresh_from_db()
    assert walk.round.stage == Stage.CLOSED
    assert walk.round.events.count() == len(STEPS)


def test_golden_path_results_page_shows_the_certified_result(client):
    walk = Walk().steps_one_to_four()

    page = client.get(reverse("voting:results", args=[walk.round.pk])).content.decode()

    assert "得票排序" in page
    for proposal in Proposal.objects.filter(round=walk.round, status=Status.SELECTED):
        assert proposal.title in page


PUBLIC_PAGES = [
    "rounds:home",
    "rounds:detail",
    "proposals:round_proposals",
    "proposals:library",
    "voting:results",
    "voting:results_csv",
    "voting:ballots_csv",
]


def url(name, round):
    return reverse(name) if name == "rounds:home" else reverse(name, args=[round.pk])


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_takes_as_many_queries_for_a_large_round_as_for_a_small_one(
    client, django_assert_num_queries, name
):
    small = Walk(items=2, tablet_votes=3).steps_one_to_four().round
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(name, small)).status_code == 200
    large = Walk(items=6, tablet_votes=12).steps_one_to_four().round

    with django_assert_num_queries(len(queries)):
        assert client.get(url(name, large)).status_code == 200
