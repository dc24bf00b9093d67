"""A round's move and the ballots in flight at its stations: one waits for the other."""

import threading
import time

import pytest
from django.db import transaction

from rounds.models import Stage
from rounds.services import round_transition
from tests.factories import BallotStationFactory, cast, run_together, station_officer
from voting.exceptions import VotingError
from voting.models import Ballot, VoterMark

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ballot_in_flight_during_a_reopen_does_not_commit_in_the_reopened_round(
    round, superuser
):
    station = BallotStationFactory(round=round)
    officer = station_officer(station)
    moved = threading.Event()
    outcomes = []

    def reopen():
        with transaction.atomic():
            round_transition(round=round, to=Stage.SCREENING, actor=superuser, note="项目库有误")
            moved.set()
            time.sleep(0.5)  # the ballot below is waiting now, before this move commits

    def vote():
        moved.wait()
        try:
            cast(station, officer, ["1"])
            outcomes.append("cast")
        except VotingError as refusal:
            outcomes.append(str(refusal))

    run_together(reopen, vote)

    assert len(outcomes) == 1
    assert "居民投票" in outcomes[0]
    assert not Ballot.objects.exists()
    assert not VoterMark.objects.exists()
