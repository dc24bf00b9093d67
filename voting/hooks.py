"""What voting does when its round moves: lock the stations, void a certification reopened past."""

from rounds.models import RoundEvent, Stage
from rounds.workflow import locked_while_moving, on_enter

from .models import BallotStation, CertifiedTally
from .services import tally_void


@locked_while_moving
def lock_stations(round):
    """Hold the round's stations, so that no ballot or closure commits while the round moves."""
    list(BallotStation.objects.select_for_update().filter(round_id=round.pk).order_by("pk"))


@on_enter(Stage.VOTING)
@on_enter(Stage.SCREENING)
def void_certification(round, event):
    """A reopen back to voting or before voids the certified count: it must be certified anew."""
    if event.kind == RoundEvent.Kind.REOPEN and CertifiedTally.objects.filter(round=round).exists():
        tally_void(round=round, actor=event.actor, reason=event.note)
