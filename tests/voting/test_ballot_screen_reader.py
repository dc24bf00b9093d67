"""The desk's page as a screen reader reads it, without JavaScript.

The radios of 与社区的关系 carry their error.
"""

import pytest
from django.urls import reverse

from rounds.models import Stage
from tests.factories import BallotItemFactory, RoundFactory, put_at, station_officer
from tests.html_elements import by_id, described_by, elements
from tests.voting.test_officer_views import NUMBER, TITLES, open_all_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def round():
    round = put_at(RoundFactory(max_choices=2), Stage.VOTING)
    for title in TITLES:
        BallotItemFactory(round=round, title=title)
    return round


@pytest.fixture
def station(round):
    return open_all_day(round, name="东区投票站")


@pytest.fixture
def officer(client, station):
    user = station_officer(station)
    client.force_login(user)
    return user


def test_radios_left_empty_at_the_desk_are_described_by_their_error(client, station, officer):
    page = client.post(
        reverse("voting:desk", args=[station.pk]),
        {"document_type": "id_card", "document_number": NUMBER},
    ).content.decode()

    ids = by_id(page)
    radios = [e for e in elements(page) if e.attrs.get("name") == "relation"]
    assert len(radios) == 3
    for radio in radios:
        assert radio.attrs["aria-invalid"] == "true"
        assert "id_relation_error" in radio.attrs["aria-describedby"].split()
        assert described_by(radio, ids) == "这个字段是必填项。"
    group = next(e for e in elements(page) if e.tag == "fieldset")
    assert (group.attrs["role"], group.attrs["aria-invalid"]) == ("radiogroup", "true")
    assert group.attrs["aria-describedby"] == "id_relation_error"


def test_radios_of_a_fresh_desk_form_are_not_marked_invalid(client, station, officer):
    page = client.get(reverse("voting:desk", args=[station.pk])).content.decode()

    radios = [e for e in elements(page) if e.attrs.get("name") == "relation"]
    assert len(radios) == 3
    assert not any("aria-invalid" in r.attrs or "aria-describedby" in r.attrs for r in radios)
    group = next(e for e in elements(page) if e.tag == "fieldset")
    assert group.attrs["role"] == "radiogroup" and "aria-invalid" not in group.attrs
