import datetime
import threading
from functools import partial

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proposals.models import StatusLookupThrottle
from proposals.services import FAILED_LOOKUPS_PER_HOUR
from tests.factories import ProposalFactory, run_together
from tests.html_elements import by_id, described_by, elements

pytestmark = pytest.mark.django_db


def lookup(client, proposal, phone):
    """Return the status page for ``proposal``'s tracking code and ``phone``."""
    return client.post(
        reverse("proposals:status"), {"tracking_code": proposal.tracking_code, "phone": phone}
    ).content.decode()


def right_phone_after_too_many_wrong_guesses(client, proposal):
    """Guess the phone wrong as often as allowed, then give the right one; return that page."""
    for guess in range(FAILED_LOOKUPS_PER_HOUR):
        lookup(client, proposal, f"1390000{guess:04d}")
    return lookup(client, proposal, "13812345678")


def test_lookups_stop_after_too_many_wrong_guesses_even_with_the_right_phone(client):
    proposal = ProposalFactory(phone="13812345678")

    page = right_phone_after_too_many_wrong_guesses(client, proposal)

    assert "查询失败次数过多" in page
    assert proposal.title not in page


@pytest.mark.parametrize(("minutes_ago", "refused"), [(59, True), (61, False)])
def test_wrong_guesses_count_for_an_hour_from_the_first(client, minutes_ago, refused):
    proposal = ProposalFactory(phone="13812345678")
    right_phone_after_too_many_wrong_guesses(client, proposal)
    StatusLookupThrottle.objects.update(
        since=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )

    page = lookup(client, proposal, "13812345678")

    assert ("查询失败次数过多" in page) is refused
    assert (proposal.title in page) is not refused


def test_a_matching_lookup_does_not_count_against_the_address(client):
    proposal = ProposalFactory(phone="13812345678")

    for _ in range(FAILED_LOOKUPS_PER_HOUR + 5):
        page = lookup(client, proposal, "13812345678")

    assert proposal.title in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_guesses_are_answered_at_most_the_limit():
    proposal = ProposalFactory(phone="13812345678")
    guesses = 30
    start = threading.Barrier(guesses)
    pages = []

    def guess(number):
        browser = Client()
        start.wait()
        pages.append(lookup(browser, proposal, f"1390000{number:04d}"))

    run_together(*(partial(guess, number) for number in range(guesses)))

    answered = [page for page in pages if "不匹配" in page]
    assert len(answered) == FAILED_LOOKUPS_PER_HOUR
    assert sum("查询失败次数过多" in page for page in pages) == guesses - FAILED_LOOKUPS_PER_HOUR
    assert StatusLookupThrottle.objects.get().guesses == FAILED_LOOKUPS_PER_HOUR


def forwarded_lookup(client, proposal, phone, forwarded_for):
    """Look up from behind the reverse proxy at 10.0.0.1, which passes on X-Forwarded-For."""
    return client.post(
        reverse("proposals:status"),
        {"tracking_code": proposal.tracking_code, "phone": phone},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    ).content.decode()


def test_behind_a_proxy_the_limit_keys_on_the_client_not_the_proxy(client, settings):
    settings.TRUSTED_PROXIES = 1
    proposal = ProposalFactory(phone="13812345678")
    for number in range(FAILED_LOOKUPS_PER_HOUR):
        spoof = f"198.51.100.{number}"
        forwarded_lookup(client, proposal, f"1390000{number:04d}", f"{spoof}, 203.0.113.7")

    spoofed = forwarded_lookup(client, proposal, "13812345678", "198.51.100.99, 203.0.113.7")
    neighbour = forwarded_lookup(client, proposal, "13812345678", "203.0.113.8")

    assert "查询失败次数过多" in spoofed
    assert proposal.title in neighbour


def alerts(page):
    return [e for e in elements(page) if e.attrs.get("role") == "alert"]


def test_a_phone_that_does_not_match_is_announced_as_an_alert(client):
    proposal = ProposalFactory(phone="13812345678")

    page = lookup(client, proposal, "13900000000")

    [alert] = alerts(page)
    assert alert.text == "查询码与手机号码不匹配，请核对后再试。"
    assert proposal.title not in page


def test_too_many_wrong_guesses_are_announced_as_an_alert(client):
    proposal = ProposalFactory(phone="13812345678")

    page = right_phone_after_too_many_wrong_guesses(client, proposal)

    [alert] = alerts(page)
    assert alert.text.startswith("查询失败次数过多")


def test_fields_left_empty_are_announced_and_each_tied_to_its_field(client):
    page = client.post(reverse("proposals:status"), {"tracking_code": "", "phone": ""})
    page = page.content.decode()

    [alert] = alerts(page)
    assert "查询码：" in alert.text and "提交时填写的手机号码：" in alert.text
    ids = by_id(page)
    for name in ("id_tracking_code", "id_phone"):
        field = ids[name]
        assert field.attrs["aria-invalid"] == "true"
        assert described_by(field, ids) in alert.text


def test_the_lookup_form_has_no_alert_before_it_is_sent(client):
    assert alerts(client.get(reverse("proposals:status")).content.decode()) == []
