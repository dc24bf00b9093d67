import pytest

from rounds import workflow
from rounds.exceptions import RoundTransitionError
from rounds.models import RoundEvent, Stage
from rounds.services import round_transition
from rounds.workflow import STEPS, TRANSITIONS, require_stage
from tests.factories import (
    RoundFactory,
    complete_plan,
    put_at,
    ready_library,
    settle_publicity,
    settle_vote,
    staff_user,
)
from tests.notices.publicity.support import publish

pytestmark = pytest.mark.django_db

ALL_STAGES = list(Stage)
ILLEGAL_FORWARD_MOVES = [
    (from_, to)
    for from_ in ALL_STAGES
    for to in ALL_STAGES
    if TRANSITIONS.get(from_) != to and TRANSITIONS.get(to) != from_
]


@pytest.fixture
def round():
    return complete_plan(RoundFactory())


@pytest.fixture
def staff(round):
    return staff_user("community", round.community)


@pytest.mark.parametrize(("from_", "to"), list(TRANSITIONS.items()))
def test_each_legal_move_advances_and_records_an_event(round, staff, from_, to):
    put_at(round, from_)
    ready_library(round)
    settle_vote(round)
    if from_ == Stage.PUBLICITY:
        settle_publicity(round)

    round_transition(round=round, to=to, actor=staff, note="按计划推进")

    round.refresh_from_db()
    assert round.stage == to
    event = round.events.get()
    assert (event.kind, event.from_stage, event.to_stage, event.actor, event.note) == (
        RoundEvent.Kind.ADVANCE,
        from_,
        to,
        staff,
        "按计划推进",
    )


@pytest.mark.parametrize(("from_", "to"), ILLEGAL_FORWARD_MOVES)
def test_each_illegal_move_is_refused_and_changes_nothing(round, superuser, from_, to):
    put_at(round, from_)

    with pytest.raises(RoundTransitionError) as refusal:
        round_transition(round=round, to=to, actor=superuser, note="试图跳过")

    round.refresh_from_db()
    assert round.stage == from_
    assert not round.events.exists()
    assert str(Stage(from_).label) in str(refusal.value)


def test_whole_workflow_walks_all_eight_steps_to_closed(round, staff):
    ready_library(round)
    for to in [*STEPS[1:], Stage.CLOSED]:
        if to == Stage.PUBLICITY:
            settle_vote(round)
        if to == Stage.REPLIES:  # the notice drafted on entering publicity; its period is past
            publish(round.notices.get(), staff)
        round_transition(round=round, to=to, actor=staff)

    round.refresh_from_db()
    assert round.stage == Stage.CLOSED
    assert [e.to_stage for e in round.events.all()] == [*STEPS[1:], Stage.CLOSED]


def test_incomplete_plan_is_refused_with_the_missing_parts(staff):
    round = RoundFactory(
        community=staff.staff_roles.get().community,
        year=2027,
        rules="",
        total_fund=0,
        project_cap=0,
    )

    with pytest.raises(RoundTransitionError) as refusal:
        round_transition(round=round, to=Stage.COLLECTION, actor=staff)

    message = str(refusal.value)
    assert "方案尚不完整" in message
    for missing in ["资金额度", "单个项目预算限额", "规则说明", "覆盖小区", "八个阶段的计划日期"]:
        assert missing in message
    round.refresh_from_db()
    assert round.stage == Stage.PLAN
    assert not round.events.exists()


def test_reopen_by_superuser_with_note_goes_back_one_step(round, superuser):
    put_at(round, Stage.SCREENING)

    round_transition(round=round, to=Stage.COLLECTION, actor=superuser, note="征集期延长一周")

    round.refresh_from_db()
    assert round.stage == Stage.COLLECTION
    event = round.events.get()
    assert event.kind == RoundEvent.Kind.REOPEN
    assert event.note == "征集期延长一周"


def test_reopen_by_staff_is_refused(round, staff):
    put_at(round, Stage.SCREENING)

    with pytest.raises(RoundTransitionError, match="只有系统管理员可以退回重开"):
        round_transition(round=round, to=Stage.COLLECTION, actor=staff, note="想退回")

    round.refresh_from_db()
    assert round.stage == Stage.SCREENING


def test_reopen_without_note_is_refused(round, superuser):
    put_at(round, Stage.SCREENING)

    with pytest.raises(RoundTransitionError, match="必须写明原因"):
        round_transition(round=round, to=Stage.COLLECTION, actor=superuser, note="  ")

    assert not round.events.exists()


def test_staff_of_another_community_cannot_move_the_round(round):
    stranger = staff_user("community", RoundFactory().community)

    with pytest.raises(RoundTransitionError, match="无权"):
        round_transition(round=round, to=Stage.COLLECTION, actor=stranger)

    round.refresh_from_db()
    assert round.stage == Stage.PLAN


def test_round_events_cannot_be_changed_or_deleted(round, staff):
    round_transition(round=round, to=Stage.COLLECTION, actor=staff)
    event = round.events.get()

    event.note = "改写历史"
    with pytest.raises(Exception, match="只能新增"):
        event.save()
    with pytest.raises(Exception, match="只能新增"):
        event.delete()
    assert round.events.get().note == ""


def test_guards_are_given_the_actor_asking_for_the_move(round, staff, monkeypatch):
    asked = []
    monkeypatch.setitem(
        workflow.GUARDS, Stage.COLLECTION, [lambda round, actor: asked.append(actor)]
    )

    round_transition(round=round, to=Stage.COLLECTION, actor=staff)

    assert asked == [staff]


def test_reopen_guard_refusal_stops_the_reopen_and_records_nothing(round, superuser, monkeypatch):
    put_at(round, Stage.SCREENING)
    monkeypatch.setitem(
        workflow.REOPEN_GUARDS, Stage.COLLECTION, [lambda round, actor: "已经召开圆桌会。"]
    )

    with pytest.raises(RoundTransitionError, match="已经召开圆桌会"):
        round_transition(round=round, to=Stage.COLLECTION, actor=superuser, note="征集期延长")

    round.refresh_from_db()
    assert round.stage == Stage.SCREENING
    assert not round.events.exists()


def test_on_enter_hook_runs_after_the_event_with_the_round_in_its_new_stage(
    round, staff, monkeypatch
):
    seen = []

    def hook(round, event):
        seen.append((round.stage, event.to_stage, RoundEvent.objects.filter(pk=event.pk).exists()))

    monkeypatch.setitem(workflow.ON_ENTER, Stage.COLLECTION, [hook])

    round_transition(round=round, to=Stage.COLLECTION, actor=staff)

    assert seen == [(Stage.COLLECTION, Stage.COLLECTION, True)]


def test_on_enter_hook_runs_on_a_reopen_too(round, superuser, monkeypatch):
    put_at(round, Stage.SCREENING)
    kinds = []
    monkeypatch.setitem(
        workflow.ON_ENTER, Stage.COLLECTION, [lambda round, event: kinds.append(event.kind)]
    )

    round_transition(round=round, to=Stage.COLLECTION, actor=superuser, note="征集期延长")

    assert kinds == [RoundEvent.Kind.REOPEN]


def test_failing_on_enter_hook_undoes_the_whole_move(round, staff, monkeypatch):
    def hook(round, event):
        raise RoundTransitionError("公示未能生成。")

    monkeypatch.setitem(workflow.ON_ENTER, Stage.COLLECTION, [hook])

    with pytest.raises(RoundTransitionError, match="公示未能生成"):
        round_transition(round=round, to=Stage.COLLECTION, actor=staff)

    round.refresh_from_db()
    assert round.stage == Stage.PLAN
    assert not round.events.exists()


def test_require_stage_passes_in_any_of_the_stages(round):
    put_at(round, Stage.SCREENING)

    require_stage(round, Stage.COLLECTION, Stage.SCREENING)


class StageRefused(Exception):
    pass


def test_require_stage_raises_the_given_error_naming_both_stages(round):
    put_at(round, Stage.COLLECTION)

    with pytest.raises(StageRefused) as refusal:
        require_stage(round, Stage.SCREENING, Stage.VOTING, error=StageRefused)

    message = str(refusal.value)
    for stage in (Stage.COLLECTION, Stage.SCREENING, Stage.VOTING):
        assert str(stage.label) in message
