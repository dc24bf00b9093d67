"""What must be true before residents vote, before the round leaves voting, and to reopen it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from rounds.models import Stage
from rounds.wording import listing
from rounds.workflow import Refusal, guard, reopen_guard


@guard(Stage.VOTING)
def has_a_staffed_station(round, actor=None):
    if not round.stations.filter(stationofficer__isnull=False).exists():
        stations = reverse("admin:voting_ballotstation_changelist")
        return Refusal(
            _("还没有设置投票站和工作人员，不能开始投票。"),
            [(_("设置投票站"), f"{stations}?round__id__exact={round.pk}")],
        )
    return None


@guard(Stage.PUBLICITY)
def every_station_is_closed(round, actor=None):
    if open_stations := list(round.stations.filter(closure__isnull=True)):
        return Refusal(
            _("还有投票站没有关闭计票：%(stations)s。") % {"stations": listing(open_stations)},
            [
                (str(station), reverse("admin:voting_ballotstation_change", args=[station.pk]))
                for station in open_stations
            ],
        )
    return None


@guard(Stage.PUBLICITY)
def tally_is_certified(round, actor=None):
    if not hasattr(round, "certified_tally"):
        return Refusal(
            _("计票结果还没有确认，不能公示。"),
            [(_("确认计票结果"), reverse("admin:voting_certifiedtally_add"))],
        )
    return None


@reopen_guard(Stage.SCREENING)
def nobody_has_voted(round, actor=None):
    if round.voter_marks.exists():
        return _("已有居民投票，不能退回筛选阶段修改项目库。")
    return None
