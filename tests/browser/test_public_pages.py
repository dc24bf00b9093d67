"""Public pages in a phone-sized Chromium, served by the live server with its static files."""

import pytest
from playwright.sync_api import expect

from rounds.models import Stage
from rounds.services import round_transition
from tests.browser.support import ARTIFACTS, fits_phone_width, watch_for_problems
from tests.factories import CommunityFactory, RoundFactory, complete_plan, staff_user

EIGHT_STEPS = [str(stage.label) for stage in Stage if stage != Stage.CLOSED]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_resident_on_phone_follows_round_from_home_and_sees_timeline(live_server, phone):
    community = CommunityFactory()
    round = complete_plan(RoundFactory(community=community))
    round_transition(round=round, to=Stage.COLLECTION, actor=staff_user("community", community))
    street = community.street
    problems = watch_for_problems(phone)

    phone.goto(live_server.url + "/")

    expect(phone.get_by_role("heading", name=street.name)).to_be_visible()
    expect(phone.get_by_role("heading", name=community.name, exact=True)).to_be_visible()
    link = phone.get_by_role("link", name=round.title)
    expect(link).to_be_visible()
    assert fits_phone_width(phone)

    link.click()

    expect(phone).to_have_url(live_server.url + round.get_absolute_url())
    expect(phone.get_by_role("heading", level=1)).to_have_text(round.title)
    steps = phone.get_by_role("region", name="八步工作法").get_by_role("listitem")
    expect(steps).to_have_count(8)
    expect(steps).to_contain_text(
        [f"{number}. {label}" for number, label in enumerate(EIGHT_STEPS, start=1)]
    )
    current = phone.locator('li[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text(f"2. {Stage.COLLECTION.label}")  # 项目征集,建议共提
    assert fits_phone_width(phone)
    # The vendored Bootstrap and the site's own stylesheet were served and applied.
    assert phone.locator(".navbar").evaluate("el => getComputedStyle(el).display") == "flex"
    assert current.evaluate("el => getComputedStyle(el).fontWeight") == "500"
    assert problems == []

    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "round-phone.png", full_page=True)
