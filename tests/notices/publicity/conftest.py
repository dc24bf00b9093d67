"""A round whose vote is counted and certified: four items, three of them funded."""

from decimal import Decimal

import pytest

from tests.factories import RoundFactory, complete_plan, staff_user
from tests.voting.test_certify import Stations, certify, on_ballot

from .support import enter_publicity, publish


@pytest.fixture
def round():
    """A round of 龙西社区 with 100,000 yuan, planned from March (publicity 21 June–11 July)."""
    round = RoundFactory(total_fund=Decimal("100000"), project_cap=Decimal("50000"))
    round.community.name = "龙西社区"
    round.community.save()
    return complete_plan(round)


@pytest.fixture
def staff(round):
    return staff_user("community", round.community)


@pytest.fixture
def counted(round, staff):
    """Four items; 1 gets 4 votes, 2 and 3 tie on 3 (3 is cheaper), 4 gets 1: 1, 3, 2 fit."""
    on_ballot(round, staff, "40000", "30000", "20000", "50000")
    stations = Stations(round)
    stations.vote(["1", "2", "3"], ["1", "2", "3"], ["1", "2", "3"], ["1", "4"])
    stations.close()
    certify(round, staff)
    return stations


@pytest.fixture
def draft(round, staff, counted):
    """The notice drafted when the round entered publicity."""
    enter_publicity(round, staff)
    return round.notices.get()


@pytest.fixture
def published(draft, staff):
    return publish(draft, staff)
