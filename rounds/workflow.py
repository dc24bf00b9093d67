"""The eight-step workflow of a round: the transition table and the guards on each move.

A guard looks at a round and returns the reason the round may not enter a stage yet, or
None. Apps add their own guards with ``@guard(Stage.X)`` (e.g. the ballot library must
not be empty before voting); ``round_transition`` runs them all.
"""

from collections import defaultdict

from django.utils.translation import gettext as _

from .models import Stage
from .wording import listing

TRANSITIONS = {
    Stage.PLAN: Stage.COLLECTION,
    Stage.COLLECTION: Stage.SCREENING,
    Stage.SCREENING: Stage.VOTING,
    Stage.VOTING: Stage.PUBLICITY,
    Stage.PUBLICITY: Stage.REPLIES,
    Stage.REPLIES: Stage.IMPLEMENTATION,
    Stage.IMPLEMENTATION: Stage.EVALUATION,
    Stage.EVALUATION: Stage.CLOSED,
}
PREVIOUS = {to: from_ for from_, to in TRANSITIONS.items()}
STEPS = list(TRANSITIONS)  # the eight steps, in order; CLOSED is not a step

GUARDS = defaultdict(list)


class Refusal(str):
    """A guard's reason, with what must be fixed: ``fixes`` lists (label, admin URL) pairs.

    It is a string, so callers that only show the reason need not know about the links.
    """

    def __new__(cls, reason, fixes=()):
        refusal = super().__new__(cls, reason)
        refusal.fixes = list(fixes)
        return refusal


def guard(stage):
    """Register a function that may refuse to let a round enter ``stage``."""

    def register(check):
        GUARDS[stage].append(check)
        return check

    return register


def next_stage(stage):
    """Return the stage after ``stage``, or None when the round is closed."""
    return TRANSITIONS.get(stage)


def previous_stage(stage):
    """Return the stage before ``stage``, or None for the first step."""
    return PREVIOUS.get(stage)


def has_reached(round, stage):
    """Return whether ``round`` is at ``stage`` or past it."""
    order = [*STEPS, Stage.CLOSED]
    return order.index(round.stage) >= order.index(stage)


def refusals(round, to):
    """Return the reasons, in Chinese, that ``round`` may not enter stage ``to``."""
    return [reason for check in GUARDS[to] if (reason := check(round))]


@guard(Stage.COLLECTION)
def plan_is_complete(round):
    missing = []
    if round.total_fund <= 0:
        missing.append(_("资金额度"))
    if round.project_cap <= 0:
        missing.append(_("单个项目预算限额"))
    if not round.rules.strip():
        missing.append(_("规则说明"))
    if not round.compounds.exists():
        missing.append(_("覆盖小区"))
    planned = set(round.planned_stages.values_list("stage", flat=True))
    if planned != set(STEPS):
        missing.append(_("全部八个阶段的计划日期"))
    if missing:
        return _("方案尚不完整,不能开始征集项目:请填写%(fields)s。") % {"fields": listing(missing)}
    return None
