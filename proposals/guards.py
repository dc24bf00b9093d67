"""What must be true of the project library before residents can vote on it."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rounds.models import Stage
from rounds.wording import listing
from rounds.workflow import Refusal, guard

from .models import OPEN_STATUSES


def _change_link(model_name, pk, label):
    """Return (label, URL) of the admin page where a proposal or ballot item is fixed."""
    return label, reverse(f"admin:proposals_{model_name}_change", args=[pk])


@guard(Stage.VOTING)
def library_is_not_empty(round, actor=None):
    if not round.ballot_items.exists():
        return Refusal(
            _("项目库为空，不能开始投票。"),
            [(_("添加项目库条目"), reverse("admin:proposals_ballotitem_add"))],
        )
    return None


@guard(Stage.VOTING)
def every_proposal_has_an_outcome(round, actor=None):
    open_proposals = list(
        round.proposals.filter(status__in=OPEN_STATUSES).values_list("pk", "tracking_code")
    )
    open_codes = [code for _pk, code in open_proposals]
    if open_codes:
        reason = ngettext(
            "还有%(count)d条提议没有结果：%(codes)s。",
            "还有%(count)d条提议没有结果：%(codes)s。",
            len(open_codes),
        ) % {
            "count": len(open_codes),
            "codes": listing(open_codes[:10]) + (_("等") if len(open_codes) > 10 else ""),
        }
        return Refusal(reason, [_change_link("proposal", *row) for row in open_proposals[:10]])
    return None


@guard(Stage.VOTING)
def every_ballot_item_has_a_cost(round, actor=None):
    missing = list(round.ballot_items.filter(cost__isnull=True))
    if missing:
        return Refusal(
            _("以下项目库条目还没有预算：%(items)s。") % {"items": listing(map(str, missing))},
            [_change_link("ballotitem", item.pk, str(item)) for item in missing],
        )
    return None
