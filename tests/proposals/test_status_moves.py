"""Proposal statuses move only along the transition table, and every move records who made it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals.exceptions import ProposalError
from proposals.models import Proposal, ProposalEvent, Status
from proposals.services import _set_status, proposal_screen, proposal_submit, proposals_record_vote
from proposals.workflow import STATUS_TRANSITIONS
from rounds.models import Stage
from tests.factories import BallotItemFactory, ProposalFactory, put_at

pytestmark = pytest.mark.django_db

LEGAL_MOVES = [(from_, to) for from_, targets in STATUS_TRANSITIONS.items() for to in targets]
ILLEGAL_MOVES = [
    (from_, to) for from_ in Status for to in Status if to not in STATUS_TRANSITIONS[from_]
]


BALLOT_STATUSES = {Status.ON_BALLOT, Status.SELECTED, Status.NOT_SELECTED}


def fit_for(proposal, status):
    """Give ``proposal`` what the database asks of a proposal at ``status``; return it."""
    if status == Status.MERGED and proposal.merged_into is None:
        proposal.merged_into = ProposalFactory(round=proposal.round)
    if status in BALLOT_STATUSES and proposal.ballot_item is None:
        proposal.ballot_item = BallotItemFactory(round=proposal.round)
    if status not in BALLOT_STATUSES:
        proposal.ballot_item = None
    return proposal


def proposal_at(round, status):
    proposal = fit_for(ProposalFactory.build(round=round, status=status), status)
    proposal.save()
    return proposal


def test_the_table_names_every_status():
    assert set(STATUS_TRANSITIONS) == set(Status)


@pytest.mark.parametrize(("from_", "to"), ILLEGAL_MOVES)
def test_each_illegal_status_move_is_refused_and_changes_nothing(round, staff, from_, to):
    proposal = proposal_at(round, from_)

    with pytest.raises(ProposalError) as refusal:
        _set_status(proposal, to, actor=staff)

    assert Proposal.objects.get(pk=proposal.pk).status == from_
    assert not proposal.events.exists()
    assert str(Status(from_).label) in str(refusal.value)
    assert str(Status(to).label) in str(refusal.value)


@pytest.mark.parametrize(("from_", "to"), LEGAL_MOVES)
def test_each_legal_status_move_records_an_event_with_the_actor(round, staff, from_, to):
    proposal = fit_for(proposal_at(round, from_), to)

    _set_status(proposal, to, actor=staff, note="说明")

    assert Proposal.objects.get(pk=proposal.pk).status == to
    event = proposal.events.get()
    assert (event.from_status, event.status, event.actor, event.note) == (
        from_,
        to,
        staff,
        "说明",
    )


def test_online_submission_is_recorded_without_an_actor(round, compound):
    proposal = proposal_submit(proposal=ProposalFactory.build(round=round, compound=compound))

    event = proposal.events.get()
    assert (event.from_status, event.status, event.actor) == ("", Status.SUBMITTED, None)


def test_paper_proposal_typed_in_by_staff_is_recorded_with_them(round, compound, staff):
    proposal = proposal_submit(
        proposal=ProposalFactory.build(round=round, compound=compound), entered_by=staff
    )

    assert proposal.events.get().actor == staff


def test_screening_records_the_staff_member_who_screened(round, staff):
    proposal = ProposalFactory(round=round)
    put_at(round, Stage.SCREENING)

    proposal_screen(proposal=proposal, actor=staff)

    event = proposal.events.get()
    assert (event.from_status, event.status, event.actor) == (
        Status.SUBMITTED,
        Status.SCREENED_IN,
        staff,
    )


def on_ballot(round, count):
    for _ in range(count):
        proposal_at(round, Status.ON_BALLOT)


def queries_to_record_the_vote(round, staff):
    with CaptureQueriesContext(connection) as queries:
        proposals_record_vote(round=round, selected_refs={"1"}, actor=staff)
    return len(queries)


def test_recording_the_vote_takes_as_many_queries_for_many_proposals_as_for_few(staff):
    few, many = ProposalFactory().round, ProposalFactory().round
    on_ballot(few, 2)
    on_ballot(many, 12)

    assert queries_to_record_the_vote(few, staff) == queries_to_record_the_vote(many, staff)
    assert ProposalEvent.objects.filter(proposal__round=many, actor=staff).count() == 12
    selected = many.proposals.filter(status=Status.SELECTED)
    assert list(selected.values_list("ballot_item__ref", flat=True)) == ["1"]
