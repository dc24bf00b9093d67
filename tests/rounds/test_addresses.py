"""The client's address: REMOTE_ADDR, or X-Forwarded-For read through the trusted proxies."""

import pytest
from django.test import RequestFactory

from rounds.addresses import client_address


def request(forwarded_for=None):
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers)


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0

    assert client_address(request("203.0.113.7")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, " 2001:db8::7 ", "2001:db8::7"),
    ],
)
def test_behind_proxies_the_client_is_that_many_entries_from_the_right(
    settings, proxies, forwarded_for, client
):
    settings.TRUSTED_PROXIES = proxies

    assert client_address(request(forwarded_for)) == client


@pytest.mark.parametrize("forwarded_for", [None, "", "203.0.113.7", "not-an-address, 10.0.0.9"])
def test_a_request_that_did_not_pass_every_proxy_counts_by_remote_addr(settings, forwarded_for):
    settings.TRUSTED_PROXIES = 2

    assert client_address(request(forwarded_for)) == "10.0.0.1"
