"""Step 3 services: 七不入 screening, merging, the roundtable, cost estimates, the project library."""

from decimal import Decimal

import pytest

from proposals.exceptions import ProposalError
from proposals.models import (
    BallotItem,
    CostEstimate,
    NegativeListReason,
    RoundtableOutcome,
    ScreeningDecision,
    Status,
)
from proposals.services import (
    ballot_item_create,
    cost_estimate_record,
    proposal_screen,
    proposals_merge,
    roundtable_decide,
)
from rounds.models import Stage
from tests.factories import (
    DepartmentFactory,
    ProposalFactory,
    RoundFactory,
    RoundtableFactory,
    complete_plan,
    put_at,
    recommended,
    screened_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(round):
    return put_at(round, Stage.SCREENING)


@pytest.fixture
def proposal(round):
    return ProposalFactory(round=round)


@pytest.fixture
def roundtable(round):
    return RoundtableFactory(round=round)


@pytest.fixture
def department(round):
    return DepartmentFactory(street=round.community.street)


def reason(number):
    return NegativeListReason.objects.get(number=number)


def item_for(proposals, **kwargs):
    return ballot_item_create(
        round=proposals[0].round,
        proposals=proposals,
        title=kwargs.pop("title", "加装休闲座椅"),
        description="在中心花园加装六张座椅",
        category="construction",
        location="中心花园",
        **kwargs,
    )


def test_negative_list_holds_the_seven_reasons():
    titles = list(NegativeListReason.objects.values_list("title", flat=True))

    assert len(titles) == 7
    assert titles[1] == "有其他责任主体（如电力、燃气公司）"
    assert titles[6] == "明显超出预算限额"


def test_screening_without_a_reason_passes_the_proposal(proposal, staff):
    decision = proposal_screen(proposal=proposal, actor=staff)

    proposal.refresh_from_db()
    assert proposal.status == Status.SCREENED_IN
    assert decision.passed and decision.decided_by == staff
    assert proposal.events.last().status == Status.SCREENED_IN


def test_screening_with_reasons_excludes_with_a_public_note(proposal, staff):
    decision = proposal_screen(
        proposal=proposal,
        actor=staff,
        exclusions=[(reason(2), "由燃气公司负责"), (reason(7), "估算约20万元")],
    )

    proposal.refresh_from_db()
    assert proposal.status == Status.EXCLUDED
    assert not decision.passed
    assert "有其他责任主体（如电力、燃气公司）：由燃气公司负责" in proposal.public_note
    assert "明显超出预算限额：估算约20万元" in proposal.public_note
    assert sorted(e.reason.number for e in decision.exclusions.all()) == [2, 7]


def test_later_screening_decision_is_a_new_record_beside_the_first(proposal, staff):
    first = proposal_screen(proposal=proposal, actor=staff, exclusions=[(reason(6), "场地太窄")])
    second = proposal_screen(proposal=proposal, actor=staff)

    proposal.refresh_from_db()
    assert list(ScreeningDecision.objects.filter(proposal=proposal)) == [first, second]
    assert first.exclusions.get().note == "场地太窄"
    assert proposal.status == Status.SCREENED_IN
    assert proposal.public_note == ""


@pytest.mark.parametrize("stage", [Stage.COLLECTION, Stage.VOTING])
def test_screening_outside_the_screening_stage_is_refused(round, proposal, staff, stage):
    put_at(round, stage)

    with pytest.raises(ProposalError, match="这一步要在「民主协商"):
        proposal_screen(proposal=proposal, actor=staff)

    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert not ScreeningDecision.objects.exists()


def test_exclusion_reason_without_a_note_is_refused(proposal, staff):
    with pytest.raises(ProposalError, match="每一条排除理由都要写明说明"):
        proposal_screen(proposal=proposal, actor=staff, exclusions=[(reason(1), "  ")])

    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert not ScreeningDecision.objects.exists()


def test_merge_marks_the_sources_merged_into_the_target(round, staff):
    target, first, second = ProposalFactory.create_batch(3, round=round)
    screened_in(target, staff)

    proposals_merge(into=target, sources=[first, second], actor=staff)

    for source in (first, second):
        source.refresh_from_db()
        assert (source.status, source.merged_into) == (Status.MERGED, target)
        assert source.public_note == f"与 {target.tracking_code}「{target.title}」合并"
    target.refresh_from_db()
    assert (target.status, target.merged_into) == (Status.SCREENED_IN, None)
    assert set(target.merged_from.all()) == {first, second}


def test_merge_across_rounds_is_refused(round, proposal, staff):
    stranger = ProposalFactory(round=put_at(complete_plan(RoundFactory()), Stage.SCREENING))

    with pytest.raises(ProposalError, match="只能合并同一轮次的提议"):
        proposals_merge(into=proposal, sources=[stranger], actor=staff)

    stranger.refresh_from_db()
    assert (stranger.status, stranger.merged_into) == (Status.SUBMITTED, None)


def test_merge_of_an_excluded_proposal_is_refused(round, proposal, staff):
    excluded = ProposalFactory(round=round)
    proposal_screen(proposal=excluded, actor=staff, exclusions=[(reason(3), "占用消防通道")])

    with pytest.raises(ProposalError, match="不能合并"):
        proposals_merge(into=proposal, sources=[excluded], actor=staff)

    excluded.refresh_from_db()
    assert (excluded.status, excluded.merged_into) == (Status.EXCLUDED, None)


def test_roundtable_recommends_a_proposal_in_order(proposal, roundtable, staff):
    screened_in(proposal, staff)

    outcome = roundtable_decide(
        roundtable=roundtable, proposal=proposal, on_ballot=True, recommended_order=2
    )

    proposal.refresh_from_db()
    assert (outcome.on_ballot, outcome.recommended_order) == (True, 2)
    assert proposal.status == Status.SCREENED_IN


def test_roundtable_keeps_a_proposal_off_the_ballot_with_a_public_reason(
    proposal, roundtable, staff
):
    screened_in(proposal, staff)

    roundtable_decide(
        roundtable=roundtable,
        proposal=proposal,
        on_ballot=False,
        reason="与3号提议重复，并入下一年度",
    )

    proposal.refresh_from_db()
    assert proposal.status == Status.NOT_ON_BALLOT
    assert proposal.public_note == "与3号提议重复，并入下一年度"


def test_roundtable_keeping_a_proposal_off_without_a_reason_is_refused(proposal, roundtable, staff):
    screened_in(proposal, staff)

    with pytest.raises(ProposalError, match="未入库的提议要写明理由"):
        roundtable_decide(roundtable=roundtable, proposal=proposal, on_ballot=False, reason=" ")

    proposal.refresh_from_db()
    assert proposal.status == Status.SCREENED_IN
    assert not RoundtableOutcome.objects.exists()


def test_roundtable_recommending_without_an_order_is_refused(proposal, roundtable, staff):
    screened_in(proposal, staff)

    with pytest.raises(ProposalError, match="推荐入库的提议要填写推荐顺序"):
        roundtable_decide(roundtable=roundtable, proposal=proposal, on_ballot=True)

    assert not RoundtableOutcome.objects.exists()


def test_roundtable_cannot_decide_an_unscreened_proposal(proposal, roundtable):
    with pytest.raises(ProposalError, match="须先通过七不入筛选"):
        roundtable_decide(
            roundtable=roundtable, proposal=proposal, on_ballot=True, recommended_order=1
        )


def test_cost_estimate_above_the_project_cap_is_refused(proposal, department, staff):
    with pytest.raises(ProposalError) as refusal:
        cost_estimate_record(
            proposal=proposal, department=department, amount=Decimal("50000.01"), actor=staff
        )

    assert "超过了本轮单个项目预算限额 50,000 元" in str(refusal.value)
    assert not CostEstimate.objects.exists()


def test_cost_estimate_within_the_project_cap_is_recorded(proposal, department, staff):
    estimate = cost_estimate_record(
        proposal=proposal,
        department=department,
        amount=Decimal("48000"),
        actor=staff,
        note="含人工",
    )

    assert list(proposal.estimates.all()) == [estimate]
    assert (estimate.amount, estimate.department, estimate.estimated_by) == (
        Decimal("48000"),
        department,
        staff,
    )


def test_ballot_item_takes_a_recommended_proposal(round, proposal, staff):
    recommended(proposal, staff)

    item = item_for([proposal], cost=Decimal("30000"))

    proposal.refresh_from_db()
    assert (proposal.status, proposal.ballot_item) == (Status.ON_BALLOT, item)
    assert proposal.events.last().note == "列入项目库第1号"


@pytest.mark.parametrize("how_far", ["submitted", "screened in only", "kept off by roundtable"])
def test_ballot_item_refuses_a_proposal_not_recommended_by_the_roundtable(
    round, proposal, roundtable, staff, how_far
):
    if how_far != "submitted":
        screened_in(proposal, staff)
    if how_far == "kept off by roundtable":
        roundtable_decide(roundtable=roundtable, proposal=proposal, on_ballot=False, reason="暂缓")

    with pytest.raises(
        ProposalError, match=f"提议 {proposal.tracking_code} 没有经邻里圆桌会推荐入库"
    ):
        item_for([proposal], cost=Decimal("30000"))

    assert not BallotItem.objects.exists()
    proposal.refresh_from_db()
    assert proposal.ballot_item is None


def test_ballot_item_cost_defaults_to_the_latest_estimate(round, proposal, department, staff):
    recommended(proposal, staff)
    for amount in ("30000", "28500"):
        cost_estimate_record(
            proposal=proposal, department=department, amount=Decimal(amount), actor=staff
        )

    item = item_for([proposal])

    assert item.cost == Decimal("28500")


def test_ballot_item_from_several_proposals_puts_each_on_the_ballot(round, staff):
    proposals = [recommended(ProposalFactory(round=round), staff, order=n) for n in (1, 2)]

    item = item_for(proposals, cost=Decimal("30000"))

    assert {p.pk for p in item.proposals.all()} == {p.pk for p in proposals}
    assert set(item.proposals.values_list("status", flat=True)) == {Status.ON_BALLOT}


def test_ballot_items_are_numbered_one_two_three(round, staff):
    for order in (1, 2, 3):
        item_for([recommended(ProposalFactory(round=round), staff, order)], title=f"项目{order}")

    assert list(round.ballot_items.values_list("number", "title")) == [
        (1, "项目1"),
        (2, "项目2"),
        (3, "项目3"),
    ]


def test_ballot_item_above_the_project_cap_is_refused(round, proposal, staff):
    recommended(proposal, staff)

    with pytest.raises(ProposalError, match="超过了本轮单个项目预算限额"):
        item_for([proposal], cost=Decimal("60000"))

    assert not BallotItem.objects.exists()
