"""Residents' comments on the draft plan (step 1) and staff's public answers."""

import pytest
from django.urls import reverse

from rounds.models import PlanComment, Stage
from tests.factories import RoundFactory, complete_plan, put_at, staff_user

pytestmark = pytest.mark.django_db

COMMENT = {"name": "王小明", "contact": "13812345678", "text": "建议把健身器材列入本年度范围"}


@pytest.fixture
def round():
    return complete_plan(RoundFactory())


def answered(round, **kwargs):
    return PlanComment.objects.create(
        round=round, **{**COMMENT, "answer": "已采纳，写入方案", **kwargs}
    )


def test_comment_during_plan_is_saved_with_thanks(client, round):
    response = client.post(round.get_absolute_url(), COMMENT, follow=True)

    assert "谢谢您的意见" in response.content.decode()
    comment = round.plan_comments.get()
    assert (comment.name, comment.contact, comment.text, comment.answer) == (
        "王小明",
        "13812345678",
        "建议把健身器材列入本年度范围",
        "",
    )


def test_comment_form_is_offered_only_during_plan(client, round):
    assert "提交意见" in client.get(round.get_absolute_url()).content.decode()

    put_at(round, Stage.COLLECTION)

    assert "提交意见" not in client.get(round.get_absolute_url()).content.decode()


@pytest.mark.parametrize("stage", [Stage.COLLECTION, Stage.SCREENING])
def test_comment_after_plan_is_refused_with_a_message(client, round, stage):
    put_at(round, stage)

    response = client.post(round.get_absolute_url(), COMMENT, follow=True)

    assert "方案征求意见已经结束" in response.content.decode()
    assert not round.plan_comments.exists()


def test_comment_with_markup_is_refused(client, round):
    response = client.post(
        round.get_absolute_url(), {**COMMENT, "text": "<img src=x onerror=alert(1)>"}
    )

    assert "请不要输入网页代码或脚本" in response.content.decode()
    assert not round.plan_comments.exists()


def test_answered_comment_is_public_with_masked_name_and_answer(client, round):
    answered(round)

    page = client.get(round.get_absolute_url()).content.decode()

    assert "王**" in page
    assert "建议把健身器材列入本年度范围" in page
    assert "已采纳，写入方案" in page
    assert "王小明" not in page


@pytest.mark.parametrize("contact", ["13812345678", "wangxm@example.com", "微信 wxm_1988"])
def test_contact_never_appears_on_the_public_page(client, round, contact):
    answered(round, contact=contact)

    page = client.get(round.get_absolute_url()).content.decode()

    assert "已采纳，写入方案" in page
    assert contact not in page


def test_unanswered_comment_is_not_public(client, round):
    PlanComment.objects.create(round=round, **COMMENT)

    page = client.get(round.get_absolute_url()).content.decode()

    assert "建议把健身器材列入本年度范围" not in page
    assert "暂无已答复的意见" in page


def test_staff_answer_in_admin_is_recorded_and_published(client, round):
    comment = PlanComment.objects.create(round=round, **COMMENT)
    staff = staff_user("community", round.community)
    client.force_login(staff)

    response = client.post(
        reverse("admin:rounds_plancomment_change", args=[comment.pk]),
        {"answer": "感谢建议，已将健身器材列入方案"},
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.answer, comment.answered_by) == ("感谢建议，已将健身器材列入方案", staff)
    assert comment.answered_at is not None
    client.logout()
    page = client.get(round.get_absolute_url()).content.decode()
    assert "感谢建议，已将健身器材列入方案" in page
    assert "13812345678" not in page


def test_staff_cannot_change_what_the_resident_wrote(client, round):
    comment = PlanComment.objects.create(round=round, **COMMENT)
    client.force_login(staff_user("community", round.community))

    client.post(
        reverse("admin:rounds_plancomment_change", args=[comment.pk]),
        {"answer": "已答复", "text": "改写后的意见", "name": "张三"},
    )

    comment.refresh_from_db()
    assert (comment.text, comment.name) == ("建议把健身器材列入本年度范围", "王小明")


def test_staff_of_another_community_cannot_answer(client, round):
    comment = PlanComment.objects.create(round=round, **COMMENT)
    client.force_login(staff_user("community", RoundFactory().community))

    client.post(
        reverse("admin:rounds_plancomment_change", args=[comment.pk]), {"answer": "越权答复"}
    )

    comment.refresh_from_db()
    assert comment.answer == ""
