"""The desk's and the ballot's pages as a screen reader reads them, without JavaScript.

The radios of 与社区的关系 carry their error; each ballot box is named by its item's number,
title and cost; the ballot's live region says how many boxes are ticked, drawn by the server.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from rounds.models import Stage
from tests.factories import BallotItemFactory, RoundFactory, put_at, station_officer
from tests.html_elements import by_id, described_by, elements
from tests.voting.test_officer_views import NUMBER, TITLES, open_all_day, record_voter, vote

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


def boxes(page):
    return [e for e in elements(page) if e.tag == "input" and e.attrs.get("type") == "checkbox"]


def region(page):
    return by_id(page)["ballot-count"]


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


def test_each_ballot_box_is_named_by_number_title_and_cost_and_described_by_the_rest(
    client, round, station, officer
):
    page = record_voter(client, station).content.decode()

    ids = by_id(page)
    ticks = boxes(page)
    assert len(ticks) == 3
    items = list(round.ballot_items.order_by("number"))
    for box, item in zip(ticks, items, strict=True):
        assert box.attrs["name"] == "items" and box.attrs["value"] == item.ref
        names = [ids[name].text for name in box.attrs["aria-labelledby"].split()]
        assert names == [f"{item.number}. {item.title}（{item.cost:,.0f} 元）"]
        assert described_by(box, ids) == f"{item.location} · {item.description}"
        label = next(e for e in elements(page) if e.attrs.get("for") == box.attrs["id"])
        assert label.tag == "label"  # tapping the words ticks the box


def test_a_new_ballot_says_none_ticked_and_the_limit_in_a_polite_live_region(
    client, station, officer
):
    page = record_voter(client, station).content.decode()

    said = region(page)
    assert said.tag == "p"
    assert (said.attrs["aria-live"], said.attrs["aria-atomic"]) == ("polite", "true")
    assert said.text == "已选择0个项目，最多可选2个。"
    assert "text-danger" not in said.attrs["class"]
    # What the script fills in as boxes are ticked, in the page's language.
    assert said.attrs["data-max"] == "2"
    assert said.attrs["data-ticked"] == "已选择%(count)d个项目，最多可选%(max)d个。"
    assert said.attrs["data-too-many"] == (
        "已选择%(count)d个项目，超过了最多可选的%(max)d个，请取消%(extra)d个。"
    )
    assert re.search(r'<script src="/static/js/ballot\.js" defer nonce="[^"]+"></script>', page)


def test_a_ballot_refused_for_too_many_ticks_says_so_in_the_region(client, station, officer):
    page = vote(client, station, ["1", "2", "3"]).content.decode()

    assert all("checked" in box.attrs for box in boxes(page))  # the ticks are kept
    said = region(page)
    assert said.text == "已选择3个项目，超过了最多可选的2个，请取消1个。"
    assert "text-danger" in said.attrs["class"].split()


def test_a_ballot_refused_without_a_tick_says_none_are_ticked(client, station, officer):
    page = vote(client, station, []).content.decode()

    assert region(page).text == "已选择0个项目，最多可选2个。"


def test_the_region_speaks_english_on_an_english_ballot(client, station, officer):
    with translation.override("en"):  # the station's pages under /en/
        page = vote(client, station, ["1", "2", "3"]).content.decode()

    said = region(page)
    assert said.text == "3 projects ticked, more than the 2 you may choose: untick 1."
    assert said.attrs["data-ticked"] == "%(count)d ticked of the %(max)d projects you may choose."
