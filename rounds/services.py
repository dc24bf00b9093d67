from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import editing
from .exceptions import RoundEditError, RoundTransitionError
from .models import PlanComment, PlannedStage, Round, RoundEvent, Stage
from .scopes import can_manage_round
from .workflow import (
    MOVE_LOCKS,
    ON_ENTER,
    next_stage,
    previous_stage,
    refusals,
    reopen_refusals,
)


@transaction.atomic
def round_transition(*, round, to, actor, note=""):
    """Move ``round`` to stage ``to`` and record the move; return the round.

    A forward move goes to the next step only and must pass that stage's guards. A move
    back ("reopen") goes to the previous step only, by a superuser, with a note, and must
    pass that stage's reopen guards. The rows other apps lock while a round moves (its
    ballot stations) are locked first, then the round's row, so two people pressing the same
    button produce exactly one move and nothing those apps guard changes meanwhile. The
    ``on_enter`` hooks of the new stage run last, in this transaction.
    """
    for lock in MOVE_LOCKS:
        lock(round)
    locked = Round.objects.select_for_update().get(pk=round.pk)
    if not can_manage_round(actor, locked):
        raise RoundTransitionError(_("您无权管理这个轮次。"))
    current = Stage(locked.stage)
    to = Stage(to)
    if to == next_stage(current):
        kind = RoundEvent.Kind.ADVANCE
        reasons = refusals(locked, to, actor)
    elif to == previous_stage(current):
        kind = RoundEvent.Kind.REOPEN
        if not actor.is_superuser:
            raise RoundTransitionError(_("只有系统管理员可以退回重开。"))
        if not note.strip():
            raise RoundTransitionError(_("退回重开必须写明原因。"))
        reasons = reopen_refusals(locked, to, actor)
    elif to == current:
        raise RoundTransitionError(_("本轮次已处于「%(stage)s」阶段。") % {"stage": current.label})
    else:
        raise RoundTransitionError(
            _("不能从「%(current)s」直接转到「%(to)s」。")
            % {"current": current.label, "to": to.label}
        )
    if reasons:
        raise RoundTransitionError(" ".join(reasons))
    event = RoundEvent.objects.create(
        round=locked, kind=kind, from_stage=current, to_stage=to, actor=actor, note=note.strip()
    )
    locked.stage, locked.stage_since = to, event.created_at
    locked.save(update_fields=["stage", "stage_since"])
    for hook in ON_ENTER[to]:
        hook(locked, event)
    round.stage, round.stage_since = to, locked.stage_since
    return locked


def plan_comment_add(*, round, name, contact, text):
    """Record a resident's comment on the draft plan; only while the round is in `plan`."""
    if round.stage != Stage.PLAN:
        raise RoundTransitionError(_("方案征求意见已经结束，不能再提交意见。"))
    return PlanComment.objects.create(round=round, name=name, contact=contact, text=text)


def plan_comment_answer(*, comment, answer, actor):
    """Record staff's public answer to a comment on the plan."""
    comment.answer = answer
    comment.answered_by = actor
    comment.answered_at = timezone.now()
    comment.save(update_fields=["answer", "answered_by", "answered_at"])
    return comment


def _check_manages(actor, round):
    if not can_manage_round(actor, round):
        raise RoundEditError(_("您无权管理这个轮次。"))


@transaction.atomic
def round_create(*, actor, fields):
    """Create a round, in `plan`, from the plan's ``fields`` (compounds among them); return it."""
    _check_manages(actor, Round(community=fields["community"]))
    return editing.apply_changes(Round(), fields, RoundEditError)


@transaction.atomic
def round_update(*, round, changes, actor):
    """Change the round's plan and voting rules as far as its stage allows; return the round.

    The plan may change only in `plan`; the total fund and the voting rules until voting
    opens; nothing after that. Once the plan is out, the total fund cannot be set to zero.
    """
    locked = editing.lock_round(round.pk)
    _check_manages(actor, locked)
    if locked.stage != Stage.PLAN and changes.get("total_fund", 1) <= 0:
        raise RoundEditError(_("方案公布后，资金额度必须大于零。"))
    return editing.edit(locked, locked, changes, RoundEditError)


@transaction.atomic
def planned_stage_create(*, round, fields):
    """Add the planned dates of one step to the round's plan, while the plan may change."""
    locked = editing.lock_round(round.pk)
    return editing.create(PlannedStage, locked, {**fields, "round": locked}, RoundEditError)


@transaction.atomic
def planned_stage_update(*, planned_stage, changes):
    """Change the planned dates of one step, while the plan may change; return them."""
    locked = editing.lock_round(planned_stage.round_id)
    planned_stage = PlannedStage.objects.get(pk=planned_stage.pk)
    return editing.edit(planned_stage, locked, changes, RoundEditError)


@transaction.atomic
def planned_stage_delete(*, planned_stage):
    """Remove the planned dates of one step, while the plan may change."""
    locked = editing.lock_round(planned_stage.round_id)
    editing.delete(planned_stage, locked, RoundEditError)
