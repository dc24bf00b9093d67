"""Every proposal ends in one outcome: the move to voting checks it, the database enforces it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from proposals.models import NegativeListReason, Proposal, Status
from proposals.services import (
    ballot_item_create,
    cost_estimate_record,
    proposal_screen,
    proposals_merge,
    roundtable_decide,
)
from rounds.exceptions import RoundTransitionError
from rounds.models import Stage
from rounds.services import round_transition
from tests.factories import (
    DepartmentFactory,
    ProposalFactory,
    RoundtableFactory,
    put_at,
    ready_library,
    recommended,
    screened_in,
    staffed_station,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(round):
    return put_at(round, Stage.SCREENING)


def refusal_to_vote(round, staff):
    """Return the refusal of the move to voting, checking that the round did not move."""
    with pytest.raises(RoundTransitionError) as refusal:
        round_transition(round=round, to=Stage.VOTING, actor=staff)
    round.refresh_from_db()
    assert round.stage == Stage.SCREENING
    assert not round.events.exists()
    return str(refusal.value)


def item_for(proposals, cost=None):
    return ballot_item_create(
        round=proposals[0].round,
        proposals=proposals,
        title="加装休闲座椅",
        description="在中心花园加装六张座椅",
        category="construction",
        location="中心花园",
        cost=cost,
    )


def test_voting_is_refused_while_the_library_is_empty(round, staff):
    assert "项目库为空" in refusal_to_vote(round, staff)


def test_voting_is_refused_naming_the_proposals_without_an_outcome(round, staff):
    ready_library(round)
    waiting = ProposalFactory(round=round)
    passed = screened_in(ProposalFactory(round=round), staff)

    message = refusal_to_vote(round, staff)

    assert "还有2条提议没有结果" in message
    assert waiting.tracking_code in message and passed.tracking_code in message


def test_voting_is_refused_naming_the_ballot_items_without_a_cost(round, staff):
    item = item_for([recommended(ProposalFactory(round=round), staff)])

    message = refusal_to_vote(round, staff)

    assert item.cost is None
    assert "以下项目库条目还没有预算" in message
    assert "1. 加装休闲座椅" in message


def test_voting_opens_once_every_proposal_is_settled(round, staff):
    on_ballot = recommended(ProposalFactory(round=round), staff)
    merged = ProposalFactory(round=round)
    proposals_merge(into=on_ballot, sources=[merged], actor=staff)
    excluded = ProposalFactory(round=round)
    proposal_screen(
        proposal=excluded,
        actor=staff,
        exclusions=[(NegativeListReason.objects.get(number=1), "属于个人诉求")],
    )
    kept_off = screened_in(ProposalFactory(round=round), staff)
    roundtable_decide(
        roundtable=RoundtableFactory(round=round),
        proposal=kept_off,
        on_ballot=False,
        reason="场地不足",
    )
    cost_estimate_record(
        proposal=on_ballot,
        department=DepartmentFactory(street=round.community.street),
        amount=Decimal("30000"),
        actor=staff,
    )
    item_for([on_ballot])
    staffed_station(round)

    round_transition(round=round, to=Stage.VOTING, actor=staff)

    round.refresh_from_db()
    assert round.stage == Stage.VOTING


def test_database_refuses_merged_without_a_target():
    proposal = ProposalFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(status=Status.MERGED)

    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_database_refuses_a_merge_target_on_an_unmerged_proposal():
    proposal, other = ProposalFactory.create_batch(2)

    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(merged_into=other)


@pytest.mark.parametrize("status", [Status.ON_BALLOT, Status.SELECTED, Status.NOT_SELECTED])
def test_database_refuses_a_ballot_outcome_without_a_ballot_item(status):
    proposal = ProposalFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(status=status)

    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
