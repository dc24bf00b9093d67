"""The eight-step workflow of a round: the transition table, its guards and its hooks.

Later apps take part in a round's moves without ``rounds`` importing them:

- ``@guard(Stage.X)``: may refuse to let a round move forward into stage X (e.g. the ballot
  library must not be empty before voting);
- ``@reopen_guard(Stage.X)``: may refuse to let a round be reopened back into stage X;
- ``@on_enter(Stage.X)``: runs when a round enters stage X either way, in the move's
  transaction, after its ``RoundEvent`` (e.g. a reopen past the count voids the certification);
- ``@locked_while_moving``: locks rows that must not change while a round moves (e.g. its
  ballot stations, so that no ballot commits during a reopen).

A guard is called with the round and the user asking for the move (None, its default, when
a page only shows the refusals in advance) and returns the reason it refuses, in Chinese, or
None. A hook is called with the round and the move's ``RoundEvent``.
"""

from collections import defaultdict

from django.utils.translation import gettext as _

from .exceptions import RoundTransitionError
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
REOPEN_GUARDS = defaultdict(list)
ON_ENTER = defaultdict(list)
MOVE_LOCKS = []


def _registrar(registry, stage):
    """Return a decorator that adds a function to ``registry`` under ``stage``."""

    def register(function):
        registry[stage].append(function)
        return function

    return register


class Refusal(str):
    """A guard's reason, with what must be fixed: ``fixes`` lists (label, admin URL) pairs.

    It is a string, so callers that only show the reason need not know about the links.
    """

    def __new__(cls, reason, fixes=()):
        refusal = super().__new__(cls, reason)
        refusal.fixes = list(fixes)
        return refusal


def guard(stage):
    """Register a function that may refuse to let a round move forward into ``stage``."""
    return _registrar(GUARDS, stage)


def reopen_guard(stage):
    """Register a function that may refuse to let a round be reopened back into ``stage``."""
    return _registrar(REOPEN_GUARDS, stage)


def on_enter(stage):
    """Register a function to run whenever a round enters ``stage``, forward or by a reopen."""
    return _registrar(ON_ENTER, stage)


def locked_while_moving(lock):
    """Register a function that locks rows of a round before the round's own row is locked.

    Rows are locked before the round, in the order the people who write them lock them (a
    ballot locks its station, then its insert holds the round), so that neither waits for
    the other in a circle.
    """
    MOVE_LOCKS.append(lock)
    return lock


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


def require_stage(round, *stages, error=RoundTransitionError):
    """Raise ``error`` unless ``round`` stands at one of ``stages``.

    Each app passes its own error class, so its views show the refusal as they show its
    other refusals.
    """
    if round.stage not in stages:
        raise error(
            _("「%(round)s」现在处于「%(stage)s」阶段，这一步要在「%(allowed)s」阶段才能办理。")
            % {
                "round": round,
                "stage": Stage(round.stage).label,
                "allowed": listing(Stage(stage).label for stage in stages),
            }
        )


def refusals(round, to, actor=None):
    """Return the reasons, in Chinese, that ``round`` may not move forward into ``to``."""
    return [reason for check in GUARDS[to] if (reason := check(round, actor))]


def reopen_refusals(round, to, actor=None):
    """Return the reasons, in Chinese, that ``round`` may not be reopened back into ``to``."""
    return [reason for check in REOPEN_GUARDS[to] if (reason := check(round, actor))]


@guard(Stage.COLLECTION)
def plan_is_complete(round, actor=None):
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
        return _("方案尚不完整，不能开始征集项目：请填写%(fields)s。") % {"fields": listing(missing)}
    return None
