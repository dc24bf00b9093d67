"""What must be true of the project library before residents can vote on it."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rounds.models import Stage
from rounds.wording import listing
from rounds.workflow import guard

from .models import OPEN_STATUSES


@guard(Stage.VOTING)
def library_is_not_empty(round, actor=None):
    if not round.ballot_items.exists():
        return _("项目库为空,不能开始投票。")
    return None


@guard(Stage.VOTING)
def every_proposal_has_an_outcome(round, actor=None):
    open_codes = list(
        round.proposals.filter(status__in=OPEN_STATUSES).values_list("tracking_code", flat=True)
    )
    if open_codes:
        return ngettext(
            "还有%(count)d条提议没有结果:%(codes)s。",
            "还有%(count)d条提议没有结果:%(codes)s。",
            len(open_codes),
        ) % {
            "count": len(open_codes),
            "codes": listing(open_codes[:10]) + (_("等") if len(open_codes) > 10 else ""),
        }
    return None


@guard(Stage.VOTING)
def every_ballot_item_has_a_cost(round, actor=None):
    missing = [str(item) for item in round.ballot_items.filter(cost__isnull=True)]
    if missing:
        return _("以下项目库条目还没有预算:%(items)s。") % {"items": listing(missing)}
    return None
