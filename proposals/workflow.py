"""Where a proposal may go from where it stands: the status transition table.

Every change of a proposal's status is one of these moves and writes a ``ProposalEvent``
with who made it; a move the table lacks is refused.
"""

from django.utils.translation import gettext as _

from .exceptions import ProposalError
from .models import Status

STATUS_TRANSITIONS = {
    # the 七不入 screening, which a later decision may replace; merging while undecided
    Status.SUBMITTED: {Status.SCREENED_IN, Status.EXCLUDED, Status.MERGED},
    Status.EXCLUDED: {Status.SCREENED_IN, Status.EXCLUDED},
    # the roundtable's recommendation keeps a screened proposal screened in, or leaves it off
    Status.SCREENED_IN: {
        Status.SCREENED_IN,
        Status.EXCLUDED,
        Status.MERGED,
        Status.NOT_ON_BALLOT,
        Status.ON_BALLOT,
    },
    Status.NOT_ON_BALLOT: {Status.SCREENED_IN, Status.NOT_ON_BALLOT},
    # the certified vote; an item taken off the library before voting sends its proposals back
    # to screened, and a reopen that voids the certification sends them back to the ballot
    Status.ON_BALLOT: {Status.SELECTED, Status.NOT_SELECTED, Status.SCREENED_IN},
    Status.SELECTED: {Status.ON_BALLOT},
    Status.NOT_SELECTED: {Status.ON_BALLOT},
    Status.MERGED: set(),
    Status.DEFERRED: set(),
}


def check_status_move(proposal, to):
    """Raise ProposalError unless ``proposal`` may move from its status to ``to``."""
    if to not in STATUS_TRANSITIONS[proposal.status]:
        raise ProposalError(
            _("提议 %(code)s 不能从「%(current)s」变为「%(to)s」。")
            % {
                "code": proposal.tracking_code,
                "current": Status(proposal.status).label,
                "to": Status(to).label,
            }
        )
