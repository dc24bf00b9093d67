"""Reads of the ballots: canonical lines for digests, approval sets for the tally."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import StringAgg, Value
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rounds.exports import csv_text
from rounds.models import StaffRole, TallyRule

from .models import Ballot, CertifiedTally, StationClosure
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


SUPPRESS_BELOW = 10  # no figure of a station with fewer voters is published on its own
MERGED = _("合并统计")
CANONICAL_LANGUAGE = "zh-hans"  # the source language: the ballots file that is hashed


def _ref_numbers(round):
    return dict(round.ballot_items.values_list("ref", "number"))


def station_ballot_lines(station):
    """Return the station's ballots in canonical form, sorted: "valid:3,7,12", "blank:", …"""
    numbers = _ref_numbers(station.round)
    return sorted(
        f"{kind}:{','.join(refs)}"
        for _station, kind, refs in _ballot_rows(station.ballots.all(), numbers)
    )


def merged_stations(counts):
    """Return the ids of the stations whose figures are published only summed (合并统计).

    ``counts`` holds (station id, voters marked, ballots counted) for each closed station. A
    station with fewer than ``SUPPRESS_BELOW`` voters or ballots is merged. So that no merged
    figure can be found by subtracting the published ones from the round's totals, the merged
    line always sums at least two stations and ``SUPPRESS_BELOW`` voters: the smallest other
    stations join it until it does. When that takes every station, only the totals are left.
    """
    small = [count for count in counts if min(count[1:]) < SUPPRESS_BELOW]
    others = sorted((count for count in counts if count not in small), key=lambda c: c[1:])
    merged = list(small)
    while (
        merged
        and others
        and (
            len(merged) < 2
            or min(sum(c[1] for c in merged), sum(c[2] for c in merged)) < SUPPRESS_BELOW
        )
    ):
        merged.append(others.pop(0))
    return {station_id for station_id, _voters, _ballots in merged}


def _round_merged_stations(round):
    counts = StationClosure.objects.filter(station__round=round).values_list(
        "station_id", "voters_marked", "ballots_counted"
    )
    return merged_stations(list(counts))


def round_ballots_table(round):
    """Return the header and the rows (station, kind, items) of every ballot of the round, sorted.

    The ballots of merged stations are listed under 合并统计, not under their station.
    """
    numbers = _ref_numbers(round)
    merged = _round_merged_stations(round)
    names = {
        pk: MERGED if pk in merged else name
        for pk, name in round.stations.values_list("pk", "name")
    }
    kinds = dict(Ballot.Kind.choices)
    rows = sorted(
        (str(names[station_id]), str(kinds[kind]), ",".join(refs))
        for station_id, kind, refs in _ballot_rows(Ballot.objects.filter(round=round), numbers)
    )
    return [str(_("投票站")), str(_("类型")), str(_("项目"))], rows


def round_ballots_csv(round):
    """Return the canonical ballots file: the Chinese ballots CSV, without its BOM.

    Its SHA-256 is the certified tally's inputs digest, whatever the language of the page.
    """
    with translation.override(CANONICAL_LANGUAGE):
        return csv_text(*round_ballots_table(round))


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
    "funded": _("在资金额度内"),
    "over_budget": _("超出剩余资金"),
    "after_stop": _("排在停止点之后"),
    "below_min_share": _("得票率未达最低要求"),
    "not_affordable": _("支持者的资金份额不足以支付"),
    "no_votes": _("无人投票"),
}
RULE_EXPLANATIONS = {
    "stop": _(
        "项目按得票数从高到低排序，依次入选，直到下一个项目的预算会使累计金额超过资金额度为止；"
        "在资金额度以内的项目为实施项目。"
    ),
    "skip": _(
        "项目按得票数从高到低排序，依次入选；某个项目的预算超出剩余资金时跳过它，"
        "继续看下一个项目，直到资金用完。"
    ),
    "mes": _(
        "平等份额法：资金平均分给每一位投票人，每个项目由支持它的投票人用各自的份额共同支付；"
        "每次选出支持者人均负担最低的项目，直到没有项目能被支付；再按每人增加1元的方式补足。"
    ),
}


def round_results_table(round):
    """Return the header and rows of the certified ranking, in the language of the request."""
    header = [
        _("排名"),
        _("编号"),
        _("项目"),
        _("预算（元）"),
        _("得票"),
        _("得票率"),
        _("累计（元）"),
        _("是否入选"),
        _("说明"),
    ]
    rows = [
        [
            item["rank"],
            item["ref"],
            item["title"],
            Decimal(str(item["cost"])),
            item["votes"],
            Decimal(item["share"]),
            "" if item["running_total"] is None else Decimal(item["running_total"]),
            str(_("是") if item["selected"] else _("否")),
            str(REASONS.get(item["reason"], item["reason"])),
        ]
        for item in round.certified_tally.result["items"]
    ]
    return [str(cell) for cell in header], rows


@dataclass
class StationTurnout:
    station: object
    closure: object  # None while open
    merged: bool = False  # its figures are published only in the 合并统计 line


@dataclass
class MergedCount:
    """The summed figures of the stations too small to publish on their own (合并统计)."""

    names: list
    voters_marked: int
    valid: int
    blank: int
    invalid: int

    @classmethod
    def of(cls, entries):
        """Return the sum of the closures of ``entries`` (StationTurnout)."""
        return cls(
            names=[entry.station.name for entry in entries],
            **{
                figure: sum(getattr(entry.closure, figure) for entry in entries)
                for figure in ("voters_marked", "valid", "blank", "invalid")
            },
        )


@dataclass
class PublicResults:
    round: object
    stations: list
    all_closed: bool
    certified: object  # CertifiedTally or None
    voided: list = field(default_factory=list)  # VoidedTally, oldest first
    merged: MergedCount | None = None
    suppress_below: int = SUPPRESS_BELOW
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
    No station's figures are shown before every station is closed, since which stations are
    merged (``merged_stations``) is known only then.
    """
    stations = [
        StationTurnout(station=station, closure=getattr(station, "closure", None))
        for station in round.stations.select_related("closure").order_by("name")
    ]
    certified = CertifiedTally.objects.filter(round=round).select_related("certified_by").first()
    results = PublicResults(
        round=round,
        stations=stations,
        all_closed=bool(stations) and all(s.closure for s in stations),
        certified=certified,
        voided=list(round.voided_tallies.all()),
    )
    if results.all_closed:
        merged = merged_stations(
            [(s.station.pk, s.closure.voters_marked, s.closure.ballots_counted) for s in stations]
        )
        for entry in stations:
            entry.merged = entry.station.pk in merged
        if merged:
            results.merged = MergedCount.of([s for s in stations if s.merged])
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
