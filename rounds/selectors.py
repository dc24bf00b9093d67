from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch

from .models import Community, Round, Stage
from .workflow import STEPS


@dataclass
class TimelineStep:
    number: int
    stage: Stage
    status: str  # "done", "current" or "upcoming"
    planned_start: object = None
    planned_end: object = None
    entered_at: object = None
    events: list = field(default_factory=list)


def round_timeline(round):
    """Return the eight steps of ``round`` with planned dates, actual moves and status."""
    planned = {p.stage: p for p in round.planned_stages.all()}
    events = list(round.events.select_related("actor"))
    current = STEPS.index(round.stage) if round.stage in STEPS else len(STEPS)
    steps = []
    for index, stage in enumerate(STEPS):
        entries = [e for e in events if e.to_stage == stage]
        plan = planned.get(stage)
        steps.append(
            TimelineStep(
                number=index + 1,
                stage=stage,
                status="done" if index < current else "current" if index == current else "upcoming",
                planned_start=plan.starts_on if plan else None,
                planned_end=plan.ends_on if plan else None,
                entered_at=entries[-1].created_at if entries else None,
                events=entries,
            )
        )
    return steps


def rounds_by_street():
    """Return [(street, [(community, [rounds])])] for every community that has a round."""
    communities = (
        Community.objects.filter(rounds__isnull=False)
        .distinct()
        .select_related("street__district")
        .prefetch_related(Prefetch("rounds", queryset=Round.objects.order_by("-year")))
        .order_by("street__district__name", "street__name", "name")
    )
    return [
        (street, [(community, list(community.rounds.all())) for community in group])
        for street, group in groupby(communities, key=lambda c: c.street)
    ]
