import pytest

from rounds.models import Stage
from tests.factories import BallotItemFactory, RoundFactory, put_at


@pytest.fixture
def round():
    """A round in voting with four ballot items; each voter may pick up to three."""
    round = put_at(RoundFactory(max_choices=3), Stage.VOTING)
    BallotItemFactory.create_batch(4, round=round)
    return round
