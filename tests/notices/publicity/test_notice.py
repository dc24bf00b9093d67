"""The 公示 of a round's vote: drafted on entering publicity, published, frozen, and its guard."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from notices.exceptions import NoticeError
from notices.models import PublicityNotice
from notices.services import notice_publish, notice_update
from rounds.exceptions import RoundTransitionError
from rounds.models import Stage, TieBreak
from rounds.services import round_transition
from tests.factories import RoundFactory, complete_plan, staff_user
from tests.voting.test_certify import OBSERVERS, Stations, certify, on_ballot
from voting.services import lot_record, tally_certify

from .support import CONTACTS, enter_publicity, publish

pytestmark = pytest.mark.django_db

Status = PublicityNotice.Status


def test_entering_publicity_drafts_version_1_from_the_certified_tally(round, draft):
    assert draft.version == 1
    assert draft.status == Status.DRAFT
    assert draft.title == "关于2026年度龙西社区和谐微实事项目投票结果的公示"
    assert draft.issuer == "龙西社区居民委员会"
    assert [(p["rank"], p["ref"], p["votes"]) for p in draft.projects] == [
        (1, "1", 4),
        (2, "3", 3),
        (3, "2", 3),
    ]
    assert [(Decimal(p["cost"]), Decimal(p["running_total"])) for p in draft.projects] == [
        (40000, 40000),
        (20000, 60000),
        (30000, 90000),
    ]
    assert draft.projects[0]["title"] == round.ballot_items.get(ref="1").title
    assert (draft.voters, draft.valid_ballots) == (4, 4)
    assert draft.total_cost == Decimal("90000")
    assert "依次入选" in draft.rule_text
    assert "项目 3、2 票数相同，按预算低者优先。" in draft.tie_note
    planned = round.planned_stages.get(stage=Stage.PUBLICITY)
    assert (draft.starts_on, draft.ends_on) == (planned.starts_on, planned.ends_on)


def test_a_lot_is_noted_on_the_notice():
    round = complete_plan(
        RoundFactory(
            total_fund=Decimal("50000"), project_cap=Decimal("30000"), tie_break=TieBreak.LOT
        )
    )
    staff = staff_user("community", round.community)
    on_ballot(round, staff, "30000", "30000")
    stations = Stations(round)
    stations.vote(["1", "2"], ["1", "2"])
    stations.close()
    lot_record(round=round, order=["2", "1"], witnesses="居民代表 李**", actor=staff)
    tally_certify(round=round, actor=staff, observers=OBSERVERS)

    enter_publicity(round, staff)

    notice = round.notices.get()
    assert [p["ref"] for p in notice.projects] == ["2"]
    assert "公开抽签：2 > 1，见证人：居民代表 李**。" in notice.tie_note


def test_staff_edit_a_draft_and_publish_it(draft, staff):
    notice_update(
        notice=draft, changes={**CONTACTS, "title": "关于龙西社区微实事项目的公示"}, actor=staff
    )
    published = notice_publish(notice=draft, actor=staff)

    published.refresh_from_db()
    assert published.status == Status.PUBLISHED
    assert published.title == "关于龙西社区微实事项目的公示"
    assert published.published_by == staff
    assert published.published_at is not None


def test_a_published_notice_is_frozen(draft, staff):
    notice = publish(draft, staff)

    with pytest.raises(NoticeError, match="已经发布"):
        notice_update(notice=notice, changes={"title": "改过的标题"}, actor=staff)
    with pytest.raises(NoticeError, match="已经发布"):
        notice_publish(notice=notice, actor=staff)
    notice.body = "偷偷改过的正文"
    with pytest.raises(NoticeError):
        notice.save()
    notice.refresh_from_db()
    assert notice.title == "关于2026年度龙西社区和谐微实事项目投票结果的公示"
    assert notice.body != "偷偷改过的正文"


def test_the_vote_on_a_draft_cannot_be_edited(draft, staff):
    with pytest.raises(NoticeError, match="投票人数"):
        notice_update(notice=draft, changes={"voters": 400}, actor=staff)


def test_publishing_needs_a_way_to_object(draft, staff):
    with pytest.raises(NoticeError, match="意见反馈地址或电话"):
        notice_publish(notice=draft, actor=staff)


def test_staff_of_another_community_cannot_edit_or_publish(draft):
    stranger = staff_user("community", RoundFactory().community)

    with pytest.raises(NoticeError, match="无权"):
        notice_update(notice=draft, changes=CONTACTS, actor=stranger)
    with pytest.raises(NoticeError, match="无权"):
        notice_publish(notice=draft, actor=stranger)


def leave_publicity(round, actor):
    return round_transition(round=round, to=Stage.REPLIES, actor=actor)


def test_round_cannot_leave_publicity_before_the_notice_is_published(round, draft, staff):
    with pytest.raises(RoundTransitionError, match="公示还没有发布"):
        leave_publicity(round, staff)


def test_guard_links_to_the_notice_in_the_admin(round, draft):
    from rounds.workflow import refusals

    (refusal,) = refusals(round, Stage.REPLIES)
    assert refusal.fixes == [
        ("查看公示", reverse("admin:notices_publicitynotice_change", args=[draft.pk]))
    ]


def test_round_cannot_leave_publicity_before_the_period_ends(round, draft, staff):
    today = timezone.localdate()
    publish(draft, staff, starts_on=today, ends_on=today)

    with pytest.raises(RoundTransitionError, match="公示期到.*才结束"):
        leave_publicity(round, staff)


def test_round_leaves_publicity_once_published_and_the_period_is_over(round, draft, staff):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    publish(draft, staff, starts_on=yesterday - datetime.timedelta(days=6), ends_on=yesterday)

    leave_publicity(round, staff)

    round.refresh_from_db()
    assert round.stage == Stage.REPLIES


def test_coming_back_from_replies_keeps_the_published_notice(round, draft, staff, superuser):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    publish(draft, staff, starts_on=yesterday, ends_on=yesterday)
    leave_publicity(round, staff)

    round_transition(round=round, to=Stage.PUBLICITY, actor=superuser, note="补充答复异议")

    assert list(round.notices.values_list("version", "status")) == [(1, Status.PUBLISHED)]


def test_a_draft_is_kept_with_its_edits_on_reentry_and_takes_a_new_tally(
    round, draft, staff, superuser, counted
):
    notice_update(notice=draft, changes=CONTACTS, actor=staff)
    round_transition(round=round, to=Stage.VOTING, actor=superuser, note="计票有误，重新确认")
    certify(round, staff)
    enter_publicity(round, staff)

    (notice,) = round.notices.all()
    assert notice.pk == draft.pk and notice.version == 1
    assert notice.objection_phone == CONTACTS["objection_phone"]
    assert notice.tally_certified_at == round.certified_tally.certified_at
    notice_publish(notice=notice, actor=staff)


def test_a_new_tally_after_publication_makes_version_2_which_supersedes_1(
    client, round, draft, staff, superuser
):
    first = publish(draft, staff)
    round_transition(round=round, to=Stage.VOTING, actor=superuser, note="计票有误，重新确认")
    certify(round, staff)
    enter_publicity(round, staff)

    second = round.notices.get(version=2)
    assert second.status == Status.DRAFT
    with pytest.raises(RoundTransitionError, match="第2版"):
        leave_publicity(round, staff)
    publish(second, staff)

    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    page = client.get(reverse("notices:notice", args=[round.pk])).content.decode()
    assert "第2版" in page and "已被新版本取代" in page
    old = client.get(first.get_absolute_url()).content.decode()
    assert "这是第1版公示，已被新版本取代。" in old


def test_notice_page_is_404_before_publication_and_public_after(client, round, draft, staff):
    urls = [
        reverse("notices:notice", args=[round.pk]),
        reverse("notices:notice_pdf", args=[round.pk]),
        reverse("notices:notice_poster", args=[round.pk]),
        draft.get_absolute_url(),
    ]
    assert [client.get(url).status_code for url in urls] == [404] * 4

    publish(draft, staff)

    response = client.get(urls[0])
    assert response.status_code == 200
    page = response.content.decode()
    assert draft.title in page
    assert round.ballot_items.get(ref="1").title in page
    assert CONTACTS["objection_phone"] in page
    assert '<svg viewBox="0 0 ' in page


def test_round_and_results_pages_link_to_the_published_notice(client, round, draft, staff):
    notice_url = reverse("notices:notice", args=[round.pk])
    pages = [round.get_absolute_url(), reverse("voting:results", args=[round.pk])]
    assert not [url for url in pages if notice_url in client.get(url).content.decode()]

    publish(draft, staff)

    assert all(notice_url in client.get(url).content.decode() for url in pages)


def test_notice_page_in_english_keeps_the_notice_as_published(client, round, published):
    response = client.get(f"/en{reverse('notices:notice', args=[round.pk])}")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Turnout" in page and "Projects to be carried out" in page
    assert published.title in page  # the notice's own text is published in Chinese only


def test_a_draft_can_be_edited_only_while_the_round_is_in_publicity(round, draft, staff, superuser):
    round_transition(round=round, to=Stage.VOTING, actor=superuser, note="计票有误，重新确认")

    with pytest.raises(NoticeError, match="不能再修改"):
        notice_update(notice=draft, changes=CONTACTS, actor=staff)


def test_a_published_notice_cannot_be_saved_back_into_a_draft(published):
    published.status = PublicityNotice.Status.DRAFT

    with pytest.raises(NoticeError):
        published.save(update_fields=["status"])

    published.refresh_from_db()
    assert published.status == PublicityNotice.Status.PUBLISHED


def test_pages_stop_announcing_the_notice_once_its_tally_is_voided(
    client, round, published, superuser
):
    results = reverse("voting:results", args=[round.pk])
    assert "投票结果已发布公示" in client.get(results).content.decode()
    assert "投票结果公示" in client.get(round.get_absolute_url()).content.decode()

    round_transition(round=round, to=Stage.VOTING, actor=superuser, note="复核发现一个投票站漏计")

    assert "投票结果已发布公示" not in client.get(results).content.decode()
    assert "投票结果公示" not in client.get(round.get_absolute_url()).content.decode()
