"""What the notices do when a round moves: draft the 公示 on entering publicity."""

from rounds.models import Stage
from rounds.workflow import on_enter

from .services import notice_draft


@on_enter(Stage.PUBLICITY)
def draft_publicity_notice(round, event):
    """Draft the notice from the certified tally (see ``notice_draft`` for a re-entry)."""
    notice_draft(round=round)
