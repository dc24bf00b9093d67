"""Every public page, in Chinese and in English, with and without errors, as a resident on a phone.

The audit (tests/browser/accessibility.py) checks each page as it loads: axe-core's WCAG 2.0/2.1
A and AA rules, reflow at 200% text, 44 px targets, 14 px text, visible field borders.
"""

import pytest
from playwright.sync_api import expect

from rounds.models import Stage
from rounds.services import round_transition
from tests.factories import CommunityFactory, RoundFactory, complete_plan, staff_user
from tests.notices.publicity.support import enter_publicity, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PREFIX = {"zh-hans": "", "en": "/en"}


@pytest.fixture
def collecting():
    community = CommunityFactory()
    round = complete_plan(RoundFactory(community=community))
    round_transition(round=round, to=Stage.COLLECTION, actor=staff_user("community", community))
    return round


@pytest.fixture
def planning():
    """A round whose draft plan is out for residents' comments."""
    return complete_plan(RoundFactory())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_public_page_and_its_errors(
    live_server, phone, certified, collecting, planning, language
):
    url = live_server.url + PREFIX[language]
    counted, proposals = certified
    staff = staff_user("community", counted.community)
    enter_publicity(counted, staff)
    publish(counted.notices.get(), staff)
    pages = [
        "/",
        planning.get_absolute_url(),
        collecting.get_absolute_url(),
        f"/rounds/{collecting.pk}/propose/",
        f"/rounds/{counted.pk}/proposals/",
        f"/rounds/{counted.pk}/library/",
        f"/rounds/{counted.pk}/library/1/",
        f"/rounds/{counted.pk}/proposals/{proposals[0].tracking_code}/",
        f"/rounds/{counted.pk}/results/",
        f"/rounds/{counted.pk}/notice/",
        f"/rounds/{counted.pk}/notice/1/",
        "/proposals/status/",
        "/accounts/login/",
    ]
    for path in pages:
        phone.goto(url + path)
        expect(phone.locator("html")).to_have_attribute("lang", language)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()

    # With errors: a comment on the plan with markup in it, the proposal form sent empty, a
    # wrong status look-up, a wrong password.
    phone.goto(url + planning.get_absolute_url())
    phone.locator("textarea[name=text]").fill("<b>路灯</b>")
    phone.locator("input[name=name]").fill("李建国")
    phone.locator("input[name=contact]").fill("13900001111")
    phone.locator("main form [type=submit]").last.tap()
    expect(phone.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    phone.goto(url + f"/rounds/{collecting.pk}/propose/")
    phone.locator("main form [type=submit]").last.tap()
    expect(phone.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    phone.goto(url + "/proposals/status/")
    phone.locator("input[name=tracking_code]").fill("WS-2026-0000")
    phone.locator("input[name=phone]").fill("13900000000")
    phone.locator("main form [type=submit]").tap()
    expect(phone.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
    phone.goto(url + "/accounts/login/")
    phone.locator("input[name=username]").fill("nobody")
    phone.locator("input[name=password]").fill("wrong-password")
    phone.locator("main form [type=submit]").tap()
    expect(phone.locator(".alert-danger, .invalid-feedback, .errorlist").first).to_be_visible()


def test_large_text_is_one_tap_away_and_remembered(live_server, phone, collecting):
    phone.goto(live_server.url + "/")
    root_size = "() => getComputedStyle(document.documentElement).fontSize"
    assert phone.evaluate(root_size) == "16px"

    phone.get_by_role("button", name="大字版").tap()

    expect(phone.get_by_role("button", name="大字版")).to_have_attribute("aria-pressed", "true")
    assert phone.evaluate(root_size) == "20px"
    phone.get_by_role("link", name=collecting.title).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text(collecting.title)
    assert phone.evaluate(root_size) == "20px"

    phone.get_by_role("button", name="大字版").tap()

    expect(phone.get_by_role("button", name="大字版")).to_have_attribute("aria-pressed", "false")
    assert phone.evaluate(root_size) == "16px"
    expect(phone.get_by_role("heading", level=1)).to_have_text(collecting.title)
