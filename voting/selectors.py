"""Reads of the ballots: canonical lines for digests, approval sets for the tally."""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import StringAgg, Value
from django.utils.translation import gettext_lazy as _

from rounds.models import StaffRole, TallyRule

from .models import Ballot, CertifiedTally
from .tally import Item, tally


def _ballot_rows(ballots, numbers):
    """Yield (station id, kind, refs in ballot order) for each of ``ballots``."""
    rows = ballots.values("id", "station_id", "kind").annotate(
        refs=StringAgg("choices__item__ref", delimiter=Value(","), default=Value(""))
    )
    ordered = {}
    for row in rows.values_list("station_id", "kind", "refs"):
        station_id, kind, refs = row
        if refs not in ordered:
            ordered[refs] = tuple(sorted(filter(None, refs.split(",")), key=numbers.__getitem__))
        yield station_id, kind, ordered[refs]


def _ref_numbers(round):
    return dict(round.ballot_items.values_list("ref", "number"))


def station_ballot_lines(station):
    """Return the station's ballots in canonical form, sorted: "valid:3,7,12", "blank:", …"""
    numbers = _ref_numbers(station.round)
    return sorted(
        f"{kind}:{','.join(refs)}"
        for _station, kind, refs in _ballot_rows(station.ballots.all(), numbers)
    )


def round_ballots_csv(round):
    """Return every ballot of the round as CSV rows (station, kind, items), sorted.

    Its SHA-256 is the certified tally's inputs digest; a station's rows, written as
    "kind:items" lines, sorted, each ending in a newline, hash to that station's digest.
    """
    numbers = _ref_numbers(round)
    names = dict(round.stations.values_list("pk", "name"))
    rows = sorted(
        (names[station_id], kind, ",".join(refs))
        for station_id, kind, refs in _ballot_rows(Ballot.objects.filter(round=round), numbers)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["station", "kind", "items"])
    writer.writerows(rows)
    return out.getvalue()


def round_ballot_sets(round):
    """Return Counter{frozenset of refs: ballots} of the round's valid and blank ballots."""
    numbers = _ref_numbers(round)
    ballots = Ballot.objects.filter(round=round).exclude(kind=Ballot.Kind.INVALID)
    counts = Counter(refs for _station, _kind, refs in _ballot_rows(ballots, numbers))
    return Counter({frozenset(refs): count for refs, count in counts.items()})


def round_tally_items(round):
    return [
        Item(ref=item.ref, title=item.title, cost=item.cost, position=item.number)
        for item in round.ballot_items.order_by("number")
    ]


def round_tally_result(round, rule=None):
    """Return the tally of the round's ballots under ``rule`` (default: the round's own)."""
    lot = round.lots.order_by("-drawn_at").first()
    return tally(
        items=round_tally_items(round),
        ballots=round_ballot_sets(round),
        budget=round.total_fund,
        rule=rule or round.tally_rule,
        min_share=round.min_vote_share,
        tie_break=round.tie_break,
        lot_order=tuple(lot.order) if lot else (),
    )


REASONS = {
    "funded": _("在资金额度内,入选"),
    "over_budget": _("超出剩余资金"),
    "after_stop": _("排在停止点之后"),
    "below_min_share": _("得票率未达最低要求"),
    "not_affordable": _("支持者的资金份额不足以支付"),
    "no_votes": _("无人投票"),
}
RULE_EXPLANATIONS = {
    "stop": _(
        "项目按得票数从高到低排序,依次入选,直到下一个项目的预算会使累计金额超过资金额度为止;"
        "在资金额度以内的项目为实施项目。"
    ),
    "skip": _(
        "项目按得票数从高到低排序,依次入选;某个项目的预算超出剩余资金时跳过它,"
        "继续看下一个项目,直到资金用完。"
    ),
    "mes": _(
        "平等份额法:资金平均分给每一位投票人,每个项目由支持它的投票人用各自的份额共同支付;"
        "每次选出支持者人均负担最低的项目,直到没有项目能被支付;再按每人增加1元的方式补足。"
    ),
}
SUPPRESS_BELOW = 10  # turnout figures under this many voters are not published


@dataclass
class StationTurnout:
    station: object
    closure: object
    voters: int | None  # None while open, or when too few to publish


@dataclass
class PublicResults:
    round: object
    stations: list
    all_closed: bool
    certified: object  # CertifiedTally or None
    items: list = field(default_factory=list)
    alternatives: dict = field(default_factory=dict)
    lots: list = field(default_factory=list)
    fill: list = field(default_factory=list)  # (item, start %, width %) of the funded items


def budget_fill(items, budget):
    """Return (item, start %, width %) for each selected item, laid end to end over the budget."""
    fill, start = [], Decimal(0)
    for item in items:
        if item["selected"]:
            width = Decimal(str(item["cost"])) * 100 / budget
            fill.append((item, round(start, 2), round(width, 2)))
            start += width
    return fill


def round_public_results(round):
    """Return what observers may see of the vote: station progress, and once certified, the result.

    No count of votes for any item is read before every station is closed and the tally is
    certified; the certified result is read as frozen, so the page does not touch the ballots.
    """
    stations = [
        StationTurnout(
            station=station,
            closure=getattr(station, "closure", None),
            voters=(
                station.closure.voters_marked
                if hasattr(station, "closure") and station.closure.voters_marked >= SUPPRESS_BELOW
                else None
            ),
        )
        for station in round.stations.select_related("closure").order_by("name")
    ]
    certified = CertifiedTally.objects.filter(round=round).select_related("certified_by").first()
    results = PublicResults(
        round=round,
        stations=stations,
        all_closed=bool(stations) and all(s.closure for s in stations),
        certified=certified,
    )
    if certified:
        titles = dict(round.ballot_items.values_list("ref", "title"))
        results.items = [
            {**item, "reason_text": REASONS.get(item["reason"], item["reason"])}
            for item in certified.result["items"]
        ]
        results.alternatives = {
            TallyRule(rule).label: [f"{ref}. {titles.get(ref, '')}" for ref in refs]
            for rule, refs in certified.result.get("alternatives", {}).items()
        }
        results.lots = list(round.lots.all())
        results.fill = budget_fill(results.items, round.total_fund)
    return results


def eligible_officers(round=None):
    """Return the users who may be officers at a station of ``round``.

    Not a superuser, and no staff role but that of the round's community's staff: neither
    other communities' staff nor a department's. Without a round, users with no staff role.
    """
    others = StaffRole.objects.all()
    if round is not None:
        others = others.exclude(level=StaffRole.Level.COMMUNITY, community=round.community_id)
    return (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .exclude(staff_roles__in=others)
        .order_by("username")
    )
