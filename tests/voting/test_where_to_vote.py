"""During voting the public pages say where and when to vote."""

import datetime

import pytest
from django.urls import reverse

from rounds.models import Stage
from tests.factories import BallotStationFactory, put_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def stations(round):
    """Two stations: one open a week, 8:30–17:30; one open on a Saturday morning."""
    week = (datetime.date(2026, 6, 8), datetime.date(2026, 6, 14))
    saturday = (datetime.date(2026, 6, 13),) * 2
    return [
        BallotStationFactory(
            round=round,
            name=name,
            address=address,
            opens_on=days[0],
            closes_on=days[1],
            opens_at=hours[0],
            closes_at=hours[1],
        )
        for name, address, days, hours in [
            (
                "龙西社区党群服务中心投票站",
                "龙西路88号 社区党群服务中心一楼大厅",
                week,
                (datetime.time(8, 30), datetime.time(17, 30)),
            ),
            (
                "龙西小学投票站",
                "龙西路120号 小学门卫室旁",
                saturday,
                (datetime.time(9), datetime.time(12)),
            ),
        ]
    ]


WHERE_AND_WHEN = [
    "龙西社区党群服务中心投票站",
    "龙西路88号 社区党群服务中心一楼大厅",
    "2026年6月8日 至 2026年6月14日，每天 08:30 – 17:30",
    "龙西小学投票站",
    "龙西路120号 小学门卫室旁",
    "2026年6月13日，每天 09:00 – 12:00",
]


def test_round_page_during_voting_says_where_and_when_to_vote(client, round, stations):
    page = client.get(round.get_absolute_url()).content.decode()

    assert "到哪里投票" in page
    for fact in WHERE_AND_WHEN:
        assert fact in page


def test_results_page_during_voting_says_where_and_when_to_vote(client, round, stations):
    page = client.get(reverse("voting:results", args=[round.pk])).content.decode()

    for fact in WHERE_AND_WHEN:
        assert fact in page


def test_round_page_after_voting_has_no_where_to_vote_section(client, round, stations):
    put_at(round, Stage.PUBLICITY)

    page = client.get(round.get_absolute_url()).content.decode()

    assert "到哪里投票" not in page
