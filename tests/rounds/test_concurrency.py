import threading
from functools import partial

import pytest

from rounds.exceptions import RoundTransitionError
from rounds.models import Stage
from rounds.services import round_transition
from tests.factories import RoundFactory, complete_plan, run_together, staff_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_staff_pressing_the_same_button_at_once_make_exactly_one_move():
    round = complete_plan(RoundFactory())
    staff = [staff_user("community", round.community) for _ in range(6)]
    start = threading.Barrier(len(staff))
    outcomes = []

    def press(actor):
        try:
            start.wait()
            round_transition(round=round, to=Stage.COLLECTION, actor=actor)
            outcomes.append("moved")
        except RoundTransitionError as refusal:
            outcomes.append(str(refusal))

    run_together(*(partial(press, actor) for actor in staff))

    assert outcomes.count("moved") == 1
    assert all("已处于" in outcome for outcome in outcomes if outcome != "moved")
    round.refresh_from_db()
    assert round.stage == Stage.COLLECTION
    assert round.events.count() == 1
