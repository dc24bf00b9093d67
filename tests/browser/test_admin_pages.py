"""Community staff and the superuser run a round in the admin: every page they open passes axe-core.

The pages are those staff use in a round's life, from the plan to the certified tally, in
Chinese and a few in English. Each test checks what staff would notice on the page (its
heading, the fields by their labels); the audited ``desktop`` context fails the test on any
axe-core finding (WCAG 2.0/2.1 A and AA).
"""

import re

import pytest
from playwright.sync_api import expect

from rounds.models import Stage
from rounds.workflow import STEPS
from tests.browser.accessibility import audit_now, audited_context
from tests.browser.conftest import DESKTOP
from tests.factories import (
    BallotItemFactory,
    BallotStationFactory,
    ProposalFactory,
    RoundFactory,
    RoundtableFactory,
    complete_plan,
    put_at,
    staff_user,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

STAFF_PASSWORD = "pw-staff-123"  # tests.factories.UserFactory


def log_in(page, base, username, password, prefix=""):
    """Log in through the admin's login form, as staff do, and land on the admin index."""
    page.goto(f"{base}{prefix}/admin/login/")
    labels = ("Username", "Password", "Log in") if prefix == "/en" else ("用户名", "密码", "登录")
    page.get_by_label(labels[0]).fill(username)
    page.get_by_label(labels[1]).fill(password)
    page.get_by_role("button", name=labels[2]).click()
    expect(page).to_have_url(f"{base}{prefix}/admin/")


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


@pytest.fixture
def plan_round():
    """A round in plan with its eight dated steps and no compounds: the plan is refused."""
    round = complete_plan(RoundFactory())
    round.compounds.clear()
    return round


@pytest.fixture
def staff(plan_round):
    return staff_user("community", plan_round.community)


def test_staff_plan_a_round_in_the_admin(live_server, desktop, plan_round, staff):
    base = live_server.url
    log_in(desktop, base, staff.username, STAFF_PASSWORD)
    heading(desktop, "社区参与式治理")
    rounds_link = desktop.locator("#rounds-round").get_by_role("link", name="微实事轮次")
    expect(rounds_link).to_be_visible()

    rounds_link.click()
    heading(desktop, "选择 微实事轮次 来修改")
    desktop.get_by_role("link", name=plan_round.title).click()

    heading(desktop, "修改 微实事轮次")
    expect(desktop.get_by_label("标题")).to_have_value(plan_round.title)
    expect(desktop.get_by_label("资金额度（元）")).to_be_visible()
    # The guards say what the plan still lacks before collection can start.
    refusals = desktop.locator(".move-refusals")
    expect(refusals.get_by_role("heading")).to_have_text("进入「项目征集，建议共提」之前还需处理：")
    expect(refusals).to_contain_text("覆盖小区")
    # The timeline marks the current step.
    current = desktop.locator(".round-timeline .step-current")
    expect(current).to_contain_text("宣传发动，方案共定")
    expect(current.locator(".current-badge")).to_have_text("当前阶段")
    # The eight planned steps, each row's fields named after its step.
    for step in STEPS:
        label = Stage(step).label
        expect(desktop.get_by_label(f"阶段（{label}）")).to_have_value(step)
        expect(desktop.get_by_label(f"计划开始（{label}）")).to_be_visible()
        expect(desktop.get_by_label(f"计划结束（{label}）")).to_be_visible()
        expect(desktop.get_by_label(f"删除（{label}）")).not_to_be_checked()
    expect(desktop.get_by_label("计划开始（宣传发动，方案共定）")).to_have_value("2026/03/01")
    # The date shortcuts speak Chinese to a screen reader too.
    today = desktop.get_by_role("button", name=re.compile(r"^今天（.+）$")).first
    expect(today).to_have_text("今天")
    today_link = desktop.locator(".datetimeshortcuts a").first
    assert not re.search(r"[A-Za-z]", today_link.get_attribute("aria-label"))
    expect(desktop.get_by_role("button", name="选择一个日期").first).to_be_visible()
    # The compounds' filter boxes carry their help.
    expect(desktop.get_by_role("img", name="在此框中键入以过滤可用的覆盖小区列表")).to_have_count(1)

    # Opening the calendar is a state of its own.
    desktop.get_by_role("button", name="选择一个日期").first.click()
    expect(desktop.locator(".calendarbox").first).to_be_visible()
    audit_now(desktop)


def test_staff_add_a_round_and_are_told_what_is_missing(live_server, desktop, plan_round, staff):
    base = live_server.url
    log_in(desktop, base, staff.username, STAFF_PASSWORD)
    desktop.goto(f"{base}/admin/rounds/round/add/")
    heading(desktop, "增加 微实事轮次")
    expect(desktop.get_by_label("计划开始（项目评价，成果共享）")).to_be_visible()
    desktop.get_by_label("标题").fill("")
    desktop.get_by_role("button", name="保存", exact=True).click()

    expect(desktop.locator(".errornote")).to_be_visible()
    expect(desktop.get_by_label("标题")).to_have_attribute("aria-invalid", "true")
    heading(desktop, "增加 微实事轮次")


def test_staff_screen_proposals_and_build_the_library(live_server, desktop, plan_round, staff):
    round = put_at(
        complete_plan(RoundFactory(community=plan_round.community, year=2025)), Stage.SCREENING
    )
    proposal = ProposalFactory(round=round, title="加装中心花园休闲座椅")
    roundtable = RoundtableFactory(round=round)
    item = BallotItemFactory(round=round, title="更换主干道路灯")
    BallotStationFactory(round=round, name="第一投票站")
    base = live_server.url
    log_in(desktop, base, staff.username, STAFF_PASSWORD)

    desktop.goto(f"{base}/admin/rounds/round/{round.pk}/change/")
    heading(desktop, "修改 微实事轮次")
    expect(desktop.locator(".round-timeline .step-current")).to_contain_text("民主协商，筛选共议")
    expect(desktop.get_by_role("link", name=re.compile("进入下一阶段"))).to_be_visible()

    desktop.goto(f"{base}/admin/proposals/proposal/")
    heading(desktop, "选择 项目提议 来修改")
    expect(desktop.get_by_role("link", name=proposal.tracking_code)).to_be_visible()
    desktop.get_by_role("link", name=proposal.tracking_code).click()
    heading(desktop, "修改 项目提议")
    expect(desktop.get_by_label("项目名称")).to_have_value("加装中心花园休闲座椅")
    expect(desktop.get_by_label("具体位置")).to_be_visible()

    desktop.get_by_role("link", name="七不入筛选").click()
    heading(desktop, "七不入筛选")
    expect(desktop.get_by_text("不属于公共利益范畴")).to_be_visible()

    desktop.goto(f"{base}/admin/proposals/roundtable/")
    heading(desktop, "选择 邻里圆桌会 来修改")
    desktop.goto(f"{base}/admin/proposals/roundtable/{roundtable.pk}/change/")
    heading(desktop, "修改 邻里圆桌会")
    expect(desktop.get_by_label("地点")).to_have_value(roundtable.place)
    desktop.goto(f"{base}/admin/proposals/roundtable/add/")
    heading(desktop, "增加 邻里圆桌会")

    desktop.goto(f"{base}/admin/proposals/ballotitem/")
    heading(desktop, "选择 项目库条目 来修改")
    desktop.get_by_role("row", name=re.compile("更换主干道路灯")).get_by_role("link").first.click()
    heading(desktop, "修改 项目库条目")
    expect(desktop.get_by_label("项目名称")).to_have_value(item.title)

    desktop.goto(f"{base}/admin/voting/ballotstation/")
    heading(desktop, "选择 投票站 来修改")
    desktop.get_by_role("link", name="第一投票站").click()
    heading(desktop, "修改 投票站")
    expect(desktop.get_by_label("开放首日")).to_have_value("2026/06/01")
    expect(desktop.get_by_label("地址")).to_be_visible()
    # The officers' rows: the day column's help, and a row added in the page.
    officers = desktop.locator("#stationofficer_set-group")
    expect(officers.get_by_role("img", name="不填表示每天")).to_be_visible()
    expect(officers.get_by_label("工作人员（第1行）")).to_be_visible()
    officers.get_by_role("button", name=re.compile("添加另一个")).click()
    expect(
        officers.locator("#stationofficer_set-1").get_by_label("值班日期（新增的一行）")
    ).to_be_visible()
    audit_now(desktop)


def test_staff_and_superuser_see_the_certified_tally(live_server, browser, certified, superuser):
    round, _ = certified
    base = live_server.url
    staff = staff_user("community", round.community)
    with audited_context(browser, **DESKTOP) as context:
        page = context.new_page()
        log_in(page, base, staff.username, STAFF_PASSWORD)
        page.goto(f"{base}/admin/rounds/round/{round.pk}/change/")
        heading(page, "修改 微实事轮次")
        expect(page.locator(".round-timeline .step-current")).to_contain_text("居民投票，项目共决")
        page.goto(f"{base}/admin/voting/certifiedtally/")
        heading(page, "选择计票结果确认查看")
        page.get_by_role("link", name=round.title).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("查看")
        page.goto(f"{base}/admin/voting/ballotstation/")
        heading(page, "选择 投票站 来修改")
        page.locator("#result_list tbody").get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("查看 投票站")
        page.goto(f"{base}/admin/voting/stationclosure/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("投票站关闭记录")

    with audited_context(browser, **DESKTOP) as context:
        page = context.new_page()
        log_in(page, base, "root", "pw-root-123")
        heading(page, "社区参与式治理")
        page.goto(f"{base}/admin/rounds/round/{round.pk}/change/")
        expect(page.get_by_role("link", name=re.compile("退回重开"))).to_be_visible()
        page.goto(f"{base}/admin/voting/voidedtally/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("选择")
        page.goto(f"{base}/admin/proposals/proposal/")
        heading(page, "选择 项目提议 来修改")
        page.goto(f"{base}/admin/proposals/ballotitem/")
        heading(page, "选择 项目库条目 来修改")


def test_superuser_plans_a_round(live_server, desktop, plan_round, superuser):
    base = live_server.url
    log_in(desktop, base, "root", "pw-root-123")
    desktop.goto(f"{base}/admin/rounds/round/{plan_round.pk}/change/")
    heading(desktop, "修改 微实事轮次")
    expect(desktop.get_by_label("社区")).to_be_visible()
    desktop.goto(f"{base}/admin/rounds/round/add/")
    heading(desktop, "增加 微实事轮次")
    desktop.goto(f"{base}/admin/auth/user/")
    heading(desktop, "选择 用户 来修改")
    desktop.goto(f"{base}/admin/proposals/proposal/add/")
    heading(desktop, "增加 项目提议")
    expect(desktop.get_by_label("提议人姓名")).to_be_visible()
    desktop.goto(f"{base}/admin/proposals/proposal/import/")
    heading(desktop, "从Excel导入纸质提议")
    expect(desktop.get_by_label("Excel文件")).to_be_visible()
    desktop.goto(f"{base}/admin/voting/ballotstation/add/")
    heading(desktop, "增加 投票站")
    expect(desktop.get_by_label("工作人员（第1行）")).to_be_visible()
    desktop.goto(f"{base}/admin/proposals/roundtable/add/")
    heading(desktop, "增加 邻里圆桌会")
    expect(desktop.get_by_label("决案书签字扫描件")).to_be_visible()


def test_staff_use_the_admin_in_english(live_server, desktop, plan_round, staff):
    base = live_server.url
    log_in(desktop, base, staff.username, STAFF_PASSWORD, prefix="/en")
    expect(desktop.get_by_role("heading", level=1)).to_be_visible()
    desktop.goto(f"{base}/en/admin/rounds/round/")
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Select")
    desktop.goto(f"{base}/en/admin/rounds/round/{plan_round.pk}/change/")
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Change")
    expect(desktop.get_by_label("Planned start (Publicity and the plan)")).to_be_visible()
    expect(desktop.get_by_label("Delete (Publicity and the plan)")).not_to_be_checked()
    today = desktop.locator(".datetimeshortcuts a").first
    expect(today).to_have_text("Today")
    expect(today).to_have_attribute("aria-label", re.compile(r"^Today \(.+\)$"))
    desktop.goto(f"{base}/en/admin/rounds/round/add/")
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Add")
    desktop.goto(f"{base}/en/admin/proposals/proposal/")
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Select")
