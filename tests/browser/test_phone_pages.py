"""Where to vote, each project's own page, the downloads and the stage badges, on a 390 px phone."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from rounds.models import Stage
from tests.browser.support import fits_phone_width, watch_for_problems
from tests.factories import BallotStationFactory, RoundFactory, complete_plan, put_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_round_page_during_voting_says_where_and_when_to_vote(live_server, phone):
    round = put_at(complete_plan(RoundFactory()), Stage.VOTING)
    BallotStationFactory(round=round, name="东区投票站", address="东区活动室")
    BallotStationFactory(round=round, name="西区投票站", address="西区门卫室旁")
    problems = watch_for_problems(phone)

    phone.goto(live_server.url + round.get_absolute_url())

    stations = phone.locator(".voting-station")
    expect(stations).to_have_count(2)
    expect(stations.first).to_contain_text("东区投票站")
    expect(stations.first).to_contain_text("东区活动室")
    expect(stations.first).to_contain_text("09:00")
    expect(stations.last).to_contain_text("西区门卫室旁")
    assert fits_phone_width(phone)
    assert problems == []


def test_resident_goes_from_the_results_to_a_project_and_its_proposal(
    live_server, phone, certified
):
    round, proposals = certified
    problems = watch_for_problems(phone)
    phone.goto(live_server.url + f"/rounds/{round.pk}/results/")

    phone.locator("table.results-table").get_by_role("link").first.click()

    expect(phone).to_have_url(live_server.url + f"/rounds/{round.pk}/library/1/")
    assert fits_phone_width(phone)
    proposal_link = phone.locator(f'a[href^="/rounds/{round.pk}/proposals/WS-"]').first
    proposal_link.click()

    assert "/proposals/WS-" in phone.url
    proposal = next(p for p in proposals if p.tracking_code in phone.url)
    expect(phone.get_by_role("heading", level=1)).to_have_text(proposal.title)
    main = phone.locator("main").inner_text()
    assert proposal.masked_name in main
    assert proposal.proposer_name not in main and proposal.phone not in phone.content()
    assert fits_phone_width(phone)
    assert problems == []


def test_downloads_open_in_excel_on_chinese_windows(live_server, phone, certified, tmp_path):
    round, _proposals = certified
    phone.goto(live_server.url + f"/rounds/{round.pk}/results/")
    downloads = phone.get_by_role("region", name="下载与核验")

    with phone.expect_download() as csv_download:
        downloads.get_by_role("link", name="CSV").first.click()
    with phone.expect_download() as xlsx_download:
        downloads.get_by_role("link", name="Excel").first.click()

    csv_bytes = Path(csv_download.value.path()).read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert csv_bytes[3:].decode().split(",")[0] == "排名"
    assert Path(xlsx_download.value.path()).read_bytes().startswith(b"PK")  # a zip: .xlsx


def test_stage_badge_of_an_archived_round_stays_on_one_line(live_server, phone):
    round = put_at(
        RoundFactory(title="2025年度 长桥街道 龙西社区 和谐微实事项目征集与投票"), Stage.CLOSED
    )

    phone.goto(live_server.url + "/")

    badge = phone.get_by_text(str(Stage.CLOSED.label), exact=True)
    expect(badge).to_be_visible()
    height, line = badge.evaluate(
        "el => [el.getBoundingClientRect().height, parseFloat(getComputedStyle(el).fontSize)]"
    )
    assert height < 2 * line
    assert fits_phone_width(phone)
    assert round.title in phone.content()
