"""The officer's pages at a ballot station: record a voter, the voter's ballot, typing and closing."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.services import ballot_item_update
from rounds.models import Stage
from rounds.services import round_transition
from tests.digits import ZEROS, in_script, script_name
from tests.factories import (
    BallotItemFactory,
    BallotStationFactory,
    CommunityFactory,
    RoundFactory,
    id_card_number,
    put_at,
    station_officer,
)
from voting.models import Ballot, BallotStation, StationClosure, StationOfficer, VoterMark

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"
TITLES = ["更换楼道声控灯", "增设电动车充电桩", "修缮儿童游乐场"]
TOKEN = re.compile(r'name="token" value="([^"]+)"')
STATION_PAGES = ["voting:desk", "voting:ballot", "voting:paper", "voting:close"]


@pytest.fixture
def round():
    round = put_at(RoundFactory(max_choices=2), Stage.VOTING)
    for title in TITLES:
        BallotItemFactory(round=round, title=title)
    return round


def open_all_day(round, **kwargs):
    """Return a station of ``round`` open right now, whatever the time the tests run."""
    today = timezone.localdate()
    return BallotStationFactory(
        round=round,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=1),
        opens_at=datetime.time(0),
        closes_at=datetime.time.max,
        **kwargs,
    )


@pytest.fixture
def station(round):
    return open_all_day(round, name="东区投票站")


@pytest.fixture
def paper(round):
    return open_all_day(round, name="老年活动中心", mode=BallotStation.Mode.PAPER)


@pytest.fixture
def officer(client, station):
    user = station_officer(station)
    client.force_login(user)
    return user


def record_voter(client, station, number=NUMBER, **data):
    fields = {"relation": "lives", "document_type": "id_card", "document_number": number, **data}
    return client.post(reverse("voting:desk", args=[station.pk]), fields, follow=True)


def submit_ballot(client, station, ballot_page, refs):
    token = TOKEN.search(ballot_page.content.decode()).group(1)
    return client.post(
        reverse("voting:ballot", args=[station.pk]), {"token": token, "items": refs}, follow=True
    )


def vote(client, station, refs, number=NUMBER):
    return submit_ballot(client, station, record_voter(client, station, number), refs)


def close_page(client, station, **data):
    fields = {"observers": "提议人 王**\n居民代表 李**", **data}
    return client.post(reverse("voting:close", args=[station.pk]), fields, follow=True)


@pytest.mark.parametrize("name", ["voting:stations", *STATION_PAGES])
def test_station_pages_require_login(client, station, name):
    args = [] if name == "voting:stations" else [station.pk]

    response = client.get(reverse(name, args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_station_list_shows_only_the_officer_stations(client, round, station, officer):
    open_all_day(round, name="西区投票站")

    page = client.get(reverse("voting:stations")).content.decode()

    assert "东区投票站" in page
    assert "西区投票站" not in page


def test_recorded_voter_gets_the_ballot_with_the_library(client, station, officer):
    page = record_voter(client, station).content.decode()

    assert all(title in page for title in TITLES)
    assert "提交选票" in page
    assert not VoterMark.objects.exists()


def test_ballot_page_does_not_show_the_document_number(client, station, officer):
    page = record_voter(client, station).content.decode()

    assert NUMBER not in page
    assert NUMBER[6:14] not in page


def test_submitted_ticks_make_one_ballot_and_a_thank_you(client, station, officer):
    response = vote(client, station, ["1", "3"])

    assert "投票成功" in response.content.decode()
    ballot = Ballot.objects.get()
    assert sorted(ballot.items.values_list("title", flat=True)) == sorted([TITLES[0], TITLES[2]])
    assert VoterMark.objects.get().station == station


def test_thank_you_page_folds_the_next_voters_form_while_the_voter_holds_the_tablet(
    client, station, officer
):
    page = vote(client, station, ["1"]).content.decode()

    assert "请将平板交还工作人员" in page
    folded = re.search(r"<details class=\"next-voter[^\"]*\">(.*?)</details>", page, re.S)
    assert folded, "the next voter's form is folded under the thanks"
    assert 'name="document_number"' in folded.group(1)
    assert page.count('name="document_number"') == 1
    assert 'name="items"' not in page
    assert "关闭投票站" not in page
    assert "退出登录" not in page
    assert NUMBER not in page


def test_next_voter_is_recorded_from_the_thank_you_page(client, station, officer):
    page = vote(client, station, ["1"]).content.decode()
    desk = reverse("voting:desk", args=[station.pk])

    assert f'action="{desk}"' in page
    assert f'href="{desk}"' in page  # the desk itself, to close the station after the last voter
    fields = {"relation": "lives", "document_type": "id_card", "document_number": id_card_number(7)}
    ballot_page = client.post(desk, fields).content.decode()
    assert "提交选票" in ballot_page
    assert TOKEN.search(ballot_page)


def test_voters_screen_is_in_large_text_whatever_the_officer_chose(client, station, officer):
    large = '<html lang="zh-hans" class="large-text">'
    assert large not in client.get(reverse("voting:desk", args=[station.pk])).content.decode()

    ballot = record_voter(client, station)
    thanks = submit_ballot(client, station, ballot, ["1"])

    assert large in ballot.content.decode()
    assert large in thanks.content.decode()


def test_ballot_shows_the_items_as_changed_while_the_round_was_reopened(
    client, round, station, officer, superuser
):
    """The ballot's items are kept while voting; a move back and forth must not keep old ones."""
    assert TITLES[0] in record_voter(client, station).content.decode()

    round_transition(round=round, to=Stage.SCREENING, actor=superuser, note="项目名称有误")
    item = round.ballot_items.get(title=TITLES[0])
    ballot_item_update(item=item, changes={"title": "更换楼道感应灯"})
    round_transition(round=round, to=Stage.VOTING, actor=superuser)

    ballot = record_voter(client, station, id_card_number(8)).content.decode()
    assert "更换楼道感应灯" in ballot
    assert TITLES[0] not in ballot


def test_ballot_without_its_token_sends_the_officer_back_to_the_desk(client, station, officer):
    response = client.post(
        reverse("voting:ballot", args=[station.pk]), {"items": ["1"]}, follow=True
    )

    assert "选票已超时或无效" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("voting:desk", args=[station.pk])
    assert not Ballot.objects.exists()


def test_same_document_again_is_refused_at_the_desk(client, station, officer):
    vote(client, station, ["1"])

    page = record_voter(client, station, "110105 19491231 002x").content.decode()

    assert "已经投过票" in page
    assert re.search(r'role="alert">(?:(?!</div>).)*已经投过票', page, re.S), "announced"
    assert "提交选票" not in page
    assert Ballot.objects.count() == 1


def test_same_document_in_any_digit_script_is_refused_at_the_desk(client, station, officer):
    vote(client, station, ["1"])

    for zero in ZEROS:
        page = record_voter(client, station, in_script(NUMBER, zero)).content.decode()

        assert "已经投过票" in page, script_name(zero)
        assert "提交选票" not in page
    assert (VoterMark.objects.count(), Ballot.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    "typed",
    ["８７６５４３２１", "8765432１", "٨٧٦٥٤٣٢١"],
    ids=["full-width", "one-full-width", "arabic-indic"],
)
def test_same_permit_in_other_digits_is_refused_at_a_paper_desk(client, paper, typed):
    client.force_login(station_officer(paper))
    record_voter(client, paper, "87654321", document_type="taiwan")

    page = record_voter(client, paper, typed, document_type="taiwan").content.decode()

    assert "已经投过票" in page
    assert VoterMark.objects.count() == 1


def test_same_document_at_another_station_is_refused(client, round, station, officer):
    vote(client, station, ["1"])
    west = open_all_day(round, name="西区投票站")
    client.force_login(station_officer(west))

    page = record_voter(client, west).content.decode()

    assert "已经投过票" in page
    assert Ballot.objects.count() == 1


def test_ballot_submitted_twice_makes_one_ballot(client, station, officer):
    ballot_page = record_voter(client, station)
    submit_ballot(client, station, ballot_page, ["1"])

    again = submit_ballot(client, station, ballot_page, ["2"])

    assert "已经投过票" in again.content.decode()
    assert Ballot.objects.count() == 1


def test_ballot_with_too_many_ticks_shows_the_limit(client, station, officer):
    page = vote(client, station, ["1", "2", "3"]).content.decode()

    assert "最多选择2个项目，您选择了3个" in page
    assert not Ballot.objects.exists()
    assert not VoterMark.objects.exists()


def test_ballot_without_a_tick_is_not_cast(client, station, officer):
    page = vote(client, station, []).content.decode()

    assert "提交选票" in page
    assert "alert-danger" in page
    assert not Ballot.objects.exists()


def test_tampered_ballot_is_refused(client, station, officer):
    response = client.post(
        reverse("voting:ballot", args=[station.pk]),
        {"token": "forged", "items": ["1"]},
        follow=True,
    )

    assert "选票已超时" in response.content.decode()
    assert not Ballot.objects.exists()


def test_wrong_id_card_number_at_the_desk_shows_why(client, station, officer):
    page = record_voter(client, station, NUMBER[:-1] + "1").content.decode()

    assert "身份证号码不正确" in page
    assert "提交选票" not in page


def test_paper_station_records_the_voter_and_asks_for_a_paper_ballot(client, paper):
    client.force_login(station_officer(paper))

    page = record_voter(client, paper).content.decode()

    assert "请发给这位居民一张纸质选票" in page
    assert VoterMark.objects.get().station == paper
    assert not Ballot.objects.exists()


def test_paper_voter_recorded_again_is_refused(client, paper):
    client.force_login(station_officer(paper))
    record_voter(client, paper)

    page = record_voter(client, paper).content.decode()

    assert "已经投过票" in page
    assert VoterMark.objects.count() == 1


@pytest.mark.parametrize("name", STATION_PAGES)
def test_user_who_is_not_an_officer_of_the_station_gets_404(client, round, station, name):
    client.force_login(station_officer(open_all_day(round, name="西区投票站")))

    assert client.get(reverse(name, args=[station.pk])).status_code == 404


def test_close_page_closes_the_station(client, station, officer):
    vote(client, station, ["1"])

    response = close_page(client, station, officers=[officer.pk])

    assert "投票站已关闭" in response.content.decode()
    closure = StationClosure.objects.get(station=station)
    assert (closure.voters_marked, closure.valid) == (1, 1)


def test_closed_station_desk_takes_no_more_voters(client, station, officer):
    close_page(client, station, officers=[officer.pk])

    desk = client.get(reverse("voting:desk", args=[station.pk])).content.decode()
    refused = record_voter(client, station).content.decode()

    assert "已经关闭计票" in desk
    assert "登记并交给投票人" not in desk
    assert "已经关闭计票" in refused
    assert not VoterMark.objects.exists()


def test_close_page_without_observers_keeps_the_station_open(client, station, officer):
    page = close_page(client, station, officers=[officer.pk], observers="").content.decode()

    assert "确认关闭并点票" in page
    assert not StationClosure.objects.exists()


def test_blank_paper_ballot_typed_first_is_counted(client, paper):
    clerks = [station_officer(paper), station_officer(paper)]
    for number in [NUMBER, id_card_number(1)]:
        client.force_login(clerks[0])
        record_voter(client, paper, number)
    for clerk in clerks:
        client.force_login(clerk)
        client.post(reverse("voting:paper", args=[paper.pk]), {"lines": "空白\r\n1"})

    close_page(client, paper, officers=[clerk.pk for clerk in clerks])

    assert StationClosure.objects.get().blank == 1


def test_ballot_token_from_another_round_is_refused(client, station, officer):
    other_round = put_at(RoundFactory(community=CommunityFactory()), Stage.VOTING)
    BallotItemFactory(round=other_round)
    other = open_all_day(other_round, name="南区投票站")
    StationOfficer.objects.create(station=other, user=officer)
    ballot_page = record_voter(client, station)

    submit_ballot(client, other, ballot_page, ["1"])

    assert not other_round.ballots.exists()


def test_paper_station_without_voters_is_typed_empty_and_closed(client, paper):
    clerks = [station_officer(paper), station_officer(paper)]
    for clerk in clerks:
        client.force_login(clerk)
        typed = client.post(reverse("voting:paper", args=[paper.pk]), {"lines": ""}, follow=True)
        assert "已保存您的录入" in typed.content.decode()

    close_page(client, paper, officers=[clerk.pk for clerk in clerks])

    closure = StationClosure.objects.get()
    assert (closure.voters_marked, closure.ballots_counted) == (0, 0)


@pytest.mark.parametrize(("lines", "empty"), [("1\n\n2", 2), ("\r\n1\r\n2", 1)])
def test_paper_typing_with_an_empty_line_is_refused_on_the_page(client, paper, lines, empty):
    client.force_login(station_officer(paper))

    page = client.post(reverse("voting:paper", args=[paper.pk]), {"lines": lines})

    assert f"第{empty}行是空行" in page.content.decode()
    assert not paper.paper_counts.exists()


def test_station_pages_name_the_signed_in_officer_and_offer_a_logout(client, station):
    officer = station_officer(station, first_name="赵敏", username="zhaomin")
    client.force_login(officer)

    for name in ["voting:stations", "voting:desk", "voting:close"]:
        args = [] if name == "voting:stations" else [station.pk]
        page = client.get(reverse(name, args=args)).content.decode()

        assert "工作人员：赵敏" in page
        assert f'action="{reverse("logout")}"' in page and "退出登录" in page


def test_officer_without_a_full_name_is_shown_by_username(client, station):
    client.force_login(station_officer(station, first_name="", last_name="", username="zhanwu9"))

    page = client.get(reverse("voting:desk", args=[station.pk])).content.decode()

    assert "工作人员：zhanwu9" in page


def test_close_button_is_kept_apart_from_the_desk_button(client, station, officer):
    page = client.get(reverse("voting:desk", args=[station.pk])).content.decode()
    desk_button = page.index("登记并交给投票人")
    apart = page.index('class="station-admin')

    assert desk_button < apart < page.index(reverse("voting:close", args=[station.pk]))
    assert "btn-outline-danger" not in page


def test_close_page_shows_the_count_before_confirming(client, station, officer):
    vote(client, station, ["1"])
    VoterMark.objects.create(  # registered, then the tablet was dropped: no ballot
        round=station.round,
        station=station,
        voter_key="0" * 64,
        relation="lives",
        day=timezone.localdate(),
    )

    page = client.get(reverse("voting:close", args=[station.pk])).content.decode()

    counts = re.findall(r"<dt[^>]*>([^<]+)</dt><dd[^>]*>(\d+)</dd>", page)
    assert counts == [
        ("登记投票人数", "2"),
        ("清点选票数", "1"),
        ("登记未投", "1"),
        ("有效票", "1"),
        ("空白票", "0"),
        ("无效票", "0"),
    ]
    assert "确认关闭并点票" in page
    assert not StationClosure.objects.exists()


def test_closure_form_lists_officers_by_name(client, station):
    client.force_login(station_officer(station, first_name="赵敏", username="zhaomin"))

    page = client.get(reverse("voting:close", args=[station.pk])).content.decode()

    label = re.search(r'<label for="id_officers_0"[^>]*>\s*([^<]*?)\s*</label>', page)
    assert label.group(1) == "赵敏"


def test_paper_reentry_is_prefilled_and_marks_the_lines_that_differ(client, paper):
    first = station_officer(paper, first_name="赵敏")
    second = station_officer(paper, first_name="钱多")
    for clerk, lines in [(first, "1\n2\n3"), (second, "1\n3\n3\nX")]:
        client.force_login(clerk)
        client.post(reverse("voting:paper", args=[paper.pk]), {"lines": lines})

    page = client.get(reverse("voting:paper", args=[paper.pk])).content.decode()

    assert re.search(r"<textarea[^>]*>\s*1\n3\n3\nX</textarea>", page)
    assert "与赵敏的录入有2行不一致" in page
    assert "第2行：您录入「3」，赵敏录入「2」" in page
    assert "第4行：您录入「X」，赵敏录入「（无此行）」" in page
    assert "第3行" not in page


def test_officer_on_duty_only_yesterday_cannot_close_the_station_today(client, station):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    officer = station_officer(station, day=yesterday)
    client.force_login(officer)

    page = close_page(client, station, officers=[officer.pk]).content.decode()

    assert "您今天不是「东区投票站」的值班工作人员" in page
    assert not StationClosure.objects.exists()


def test_ballot_shows_each_project_description_and_location(client, round, station, officer):
    round.ballot_items.filter(title=TITLES[0]).update(
        description="更换12盏老旧声控灯", location="3号楼至5号楼楼道"
    )

    page = record_voter(client, station).content.decode()

    assert "更换12盏老旧声控灯" in page
    assert "3号楼至5号楼楼道" in page


def test_ballot_with_a_nul_in_a_tick_is_refused_on_the_page(client, station, officer):
    client.raise_request_exception = False

    response = vote(client, station, ["1\x00"])

    assert response.status_code == 200
    assert "选票上有不属于本轮项目库的项目" in response.content.decode()
    assert not VoterMark.objects.exists()
