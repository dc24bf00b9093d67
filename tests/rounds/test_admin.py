import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from rounds.exceptions import RoundEditError
from rounds.models import PlanComment, Round, Stage, TallyRule, TieBreak
from rounds.services import planned_stage_create, round_transition, round_update
from tests.admin_support import error_messages, form_data
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    ProposalFactory,
    RoundFactory,
    RoundtableFactory,
    complete_plan,
    put_at,
    settle_vote,
    staff_user,
)

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
    assert "进入下一阶段：项目征集，建议共提" in page


def test_next_move_asks_for_confirmation_before_moving(staff_client, round):
    page = staff_client.get(move_url(round, Stage.COLLECTION)).content.decode()

    assert "确定将" in page and "项目征集，建议共提" in page
    round.refresh_from_db()
    assert round.stage == Stage.PLAN


def test_confirmed_move_advances_the_round(staff_client, round):
    response = staff_client.post(
        move_url(round, Stage.COLLECTION), {"note": "方案已公布"}, follow=True
    )

    round.refresh_from_db()
    assert round.stage == Stage.COLLECTION
    assert "已进入「项目征集，建议共提」阶段" in response.content.decode()
    assert round.events.get().note == "方案已公布"


def test_refused_move_shows_the_guard_reason_and_changes_nothing(client):
    incomplete = RoundFactory(rules="")
    client.force_login(staff_user("community", incomplete.community))

    response = client.post(move_url(incomplete, Stage.COLLECTION), follow=True)

    page = response.content.decode()
    assert "方案尚不完整，不能开始征集项目" in page
    assert "规则说明" in page
    incomplete.refresh_from_db()
    assert incomplete.stage == Stage.PLAN
    assert not incomplete.events.exists()


def test_skipping_a_step_through_the_url_is_refused(staff_client, round):
    response = staff_client.post(move_url(round, Stage.VOTING), follow=True)

    assert "不能从「宣传发动，方案共定」直接转到「居民投票，项目共决」" in response.content.decode()
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
    assert "退回原因（必填）" in page
    client.post(move_url(round, Stage.PLAN), {"note": "资金额度调整，重新公布方案"})

    round.refresh_from_db()
    assert round.stage == Stage.PLAN
    assert round.events.last().note == "资金额度调整，重新公布方案"


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


def change_url(round):
    return reverse("admin:rounds_round_change", args=[round.pk])


def test_round_update_of_the_total_fund_during_voting_is_refused(round, superuser):
    put_at(round, Stage.VOTING)

    with pytest.raises(RoundEditError, match="资金额度"):
        round_update(round=round, changes={"total_fund": Decimal("400000")}, actor=superuser)

    round.refresh_from_db()
    assert round.total_fund == Decimal("300000")


def test_round_update_of_the_total_fund_to_zero_after_the_plan_is_refused(round, superuser):
    put_at(round, Stage.SCREENING)

    with pytest.raises(RoundEditError, match="资金额度必须大于零"):
        round_update(round=round, changes={"total_fund": Decimal("0")}, actor=superuser)


def test_round_update_of_the_plan_after_the_plan_stage_is_refused(round, superuser):
    put_at(round, Stage.COLLECTION)

    with pytest.raises(RoundEditError, match="规则说明"):
        round_update(round=round, changes={"rules": "改过的规则"}, actor=superuser)


def test_round_update_of_a_certified_round_is_refused(round, superuser):
    put_at(round, Stage.VOTING)
    settle_vote(round)
    put_at(round, Stage.PUBLICITY)

    with pytest.raises(RoundEditError, match="计票规则"):
        round_update(round=round, changes={"tally_rule": TallyRule.SKIP}, actor=superuser)


def test_round_update_by_staff_of_another_community_is_refused(round):
    stranger = staff_user("community", CommunityFactory())

    with pytest.raises(RoundEditError, match="无权"):
        round_update(round=round, changes={"title": "越权修改"}, actor=stranger)


def test_planned_dates_cannot_be_added_after_the_plan_stage(round):
    put_at(round, Stage.COLLECTION)
    round.planned_stages.filter(stage=Stage.EVALUATION).delete()

    with pytest.raises(RoundEditError, match="不能再增删阶段计划"):
        planned_stage_create(
            round=round,
            fields={
                "stage": Stage.EVALUATION,
                "starts_on": datetime.date(2026, 11, 1),
                "ends_on": datetime.date(2026, 11, 30),
            },
        )


def test_round_admin_during_voting_shows_the_fund_read_only_and_keeps_it(staff_client, round):
    put_at(round, Stage.VOTING)
    page = staff_client.get(change_url(round)).content.decode()
    assert 'name="total_fund"' not in page
    assert 'name="tally_rule"' not in page

    staff_client.post(change_url(round), form_data(staff_client, change_url(round), total_fund="0"))

    round.refresh_from_db()
    assert round.total_fund == Decimal("300000")


def test_round_admin_shows_the_voting_rules_and_saves_them_until_voting(staff_client, round):
    put_at(round, Stage.SCREENING)
    page = staff_client.get(change_url(round)).content.decode()
    assert "投票规则" in page
    assert 'name="title"' not in page  # the plan is out

    data = form_data(
        staff_client,
        change_url(round),
        max_choices="5",
        tally_rule=TallyRule.MES,
        tie_break=TieBreak.LOT,
        min_vote_share="0.1",
    )
    response = staff_client.post(change_url(round), data)

    assert response.status_code == 302
    round.refresh_from_db()
    assert (round.max_choices, round.tally_rule, round.tie_break, round.min_vote_share) == (
        5,
        TallyRule.MES,
        TieBreak.LOT,
        Decimal("0.1"),
    )


def test_round_admin_refusal_keeps_the_form_and_shows_a_chinese_message(staff_client, round):
    put_at(round, Stage.SCREENING)
    data = form_data(staff_client, change_url(round), total_fund="0")

    response = staff_client.post(change_url(round), data)

    assert response.status_code == 200
    assert error_messages(response) == ["方案公布后，资金额度必须大于零。"]
    assert 'name="total_fund"' in response.content.decode()
    round.refresh_from_db()
    assert round.total_fund == Decimal("300000")


def test_round_page_lists_the_refusals_of_the_next_move_with_links(staff_client, round, superuser):
    put_at(round, Stage.SCREENING)
    open_proposal = ProposalFactory(round=round)

    page = staff_client.get(change_url(round)).content.decode()

    assert "进入「居民投票，项目共决」之前还需处理" in page
    assert "项目库为空，不能开始投票" in page
    assert reverse("admin:proposals_ballotitem_add") in page
    assert "还有1条提议没有结果" in page
    assert reverse("admin:proposals_proposal_change", args=[open_proposal.pk]) in page
    assert "还没有设置投票站和工作人员" in page
    assert reverse("admin:voting_ballotstation_changelist") in page


def test_round_page_lists_no_refusals_when_the_next_move_may_go(staff_client, round):
    assert "之前还需处理" not in staff_client.get(change_url(round)).content.decode()


def test_admin_forms_offer_the_blank_choice_in_chinese(staff_client):
    page = staff_client.get(reverse("admin:rounds_round_add")).content.decode()

    assert "——请选择——" in page
    assert "Select an option" not in page


@pytest.mark.parametrize("direction", ["ahead", "behind"])
def test_admin_time_zone_note_is_in_chinese(staff_client, direction):
    catalog = staff_client.get("/admin/jsi18n/").content.decode()
    key = f"Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour {direction}.)"

    line = catalog[catalog.index(key) :].split("\n")[1]
    assert json.loads(line.strip()).startswith("注意：请按 %(timezone)s 时区填写时间")


def test_round_added_in_the_admin_gets_its_compounds_and_eight_planned_steps(client):
    compound = CompoundFactory()
    client.force_login(staff_user("community", compound.community))
    url = reverse("admin:rounds_round_add")
    dates = {}
    for index in range(8):
        dates[f"planned_stages-{index}-starts_on"] = f"2027-{index + 2:02d}-01"
        dates[f"planned_stages-{index}-ends_on"] = f"2027-{index + 2:02d}-20"
    data = form_data(
        client,
        url,
        community=compound.community.pk,
        year="2027",
        title="2027年度 新轮次",
        total_fund="100000",
        project_cap="20000",
        compounds=[compound.pk],
        rules="一户一票",
        **dates,
    )

    response = client.post(url, data)

    assert response.status_code == 302
    added = Round.objects.get(title="2027年度 新轮次")
    assert list(added.compounds.all()) == [compound]
    assert added.planned_stages.count() == 8


def test_planned_dates_are_read_only_once_the_plan_is_out(staff_client, round):
    put_at(round, Stage.COLLECTION)

    page = staff_client.get(change_url(round)).content.decode()

    assert 'name="planned_stages-0-starts_on"' not in page
    assert "planned_stages-0-DELETE" not in page


def test_admins_without_a_delete_service_delete_nothing(client, superuser):
    round = RoundFactory()
    comment = PlanComment.objects.create(round=round, name="王芳", contact="", text="很好")
    roundtable = RoundtableFactory(round=put_at(RoundFactory(), Stage.SCREENING))
    client.force_login(superuser)

    for name, row in [
        ("rounds_round", round),
        ("rounds_plancomment", comment),
        ("proposals_roundtable", roundtable),
    ]:
        response = client.post(reverse(f"admin:{name}_delete", args=[row.pk]), {"post": "yes"})

        assert response.status_code == 403
        assert type(row).objects.filter(pk=row.pk).exists()
