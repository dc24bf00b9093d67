import re

import pytest
from django.urls import reverse

from rounds.models import Stage
from rounds.services import round_transition
from tests.factories import CommunityFactory, RoundFactory, complete_plan, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def round():
    round = complete_plan(RoundFactory(title="2026年度 龙西社区 和谐微实事"))
    mover = staff_user("community", round.community, first_name="龙西社区居委会")
    round_transition(round=round, to=Stage.COLLECTION, actor=mover, note="方案公示期满")
    return round


def test_home_lists_rounds_under_their_street_and_community(client, round):
    other = RoundFactory(community=CommunityFactory(street=round.community.street))

    page = client.get(reverse("rounds:home")).content.decode()

    street_at = page.index(round.community.street.name)
    assert street_at < page.index(round.community.name) < page.index(round.title)
    assert other.title in page and other.community.name in page
    assert round.get_absolute_url() in page


def test_round_page_shows_eight_steps_with_the_current_one_highlighted(client, round):
    page = client.get(round.get_absolute_url()).content.decode()

    for number, stage in enumerate(list(Stage)[:8], start=1):
        assert f"{number}. {stage.label}" in page
    current = re.search(
        r'<li class="[^"]*step-current[^"]*"[^>]*aria-current="step">(.*?)</li>', page, re.S
    )
    assert current and "项目征集，建议共提" in current.group(1)


def test_round_page_shows_planned_and_actual_dates_and_who_moved_it(client, round):
    page = client.get(round.get_absolute_url()).content.decode()
    event = round.events.get()
    collection = round.planned_stages.get(stage=Stage.COLLECTION)

    assert f"{collection.starts_on:%Y-%m-%d} – {collection.ends_on:%Y-%m-%d}" in page
    assert f"实际开始：{event.created_at.astimezone():%Y-%m-%d}" in page
    assert "由 龙西社区居委会 操作" in page
    assert "方案公示期满" in page


def test_round_page_shows_the_plan(client, round):
    page = client.get(round.get_absolute_url()).content.decode()

    assert "300,000 元" in page
    assert "50,000 元" in page
    assert round.compounds.get().name in page
    assert round.rules.split("\n")[0] in page


def test_public_pages_need_no_login_and_send_a_nonce_csp(client, round):
    response = client.get(round.get_absolute_url())

    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "default-src 'self'" in policy


def test_english_is_available_under_en(client, round):
    page = client.get("/en" + round.get_absolute_url()).content.decode()

    assert 'lang="en"' in page
    assert "Collecting proposals" in page
    assert "Current stage" in page


def test_chinese_is_the_default_whatever_the_browser_prefers(client, round):
    page = client.get(round.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'lang="zh-hans"' in page
    assert "当前阶段" in page


def test_unknown_round_is_not_found(client):
    assert client.get(reverse("rounds:detail", args=[999999])).status_code == 404
