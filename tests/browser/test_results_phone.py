"""The results and the proposal list on a 390 px phone, in Chinese and in English."""

import pytest
from django.utils import translation

from proposals.models import NegativeListReason
from proposals.services import proposal_screen
from rounds.models import Stage
from tests.browser.support import ARTIFACTS, watch_for_problems
from tests.factories import (
    ProposalFactory,
    RoundFactory,
    complete_plan,
    put_at,
    screened_in,
    staff_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= 390"


def open_results(phone, live_server, round, language):
    with translation.override(language):
        url = live_server.url + round.get_absolute_url().replace(
            f"/rounds/{round.pk}/", f"/rounds/{round.pk}/results/"
        )
    problems = watch_for_problems(phone)
    phone.goto(url)
    assert problems == []
    return phone.locator("table.results-table")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_results_fit_a_phone_with_every_column_in_view(phone, live_server, certified, language):
    round, _proposals = certified

    table = open_results(phone, live_server, round, language)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / f"results-phone-{language}.png", full_page=True)

    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    wrapper = phone.locator(".table-responsive")
    assert wrapper.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert table.locator("td.result").first.is_visible()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_results_headers_stay_on_one_line(phone, live_server, certified, language):
    round, _proposals = certified

    table = open_results(phone, live_server, round, language)

    heights = table.locator("thead th:visible").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(c).lineHeight))"
    )
    assert heights and max(heights) < 2


def test_results_say_selected_once_and_write_every_amount_in_one_format(
    phone, live_server, certified
):
    round, _proposals = certified

    table = open_results(phone, live_server, round, "zh-hans")

    first = table.locator("tbody tr").first
    assert first.locator("td.result").inner_text().strip() == "入选"
    assert "50,000 元" in first.inner_text()
    assert "40,000.50 元" in table.inner_text()
    legend = phone.locator(".fill-legend li")
    assert legend.count() == 2
    assert "50,000 元" in legend.first.inner_text()


def test_english_proposal_list_fits_a_phone(phone, live_server):
    round = put_at(complete_plan(RoundFactory()), Stage.SCREENING)
    staff = staff_user("community", round.community)
    for number in range(1, 8):
        proposal_screen(
            proposal=ProposalFactory(round=round),
            actor=staff,
            exclusions=[(NegativeListReason.objects.get(number=number), "经核实")],
        )
    for _ in range(2):
        screened_in(ProposalFactory(round=round), staff)
    ProposalFactory(round=round)

    with translation.override("en"):
        phone.goto(live_server.url + f"/en/rounds/{round.pk}/proposals/")

    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
