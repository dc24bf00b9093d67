"""Browser fixtures: one Debian Chromium per test session, a fresh phone-sized page per test."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from playwright.sync_api import sync_playwright

from tests.browser.accessibility import SESSION, audited_context, write_summary
from tests.browser.support import ARTIFACTS, LONG_TITLE
from tests.factories import RoundFactory, complete_plan, staff_user
from tests.voting.test_certify import Stations, certify, on_ballot

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Roughly an iPhone 12-14: what most residents will open the pages on.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "device_scale_factor": 2,
    "has_touch": True,
    "locale": "zh-CN",
}


@pytest.fixture(scope="session")
def browser():
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def phone(browser):
    """A page in a new phone-sized browser context (own cookies, own storage), audited."""
    with audited_context(browser, **PHONE) as context:
        yield context.new_page()


def pytest_terminal_summary(terminalreporter):
    if SESSION.reports:
        figures = write_summary(ARTIFACTS / "accessibility.json")
        terminalreporter.write_sep("-", "accessibility audits")
        for name, value in figures.items():
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(autouse=True)
def negative_list(transactional_db):
    """The seven 七不入 reasons, which a migration loads and each live-server test's flush empties."""
    migration = importlib.import_module("proposals.migrations.0002_negative_list")
    migration.load_negative_list(apps, schema_editor=None)


@pytest.fixture
def certified():
    """A certified round of three items; item 1 has a long title, 1 and 3 are selected."""
    round = complete_plan(RoundFactory(total_fund=Decimal("100000"), project_cap=Decimal("50000")))
    staff = staff_user("community", round.community)
    proposals = on_ballot(round, staff, "50000", "30000", "40000.50")
    round.ballot_items.filter(ref="1").update(title=LONG_TITLE)
    stations = Stations(round)
    stations.vote(["1", "3"], ["1", "3"], ["1"], ["2"])
    stations.close()
    certify(round, staff)
    return round, proposals


# Staff work in the admin on a desktop or a laptop.
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


@pytest.fixture
def desktop(browser):
    """A page in a new desktop-sized browser context, audited."""
    with audited_context(browser, **DESKTOP) as context:
        yield context.new_page()
