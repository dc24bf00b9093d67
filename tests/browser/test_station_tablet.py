"""Two officers run tablet ballot stations: a resident votes once, and a second try elsewhere is refused."""

import contextlib
import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from proposals.models import BallotItem, Category, Relation
from rounds.models import Stage
from tests.browser.accessibility import audited_context
from tests.browser.support import ARTIFACTS, fits_phone_width, watch_for_problems
from tests.factories import RoundFactory, UserFactory, put_at
from voting.models import (
    Ballot,
    BallotChoice,
    BallotStation,
    StationClosure,
    StationOfficer,
    VoterMark,
)
from voting.services import paper_count_enter

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# An iPad Air held upright: what the stations hand to voters.
TABLET = {
    "viewport": {"width": 820, "height": 1180},
    "is_mobile": True,
    "device_scale_factor": 2,
    "has_touch": True,
    "locale": "zh-CN",
}
PASSWORD = "pw-staff-123"
ITEMS = [
    ("1", "更换3栋至5栋路灯", Decimal("20000")),
    ("2", "中心花园加装休闲座椅", Decimal("15000")),
    ("3", "修缮儿童游乐场地面", Decimal("30000")),
]
ALREADY_VOTED = "该证件本轮已经投过票，每人只能投一次。"
# Apple's Human Interface Guidelines ask for 44pt; a ticked box must be easy to hit on a tablet.
MIN_TOUCH = 44


def gb11643(body):
    """Return the 18-character 居民身份证 number for its first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2).

    Written here from the standard, not taken from the app: the digit i places from the right
    (the check digit being place 1) weighs 2^(i-1) mod 11, and the check digit makes the
    weighted sum ≡ 1 (mod 11); a check value of 10 is written X.
    """
    assert re.fullmatch(r"\d{17}", body), body
    total = sum(int(digit) * pow(2, 17 - index, 11) for index, digit in enumerate(body))
    check = (1 - total) % 11
    return body + ("X" if check == 10 else str(check))


def id_number_ending_in_x():
    """A valid number born 1985-07-23 in 东城区 whose check digit is X, to test the lower-case x."""
    for serial in range(1000):
        number = gb11643(f"11010119850723{serial:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no serial gives X")


def library(round):
    for number, (ref, title, cost) in enumerate(ITEMS, start=1):
        BallotItem.objects.create(
            round=round,
            number=number,
            ref=ref,
            title=title,
            description=f"{title}，方便居民。",
            cost=cost,
            category=Category.CONSTRUCTION,
            location="小区内",
        )
    put_at(round, Stage.VOTING)


def make_station(round, name, address):
    today = timezone.localdate()  # the community's day, Asia/Shanghai
    station = BallotStation.objects.create(
        round=round,
        name=name,
        address=address,
        mode=BallotStation.Mode.TABLET,
        opens_on=today,
        closes_on=today,
        opens_at=datetime.time(0, 0),
        closes_at=datetime.time(23, 59, 59),
    )
    officer = UserFactory(is_staff=False)  # officers are volunteers, not staff
    StationOfficer.objects.create(station=station, user=officer, day=None)
    return station, officer


@contextlib.contextmanager
def tablet_page(browser):
    """Yield a page on a new tablet-sized browser context, audited."""
    with audited_context(browser, **TABLET) as context:
        yield context.new_page()


def log_in(page, live_server, officer):
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员登录")
    page.get_by_label("用户名").fill(officer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").tap()
    expect(page).to_have_url(live_server.url + "/stations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的投票站")


def open_station(page, live_server, station):
    links = page.locator("a.list-group-item")
    expect(links).to_have_count(1)  # an officer sees only the station they are on duty at
    page.get_by_role("link", name=re.compile(station.name)).tap()
    expect(page).to_have_url(live_server.url + f"/stations/{station.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(station.name)
    expect(page.get_by_role("heading", name="登记投票人")).to_be_visible()


def record_voter(page, number):
    page.get_by_label("在本社区居住").tap()
    page.get_by_label("证件类型").select_option(label="居民身份证（含港澳台居民居住证）")
    page.get_by_label("证件号码").fill(number)
    expect(page.get_by_label("在本社区居住")).to_be_checked()


def height(locator):
    return locator.bounding_box()["height"]


def test_tablet_voter_votes_once_and_a_second_try_at_another_station_is_refused(
    live_server, browser
):
    round = RoundFactory(max_choices=2)
    library(round)
    east, officer_a = make_station(round, "东门投票站", "社区党群服务中心一楼")
    west, officer_b = make_station(round, "西门投票站", "西门物业服务中心")
    number = id_number_ending_in_x()
    # A check of the helper against a published example (GB 11643 annex): 11010519491231002X.
    assert gb11643("11010519491231002") == "11010519491231002X"
    ARTIFACTS.mkdir(exist_ok=True)

    # Officer A signs in on the station's tablet and records a resident.
    with tablet_page(browser) as tablet_a:
        problems_a = watch_for_problems(tablet_a)
        log_in(tablet_a, live_server, officer_a)
        assert fits_phone_width(tablet_a)
        open_station(tablet_a, live_server, east)
        record_voter(tablet_a, number)
        register = tablet_a.get_by_role("button", name="登记并交给投票人")
        assert height(register) >= MIN_TOUCH
        assert fits_phone_width(tablet_a)
        tablet_a.screenshot(path=ARTIFACTS / "station-desk-tablet.png", full_page=True)
        register.tap()

        # The resident's ballot: the three projects of the library, nothing of the officer's desk.
        expect(tablet_a.get_by_role("heading", level=1)).to_have_text(round.title)
        expect(tablet_a.get_by_text("最多2个")).to_be_visible()
        boxes = tablet_a.get_by_role("checkbox")
        expect(boxes).to_have_count(3)
        choices = tablet_a.locator("label.ballot-choice")
        expect(choices).to_contain_text(
            ["1. 更换3栋至5栋路灯", "2. 中心花园加装休闲座椅", "3. 修缮儿童游乐场地面"]
        )
        expect(tablet_a.get_by_label("证件号码")).to_have_count(0)
        for index in range(3):
            assert height(choices.nth(index)) >= MIN_TOUCH
        submit = tablet_a.get_by_role("button", name="提交选票")
        assert height(submit) >= MIN_TOUCH
        assert fits_phone_width(tablet_a)

        # Three ticks, one too many: refused in Chinese, the ticks kept, nothing recorded.
        for index in range(3):
            choices.nth(index).tap()
        for index in range(3):
            expect(boxes.nth(index)).to_be_checked()
        submit.tap()
        expect(tablet_a.get_by_role("alert")).to_contain_text("最多选择2个项目，您选择了3个。")
        for index in range(3):
            expect(boxes.nth(index)).to_be_checked()
        assert VoterMark.objects.count() == 0
        assert Ballot.objects.count() == 0
        assert fits_phone_width(tablet_a)

        # The resident unticks the third and submits the first two.
        choices.nth(2).tap()
        expect(boxes.nth(2)).not_to_be_checked()
        expect(boxes.nth(0)).to_be_checked()
        expect(boxes.nth(1)).to_be_checked()
        assert fits_phone_width(tablet_a)
        tablet_a.screenshot(path=ARTIFACTS / "station-ballot-tablet.png", full_page=True)
        submit.tap()

        expect(tablet_a.get_by_role("heading", level=1)).to_have_text("投票成功，谢谢您！")
        expect(tablet_a.get_by_text("请将平板交还工作人员。")).to_be_visible()
        assert fits_phone_width(tablet_a)
        tablet_a.screenshot(path=ARTIFACTS / "station-cast-tablet.png", full_page=True)

        mark = VoterMark.objects.get()
        assert (mark.round, mark.station, mark.relation, mark.day) == (
            round,
            east,
            Relation.LIVES,
            timezone.localdate(),
        )
        assert number not in mark.voter_key and number.lower() not in mark.voter_key
        ballot = Ballot.objects.get()
        assert (ballot.round, ballot.station, ballot.kind) == (round, east, Ballot.Kind.VALID)
        assert sorted(ballot.items.values_list("ref", flat=True)) == ["1", "2"]
        assert BallotChoice.objects.count() == 2

        # The officer takes the tablet back and opens the next voter's form folded under the thanks.
        expect(tablet_a.get_by_label("证件号码")).to_be_hidden()
        tablet_a.get_by_text("工作人员：登记下一位投票人").tap()
        expect(tablet_a.get_by_label("证件号码")).to_have_value("")
        record_voter(tablet_a, gb11643("11010119800101001"))
        tablet_a.get_by_role("button", name="登记并交给投票人").tap()
        expect(tablet_a.get_by_role("button", name="提交选票")).to_be_visible()
        assert problems_a == []

    # The same resident tries again at the other station, the number typed differently.
    with tablet_page(browser) as tablet_b:
        problems_b = watch_for_problems(tablet_b)
        log_in(tablet_b, live_server, officer_b)
        open_station(tablet_b, live_server, west)
        typed = f"{number[:6]} {number[6:14]} {number[14:]}".lower()
        assert typed != number and typed.endswith("x")
        record_voter(tablet_b, typed)
        tablet_b.get_by_role("button", name="登记并交给投票人").tap()

        expect(tablet_b.get_by_text(ALREADY_VOTED)).to_be_visible()
        expect(tablet_b.get_by_role("heading", level=1)).to_contain_text(west.name)
        expect(tablet_b.get_by_role("button", name="提交选票")).to_have_count(0)
        expect(tablet_b.get_by_role("checkbox")).to_have_count(0)
        assert fits_phone_width(tablet_b)
        tablet_b.screenshot(path=ARTIFACTS / "station-refusal-tablet.png", full_page=True)
        assert VoterMark.objects.count() == 1
        assert Ballot.objects.count() == 1
        assert BallotChoice.objects.count() == 2
        assert problems_b == []


def test_officer_on_a_phone_hands_over_takes_back_and_closes_after_checking_counts(
    live_server, phone
):
    round = RoundFactory(max_choices=2)
    library(round)
    station, officer = make_station(round, "东门投票站", "社区党群服务中心一楼")
    officer.first_name = "赵敏"
    officer.save()
    ARTIFACTS.mkdir(exist_ok=True)
    page = phone
    problems = watch_for_problems(page)
    log_in(page, live_server, officer)
    expect(page.get_by_text("工作人员：赵敏")).to_be_visible()
    open_station(page, live_server, station)
    expect(page.get_by_text("工作人员：赵敏")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()

    # The close link is small and far below the desk's button, not next to it.
    register = page.get_by_role("button", name="登记并交给投票人")
    close_link = page.get_by_role("link", name="关闭投票站并点票…")
    gap = close_link.bounding_box()["y"] - (
        register.bounding_box()["y"] + register.bounding_box()["height"]
    )
    assert gap >= 48
    assert height(close_link) < height(register)
    assert fits_phone_width(page)
    page.screenshot(path=ARTIFACTS / "station-desk-phone.png", full_page=True)

    record_voter(page, gb11643("11010119800101001"))
    register.tap()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="提交选票").tap()

    # In the voter's hands: thanks and "hand it back"; the next voter's form stays folded.
    expect(page.get_by_role("heading", level=1)).to_have_text("投票成功，谢谢您！")
    expect(page.get_by_text("请将平板交还工作人员。")).to_be_visible()
    expect(page.get_by_label("证件号码")).to_be_hidden()
    expect(page.get_by_role("button", name="登记并交给投票人")).to_be_hidden()
    expect(page.get_by_role("link", name="关闭投票站并点票…")).to_have_count(0)
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)
    assert fits_phone_width(page)
    page.screenshot(path=ARTIFACTS / "station-hand-back-phone.png", full_page=True)

    # The officer opens the next voter's form, then goes to the desk to close: counts first.
    page.get_by_text("工作人员：登记下一位投票人").tap()
    expect(page.get_by_label("证件号码")).to_have_value("")
    expect(page.get_by_role("button", name="登记并交给投票人")).to_be_visible()
    page.get_by_role("link", name="返回投票站页面").tap()
    page.get_by_role("link", name="关闭投票站并点票…").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("关闭投票站并点票")
    count = page.locator(".closure-count")
    expect(count.locator("dt")).to_have_text(
        ["登记投票人数", "清点选票数", "登记未投", "有效票", "空白票", "无效票"]
    )
    expect(count.locator("dd")).to_have_text(["1", "1", "0", "1", "0", "0"])
    expect(page.get_by_label("赵敏")).to_be_visible()
    assert fits_phone_width(page)
    page.screenshot(path=ARTIFACTS / "station-close-phone.png", full_page=True)
    assert not StationClosure.objects.exists()

    page.get_by_label("赵敏").check()
    page.get_by_label("在场监票人").fill("居民代表 李**")
    page.get_by_role("button", name="确认关闭并点票").tap()
    expect(page.get_by_text("投票站已关闭，点票记录已保存。")).to_be_visible()
    assert StationClosure.objects.get().ballots_counted == 1

    page.get_by_role("button", name="退出登录").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员登录")
    page.goto(live_server.url + "/stations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员登录")
    assert problems == []


def test_paper_reentry_on_a_phone_is_prefilled_and_marks_the_differing_lines(
    live_server, phone
):
    round = RoundFactory(max_choices=2)
    library(round)
    station, first = make_station(round, "老年活动中心", "老年活动中心一楼")
    station.mode = BallotStation.Mode.PAPER
    station.save()
    first.first_name = "赵敏"
    first.save()
    second = UserFactory(is_staff=False, first_name="钱多")
    StationOfficer.objects.create(station=station, user=second, day=None)
    paper_count_enter(station=station, officer=first, lines="1\n2\n空白")
    page = phone
    problems = watch_for_problems(page)
    log_in(page, live_server, second)
    page.goto(live_server.url + f"/stations/{station.pk}/paper/")
    expect(page.get_by_text("空白票写「空白」或0")).to_be_visible()
    typing = page.get_by_label("纸质选票内容")
    expect(typing).to_have_value("")
    typing.fill("1\n3\n空白")
    page.get_by_role("button", name="保存录入").tap()
    expect(page.get_by_text("已保存您的录入")).to_be_visible()

    # Back on the page: what was typed is there to correct, the differing line marked.
    page.goto(live_server.url + f"/stations/{station.pk}/paper/")
    expect(typing).to_have_value("1\n3\n空白")
    differences = page.locator(".paper-difference")
    expect(differences).to_have_text(["第2行：您录入「3」，赵敏录入「2」"])
    assert fits_phone_width(page)
    page.screenshot(path=ARTIFACTS / "station-paper-reentry-phone.png", full_page=True)

    typing.fill("1\n2\n空白")
    page.get_by_role("button", name="保存录入").tap()
    expect(page.get_by_text("已保存您的录入")).to_be_visible()
    page.goto(live_server.url + f"/stations/{station.pk}/paper/")
    expect(page.get_by_text("您的录入与赵敏的录入逐行一致。")).to_be_visible()
    expect(page.locator(".paper-difference")).to_have_count(0)
    assert problems == []
