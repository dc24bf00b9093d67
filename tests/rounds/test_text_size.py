"""The large-text mode (大字版): one tap on any public page, remembered by the browser."""

import pytest
from django.urls import reverse

from rounds.text_size import COOKIE
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db

LARGE_HTML = '<html lang="zh-hans" class="large-text">'


def switch(client, size, back):
    return client.post(reverse("rounds:text_size"), {"size": size, "next": back})


def test_large_text_is_remembered_and_drawn_on_every_page(client):
    round = RoundFactory()
    assert LARGE_HTML not in client.get(reverse("rounds:home")).content.decode()

    response = switch(client, "large", round.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == round.get_absolute_url()
    assert response.cookies[COOKIE]["max-age"] == 365 * 24 * 60 * 60
    assert response.cookies[COOKIE]["httponly"]
    for page in (reverse("rounds:home"), round.get_absolute_url(), reverse("proposals:status")):
        html = client.get(page).content.decode()
        assert LARGE_HTML in html
        assert 'aria-pressed="true"' in html


def test_standard_size_again_forgets_the_choice(client):
    switch(client, "large", "/")

    response = switch(client, "standard", "/")

    assert response.cookies[COOKIE].value == ""
    html = client.get(reverse("rounds:home")).content.decode()
    assert "large-text" not in html
    assert 'aria-pressed="false"' in html


@pytest.mark.parametrize("back", ["https://example.com/", "//example.com/", ""])
def test_switch_never_sends_the_resident_to_another_site(client, back):
    assert switch(client, "large", back)["Location"] == reverse("rounds:home")


def test_switch_changes_nothing_on_a_get(client):
    assert client.get(reverse("rounds:text_size")).status_code == 405
