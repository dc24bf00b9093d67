import pytest

from rounds.models import Stage
from tests.factories import RoundFactory, complete_plan, put_at, staff_user


@pytest.fixture
def round():
    """A 2026 round with a complete plan, collecting proposals."""
    return put_at(
        complete_plan(RoundFactory(title="2026年度 龙西社区 和谐微实事")), Stage.COLLECTION
    )


@pytest.fixture
def compound(round):
    return round.compounds.get()


@pytest.fixture
def staff(round):
    return staff_user("community", round.community)
