import re
from collections import Counter

from django.db.models import Prefetch

from rounds.models import Stage
from rounds.workflow import has_reached

from .models import BallotItem, Category, Exclusion, NegativeListReason, Proposal, Status


def proposal_for_proposer(tracking_code, phone):
    """Return the proposal with this code and phone, with its history and photos, or None."""
    return (
        Proposal.objects.select_related("round", "compound", "merged_into", "ballot_item")
        .prefetch_related("events", "photos")
        .filter(tracking_code=tracking_code, phone=phone)
        .first()
    )


def _current_exclusions(proposals):
    """Return {proposal id: [Exclusion]} from each excluded proposal's latest decision."""
    exclusions = (
        Exclusion.objects.filter(
            decision__proposal__in=[p for p in proposals if p.status == Status.EXCLUDED]
        )
        .select_related("reason", "decision")
        .order_by(
            "decision__proposal_id", "-decision__decided_at", "-decision_id", "reason__number"
        )
    )
    latest, current = {}, {}
    for exclusion in exclusions:
        proposal_id = exclusion.decision.proposal_id
        latest.setdefault(proposal_id, exclusion.decision_id)
        if exclusion.decision_id == latest[proposal_id]:
            current.setdefault(proposal_id, []).append(exclusion)
    return current


def round_public_proposals(round, *, category="", compound="", status=""):
    """Return the round's proposals for its public page, filtered, each with ``exclusions``."""
    proposals = (
        round.proposals.select_related("compound", "merged_into", "ballot_item")
        .prefetch_related("merged_from")
        .order_by("tracking_code")
    )
    if category in Category.values:
        proposals = proposals.filter(category=category)
    if re.fullmatch(r"[0-9]{1,9}", compound):
        proposals = proposals.filter(compound_id=int(compound))
    if status in Status.values:
        proposals = proposals.filter(status=status)
    proposals = list(proposals)
    exclusions = _current_exclusions(proposals)
    for proposal in proposals:
        proposal.exclusions = exclusions.get(proposal.pk, [])
    return proposals


def round_outcome_counts(round):
    """Return [(status, count)] for every status, in the order of the workflow."""
    counts = Counter(round.proposals.values_list("status", flat=True))
    return [(status, counts.get(status, 0)) for status in Status]


def round_exclusion_counts(round):
    """Return [(reason, count)] of the 七不入 reasons behind the round's current exclusions."""
    excluded = list(round.proposals.filter(status=Status.EXCLUDED))
    counts = Counter(
        exclusion.reason_id
        for found in _current_exclusions(excluded).values()
        for exclusion in found
    )
    return [(reason, counts[reason.pk]) for reason in NegativeListReason.objects.all()]


def round_ballot_library(round):
    """Return the round's ballot items with photos and source proposals, or None before voting."""
    if not has_reached(round, Stage.VOTING):
        return None
    return list(
        BallotItem.objects.filter(round=round)
        .select_related("compound")
        .prefetch_related(
            "photos",
            Prefetch(
                "proposals", queryset=Proposal.objects.prefetch_related("photos", "merged_from")
            ),
        )
    )


def public_proposal(round, tracking_code):
    """Return a proposal of ``round`` for its public page, with its history and outcome, or None.

    None also before collection opens, when no proposal of the round is public yet.
    """
    if not has_reached(round, Stage.COLLECTION):
        return None
    proposal = (
        round.proposals.select_related("compound", "merged_into", "ballot_item")
        .prefetch_related("events", "photos", "merged_from")
        .filter(tracking_code=tracking_code)
        .first()
    )
    if proposal is not None:
        proposal.exclusions = _current_exclusions([proposal]).get(proposal.pk, [])
    return proposal


def public_ballot_item(round, ref):
    """Return a ballot item of ``round`` for its public page, with photos and proposals, or None.

    None also before voting opens, when the library is not public yet.
    """
    if not has_reached(round, Stage.VOTING):
        return None
    return (
        BallotItem.objects.filter(round=round, ref=ref)
        .select_related("compound")
        .prefetch_related(
            "photos",
            Prefetch(
                "proposals",
                queryset=Proposal.objects.prefetch_related("photos", "merged_from", "events"),
            ),
        )
        .first()
    )
