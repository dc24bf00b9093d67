import hashlib
import unicodedata
from itertools import zip_longest

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.services import proposals_record_vote
from rounds.models import Stage, TallyRule
from rounds.wording import listing

from .exceptions import ChoicesError, VotingError
from .guards import every_station_is_closed
from .models import (
    Ballot,
    BallotChoice,
    BallotStation,
    CertifiedTally,
    Lot,
    PaperCount,
    StationClosure,
    StationOfficer,
    VoterMark,
)
from .selectors import round_ballots_csv, round_tally_result, station_ballot_lines
from .tally import as_json, ties_as_json


def result_as_record(result):
    """Return a tally result as JSON to freeze: the published fields plus rank, share, reason and ties."""
    record = as_json(result)
    for item, full in zip(record["items"], result.items, strict=True):
        item.update(
            rank=full.rank,
            share=str(full.share),
            reason=full.reason,
            running_total=None if full.running_total is None else str(full.running_total),
        )
    record["ties"] = ties_as_json(result)
    return record


def digest(lines):
    """Return the SHA-256 of ballots in canonical form: one line each, sorted, newline-ended."""
    return hashlib.sha256("".join(f"{line}\n" for line in lines).encode()).hexdigest()


def officer_duty_days(station, officer):
    """Return the days ``officer`` is assigned to ``station``; None stands for every day."""
    return {
        assignment.day
        for assignment in StationOfficer.objects.filter(station=station, user=officer)
    }


def station_check_open(*, station, duty_days, now=None):
    """Raise VotingError unless an officer on duty ``duty_days`` may record votes at ``station`` now.

    ``duty_days`` are the officer's days at the station, as ``officer_duty_days`` returns them.
    """
    now = timezone.localtime(now)
    if station.round.stage != Stage.VOTING:
        raise VotingError(_("本轮不在居民投票阶段。"))
    if None not in duty_days and now.date() not in duty_days:
        raise VotingError(_("您今天不是「%(station)s」的值班工作人员。") % {"station": station})
    if hasattr(station, "closure"):
        raise VotingError(_("「%(station)s」已经关闭计票。") % {"station": station})
    if not (station.opens_on <= now.date() <= station.closes_on) or not (
        station.opens_at <= now.time() < station.closes_at
    ):
        raise VotingError(
            _(
                "「%(station)s」现在不开放:开放日期 %(first)s 至 %(last)s,每天 %(opens)s–%(closes)s。"
            )
            % {
                "station": station,
                "first": station.opens_on,
                "last": station.closes_on,
                "opens": station.opens_at.strftime("%H:%M"),
                "closes": station.closes_at.strftime("%H:%M"),
            }
        )


def voter_check_not_voted(*, round, voter_key):
    """Raise VotingError if the voter this key stands for has already voted in ``round``."""
    if VoterMark.objects.filter(round=round, voter_key=voter_key).exists():
        raise VotingError(_("该证件本轮已经投过票,每人只能投一次。"))


def _mark(*, station, relation, voter_key, now):
    """Write the voter's mark; the caller's transaction ends with the VotingError if it is taken.

    No savepoint: both callers are atomic and let the error out, so the failed insert is
    rolled back with everything else.
    """
    try:
        return VoterMark.objects.create(
            round=station.round,
            station=station,
            voter_key=voter_key,
            relation=relation,
            day=timezone.localdate(now),
        )
    except IntegrityError:
        raise VotingError(_("该证件本轮已经投过票,每人只能投一次。")) from None


@transaction.atomic
def voter_record(*, station, officer, relation, voter_key, now=None):
    """Record at a paper station that a voter received a ballot; return the mark."""
    station = _lock_open_station(station, officer, now)
    if station.mode != BallotStation.Mode.PAPER:
        raise VotingError(_("平板投票站的投票人在提交选票时一并登记。"))
    return _mark(station=station, relation=relation, voter_key=voter_key, now=now)


def check_choices(round, refs=(), *, numbers=()):
    """Return the ballot items named by ``refs`` (tablet) or ``numbers`` (paper).

    Raise ChoicesError unless they are between 1 and K distinct items of the round's library.
    """
    names = list(refs or numbers)
    if not names:
        raise ChoicesError(_("请至少选择1个项目。"))
    if len(set(names)) > round.max_choices:
        raise ChoicesError(
            _("最多选择%(max)d个项目,您选择了%(count)d个。")
            % {"max": round.max_choices, "count": len(set(names))}
        )
    items = list(
        round.ballot_items.filter(ref__in=names)
        if refs
        else round.ballot_items.filter(number__in=names)
    )
    if len(items) != len(names):
        raise ChoicesError(_("选票上有不属于本轮项目库的项目,或同一项目选了两次。"))
    return items


def _lock_station(station):
    """Lock the station's row, so a ballot and the station's closing never interleave.

    Return the station with its round. Its closure is left to be read when it is asked
    for: the statement that waits for the lock sees other rows as they were when it began,
    so a closure committed meanwhile is only visible to a later statement. Only the
    station's row is locked: ballots at other stations of the round go on meanwhile.
    """
    return (
        BallotStation.objects.select_for_update(of=("self",))
        .select_related("round")
        .get(pk=station.pk)
    )


def _lock_open_station(station, officer, now):
    """Lock ``station`` and return it, as long as ``officer`` may record votes there now."""
    station = _lock_station(station)
    station_check_open(station=station, duty_days=officer_duty_days(station, officer), now=now)
    return station


@transaction.atomic
def ballot_cast(*, station, officer, relation, voter_key, refs, now=None):
    """Record a tablet voter and their secret ballot in one transaction; return the ballot.

    A second vote by the same person, at any station, fails on the register's unique
    constraint and records nothing.
    """
    station = _lock_open_station(station, officer, now)
    if station.mode != BallotStation.Mode.TABLET:
        raise VotingError(_("纸质投票站不能在平板上投票。"))
    items = check_choices(station.round, refs)
    _mark(station=station, relation=relation, voter_key=voter_key, now=now)
    ballot = Ballot.objects.create(round=station.round, station=station)
    BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, item=item) for item in items)
    return ballot


def parse_paper_line(round, line):
    """Return (kind, items) for one typed paper ballot: "3,7,12", "" (blank) or "X" (invalid).

    The numbers are the item numbers printed on the paper ballot; full-width digits and
    commas, as a Chinese input method types them, are read as their plain forms.
    """
    text = unicodedata.normalize("NFKC", line).replace(" ", "").replace("、", ",")
    if not text:
        return Ballot.Kind.BLANK, []
    if text.upper() == "X":
        return Ballot.Kind.INVALID, []
    numbers = text.split(",")
    if not all(number.isdigit() for number in numbers):
        return Ballot.Kind.INVALID, []
    try:
        return Ballot.Kind.VALID, check_choices(round, numbers=[int(n) for n in numbers])
    except VotingError:
        return Ballot.Kind.INVALID, []


@transaction.atomic
def paper_count_enter(*, station, officer, lines):
    """Record one officer's typing of the station's paper ballots, after voting has ended there."""
    if station.mode != BallotStation.Mode.PAPER:
        raise VotingError(_("只有纸质投票站需要录入选票。"))
    if not StationOfficer.objects.filter(station=station, user=officer).exists():
        raise VotingError(_("您不是「%(station)s」的工作人员。") % {"station": station})
    if hasattr(station, "closure"):
        raise VotingError(_("「%(station)s」已经关闭计票。") % {"station": station})
    count, _created = PaperCount.objects.update_or_create(
        station=station, officer=officer, defaults={"lines": lines}
    )
    return count


def paper_count_differences(station):
    """Return the 1-based line numbers where the two officers' typings differ."""
    counts = list(station.paper_counts.order_by("entered_at", "pk")[:2])
    if len(counts) < 2:
        raise VotingError(_("纸质选票需要两名工作人员分别录入后才能核对。"))
    first, second = (count.lines.splitlines() for count in counts)
    return [
        number
        for number, (a, b) in enumerate(zip_longest(first, second), start=1)
        if a is None
        or b is None
        or parse_paper_line(station.round, a) != parse_paper_line(station.round, b)
    ]


def _store_paper_ballots(station):
    lines = station.paper_counts.order_by("entered_at", "pk").first().lines.splitlines()
    choices = []
    for line in lines:
        kind, items = parse_paper_line(station.round, line)
        ballot = Ballot.objects.create(round=station.round, station=station, kind=kind)
        choices += [BallotChoice(ballot=ballot, item=item) for item in items]
    BallotChoice.objects.bulk_create(choices)


@transaction.atomic
def station_close(*, station, actor, officers, observers, explanation=""):
    """Close ``station`` and count its ballots; return the closure record with its digest.

    A paper station's two typings must agree line by line first. A difference between
    voters marked and ballots counted must be explained.
    """
    station = _lock_station(station)
    if hasattr(station, "closure"):
        raise VotingError(_("「%(station)s」已经关闭计票。") % {"station": station})
    if station.round.stage != Stage.VOTING:
        raise VotingError(_("本轮不在居民投票阶段。"))
    if not StationOfficer.objects.filter(station=station, user=actor).exists():
        raise VotingError(_("您不是「%(station)s」的工作人员。") % {"station": station})
    if not observers.strip():
        raise VotingError(_("请填写在场监票人。"))
    if station.mode == BallotStation.Mode.PAPER:
        if differing := paper_count_differences(station):
            raise VotingError(
                _("两次录入在第%(lines)s行不一致,请核对纸质选票后修改。")
                % {"lines": listing(differing)}
            )
        _store_paper_ballots(station)
    kinds = dict.fromkeys(Ballot.Kind.values, 0)
    for kind in station.ballots.values_list("kind", flat=True):
        kinds[kind] += 1
    counted = sum(kinds.values())
    marked = station.voter_marks.count()
    if counted != marked and not explanation.strip():
        raise VotingError(
            _("登记投票%(marked)d人,清点选票%(counted)d张,相差%(difference)d张,请说明原因。")
            % {"marked": marked, "counted": counted, "difference": counted - marked}
        )
    closure = StationClosure.objects.create(
        station=station,
        voters_marked=marked,
        ballots_counted=counted,
        valid=kinds[Ballot.Kind.VALID],
        blank=kinds[Ballot.Kind.BLANK],
        invalid=kinds[Ballot.Kind.INVALID],
        explanation=explanation.strip(),
        observers=observers.strip(),
        digest=digest(station_ballot_lines(station)),
    )
    closure.officers.set(officers)
    return closure


def lot_record(*, round, order, witnesses, actor):
    """Record a public lot that orders tied items (refs, first wins)."""
    if round.stage != Stage.VOTING:
        raise VotingError(_("本轮不在居民投票阶段。"))
    if not witnesses.strip():
        raise VotingError(_("抽签须有见证人。"))
    on_ballot = set(round.ballot_items.values_list("ref", flat=True))
    if not order or len(set(order)) != len(order) or not set(order) <= on_ballot:
        raise VotingError(_("抽签结果要列出项目库中的项目编码,每个只能出现一次。"))
    return Lot.objects.create(
        round=round, order=list(order), witnesses=witnesses.strip(), recorded_by=actor
    )


def tally_certify_check(*, round):
    """Raise VotingError unless the round's tally can be certified now; return the result."""
    if round.stage != Stage.VOTING:
        raise VotingError(_("本轮不在居民投票阶段。"))
    if not round.stations.exists():
        raise VotingError(_("本轮没有投票站。"))
    if refusal := every_station_is_closed(round):
        raise VotingError(refusal)
    if CertifiedTally.objects.filter(round=round).exists():
        raise VotingError(_("本轮计票结果已经确认。"))
    result = round_tally_result(round)
    if result.needs_lot:
        raise VotingError(
            _("项目 %(refs)s 票数和预算相同,且决定能否入选,请先公开抽签并记录结果。")
            % {"refs": listing(result.needs_lot)}
        )
    return result


@transaction.atomic
def tally_certify(*, round, actor, observers):
    """Freeze the round's tally under its rule, once every station is closed; return it."""
    if not observers.strip():
        raise VotingError(_("请填写在场监票人。"))
    result = tally_certify_check(round=round)
    record = result_as_record(result)
    record["alternatives"] = {
        rule: list(round_tally_result(round, rule=rule).selected)
        for rule in TallyRule.values
        if rule != round.tally_rule
    }
    proposals_record_vote(round=round, selected_refs=set(result.selected))
    return CertifiedTally.objects.create(
        round=round,
        rule=round.tally_rule,
        tie_break=round.tie_break,
        min_vote_share=round.min_vote_share,
        inputs_digest=hashlib.sha256(round_ballots_csv(round).encode()).hexdigest(),
        result=record,
        certified_by=actor,
        observers=observers.strip(),
    )
