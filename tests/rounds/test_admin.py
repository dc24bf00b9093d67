import pytest
from django.urls import reverse

from rounds.models import Stage
from rounds.services import round_transition
from tests.factories import RoundFactory, complete_plan, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def round():
    return complete_plan(RoundFactory())


@pytest.fixture
def staff_client(client, round):
    client.force_login(staff_user("community", round.community))
    return client


def move_url(round, to):
    return reverse("admin:rounds_round_move", args=[round.pk, to])


def test_change_page_shows_timeline_and_next_move_button(staff_client, round):
    page = staff_client.get(reverse("admin:rounds_round_change", args=[round.pk])).content.decode()

    assert "八步工作法进度" in page
    for stage in Stage:
        if stage != Stage.CLOSED:
            assert str(stage.label) in page
    assert move_url(round, Stage.COLLECTION) in page
    assert "进入下一阶段:项目征集,建议共提" in page


def test_next_move_asks_for_confirmation_before_moving(staff_client, round):
    page = staff_client.get(move_url(round, Stage.COLLECTION)).content.decode()

    assert "确定将" in page and "项目征集,建议共提" in page
    round.refresh_from_db()
    assert round.stage == Stage.PLAN


def test_confirmed_move_advances_the_round(staff_client, round):
    response = staff_client.post(
        move_url(round, Stage.COLLECTION), {"note": "方案已公布"}, follow=True
    )

    round.refresh_from_db()
    assert round.stage == Stage.COLLECTION
    assert "已进入「项目征集,建议共提」阶段" in response.content.decode()
    assert round.events.get().note == "方案已公布"


def test_refused_move_shows_the_guard_reason_and_changes_nothing(client):
    incomplete = RoundFactory(rules="")
    client.force_login(staff_user("community", incomplete.community))

    response = client.post(move_url(incomplete, Stage.COLLECTION), follow=True)

    page = response.content.decode()
    assert "方案尚不完整,不能开始征集项目" in page
    assert "规则说明" in page
    incomplete.refresh_from_db()
    assert incomplete.stage == Stage.PLAN
    assert not incomplete.events.exists()


def test_skipping_a_step_through_the_url_is_refused(staff_client, round):
    response = staff_client.post(move_url(round, Stage.VOTING), follow=True)

    assert "不能从「宣传发动,方案共定」直接转到「居民投票,项目共决」" in response.content.decode()
    round.refresh_from_db()
    assert round.stage == Stage.PLAN


def test_staff_see_no_reopen_button_and_superuser_does(staff_client, client, round, superuser):
    round_transition(round=round, to=Stage.COLLECTION, actor=superuser)
    change_url = reverse("admin:rounds_round_change", args=[round.pk])

    assert move_url(round, Stage.PLAN) not in staff_client.get(change_url).content.decode()
    client.force_login(superuser)
    assert move_url(round, Stage.PLAN) in client.get(change_url).content.decode()


def test_superuser_reopens_with_a_reason(client, round, superuser):
    round_transition(round=round, to=Stage.COLLECTION, actor=superuser)
    client.force_login(superuser)

    page = client.get(move_url(round, Stage.PLAN)).content.decode()
    assert "退回原因(必填)" in page
    client.post(move_url(round, Stage.PLAN), {"note": "资金额度调整,重新公布方案"})

    round.refresh_from_db()
    assert round.stage == Stage.PLAN
    assert round.events.last().note == "资金额度调整,重新公布方案"


def test_staff_cannot_move_a_round_of_another_community(staff_client):
    other = complete_plan(RoundFactory())

    response = staff_client.post(move_url(other, Stage.COLLECTION))

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.stage == Stage.PLAN


def test_add_page_offers_a_row_for_each_of_the_eight_steps(staff_client):
    page = staff_client.get(reverse("admin:rounds_round_add")).content.decode()

    for index in range(8):
        assert f'name="planned_stages-{index}-starts_on"' in page
    assert 'name="planned_stages-TOTAL_FORMS" value="8"' in page


def test_round_event_log_is_read_only_in_admin(staff_client, round, superuser):
    round_transition(round=round, to=Stage.COLLECTION, actor=superuser)
    event = round.events.get()

    response = staff_client.post(
        reverse("admin:rounds_roundevent_change", args=[event.pk]), {"note": "改写"}
    )

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.note == ""
