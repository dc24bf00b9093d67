"""The voter's ballot by keyboard and screen reader; errors a screen reader hears (issue 8).

The officer records a voter on the station's tablet; the voter then uses only the keyboard:
Tab and Shift+Tab to move, Space to tick, Enter on the submit button. Each box is found by its
role and accessible name, and the polite live region is read after each tick.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from proposals.models import Proposal
from rounds.models import Stage
from tests.browser.accessibility import audit_now
from tests.browser.support import ARTIFACTS, watch_for_problems
from tests.browser.test_station_tablet import (
    gb11643,
    library,
    log_in,
    make_station,
    open_station,
    record_voter,
    tablet_page,
)
from tests.factories import ProposalFactory, RoundFactory, complete_plan, put_at
from voting.models import Ballot, BallotChoice, VoterMark

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NAMES = [
    "1. 更换3栋至5栋路灯（20,000 元）",
    "2. 中心花园加装休闲座椅（15,000 元）",
    "3. 修缮儿童游乐场地面（30,000 元）",
]


def test_voter_ticks_two_items_and_submits_with_the_keyboard_alone(live_server, browser):
    round = RoundFactory(max_choices=2)
    library(round)
    station, officer = make_station(round, "东门投票站", "社区党群服务中心一楼")
    with tablet_page(browser) as page:
        problems = watch_for_problems(page)
        log_in(page, live_server, officer)
        open_station(page, live_server, station)
        record_voter(page, gb11643("11010119800101001"))
        page.get_by_role("button", name="登记并交给投票人").tap()

        # The voter's screen: three boxes by role and exact name, the count said politely.
        boxes = [page.get_by_role("checkbox", name=name, exact=True) for name in NAMES]
        for box in boxes:
            expect(box).to_have_count(1)
            expect(box).not_to_be_checked()
        expect(boxes[0]).to_have_accessible_description(re.compile("小区内 · 更换3栋至5栋路灯"))
        count = page.locator("[aria-live=polite]")
        expect(count).to_have_count(1)
        expect(count).to_have_attribute("id", "ballot-count")
        expect(count).to_have_text("已选择0个项目，最多可选2个。")

        # Only the keyboard from here: Tab into the ballot until the first box has focus.
        for _ in range(5):
            page.keyboard.press("Tab")
            if boxes[0].evaluate("box => box === document.activeElement"):
                break
        expect(boxes[0]).to_be_focused()
        page.keyboard.press("Space")
        expect(boxes[0]).to_be_checked()
        expect(count).to_have_text("已选择1个项目，最多可选2个。")

        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        expect(boxes[2]).to_be_focused()
        page.keyboard.press("Space")
        expect(boxes[2]).to_be_checked()
        expect(count).to_have_text("已选择2个项目，最多可选2个。")

        # One too many: the region says so (the server would refuse it), and it is undone.
        page.keyboard.press("Shift+Tab")
        expect(boxes[1]).to_be_focused()
        page.keyboard.press("Space")
        expect(boxes[1]).to_be_checked()
        expect(count).to_have_text("已选择3个项目，超过了最多可选的2个，请取消1个。")
        audit_now(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "ballot-keyboard-too-many-tablet.png", full_page=True)
        page.keyboard.press("Space")
        expect(boxes[1]).not_to_be_checked()
        expect(count).to_have_text("已选择2个项目，最多可选2个。")
        audit_now(page)

        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        submit = page.get_by_role("button", name="提交选票")
        expect(submit).to_be_focused()
        page.keyboard.press("Enter")

        expect(page.get_by_role("heading", level=1)).to_have_text("投票成功，谢谢您！")
        assert VoterMark.objects.count() == 1
        ballot = Ballot.objects.get()
        assert (ballot.round, ballot.station, ballot.kind) == (round, station, Ballot.Kind.VALID)
        assert sorted(ballot.items.values_list("ref", flat=True)) == ["1", "3"]
        assert BallotChoice.objects.count() == 2
        assert problems == []


def test_relation_left_empty_on_the_proposal_form_is_the_radios_description(live_server, phone):
    round = put_at(complete_plan(RoundFactory()), Stage.COLLECTION)
    page = phone
    problems = watch_for_problems(page)
    page.goto(live_server.url + reverse("proposals:create", args=[round.pk]))
    page.get_by_role("button", name="提交提议").tap()  # the form is sent with nothing filled in

    group = page.get_by_role("radiogroup", name=re.compile("与社区的关系"))
    expect(group).to_have_attribute("aria-invalid", "true")
    for name in ("在本社区居住", "在本社区工作", "在本社区学习"):
        radio = page.get_by_role("radio", name=name)
        expect(radio).to_have_attribute("aria-invalid", "true")
        expect(radio).to_have_accessible_description("请选择与社区的关系。")
    assert not Proposal.objects.exists()
    assert problems == []


def test_status_lookup_that_does_not_match_is_an_alert(live_server, phone):
    proposal = ProposalFactory(phone="13812345678")
    page = phone
    problems = watch_for_problems(page)
    page.goto(live_server.url + "/proposals/status/")
    page.get_by_label("查询码").fill(proposal.tracking_code)
    page.get_by_label("提交时填写的手机号码").fill("13900000000")
    page.get_by_role("button", name="查询").tap()

    expect(page.get_by_role("alert")).to_have_text("查询码与手机号码不匹配，请核对后再试。")
    expect(page.get_by_text(proposal.title)).to_have_count(0)
    assert problems == []
