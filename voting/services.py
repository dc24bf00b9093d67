import hashlib
import re
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import zip_longest

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.services import proposals_record_vote, proposals_unrecord_vote
from rounds import editing
from rounds.models import Stage, TallyRule
from rounds.wording import listing
from rounds.workflow import require_stage

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
    VoidedTally,
    VoterMark,
)
from .selectors import (
    eligible_officers,
    round_ballots_csv,
    round_tally_result,
    station_ballot_lines,
)
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


def station_check_on_duty(*, station, duty_days, now=None):
    """Raise VotingError unless an officer on duty ``duty_days`` may act at ``station`` today.

    ``duty_days`` are the officer's days at the station, as ``officer_duty_days`` returns them;
    recording a voter and closing the station follow the same rule.
    """
    require_stage(station.round, Stage.VOTING, error=VotingError)
    if not duty_days:
        raise VotingError(_("您不是「%(station)s」的工作人员。") % {"station": station})
    if None not in duty_days and timezone.localdate(now) not in duty_days:
        raise VotingError(_("您今天不是「%(station)s」的值班工作人员。") % {"station": station})
    if hasattr(station, "closure"):
        raise VotingError(_("「%(station)s」已经关闭计票。") % {"station": station})


def station_check_open(*, station, duty_days, now=None):
    """Raise VotingError unless an officer on duty ``duty_days`` may record votes now."""
    now = timezone.localtime(now)
    station_check_on_duty(station=station, duty_days=duty_days, now=now)
    if not (station.opens_on <= now.date() <= station.closes_on) or not (
        station.opens_at <= now.time() < station.closes_at
    ):
        raise VotingError(
            _(
                "「%(station)s」现在不开放：开放日期 %(first)s 至 %(last)s，每天 %(opens)s–%(closes)s。"
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
        raise VotingError(_("该证件本轮已经投过票，每人只能投一次。"))


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
        raise VotingError(_("该证件本轮已经投过票，每人只能投一次。")) from None


@transaction.atomic
def voter_record(*, station, officer, relation, voter_key, now=None):
    """Record at a paper station that a voter received a ballot; return the mark."""
    station = _lock_open_station(station, officer, now)
    if station.mode != BallotStation.Mode.PAPER:
        raise VotingError(_("平板投票站的投票人在提交选票时一并登记。"))
    return _mark(station=station, relation=relation, voter_key=voter_key, now=now)


def check_choices(round, refs=(), *, numbers=(), library=None):
    """Return the ballot items named by ``refs`` (tablet) or ``numbers`` (paper).

    Raise ChoicesError unless they are between 1 and K distinct items of the round's library.
    ``library`` (``paper_library``) saves reading the items again for each of many ballots.
    """
    names = list(refs or numbers)
    if not names:
        raise ChoicesError(_("请至少选择1个项目。"))
    if len(set(names)) > round.max_choices:
        raise ChoicesError(
            _("最多选择%(max)d个项目，您选择了%(count)d个。")
            % {"max": round.max_choices, "count": len(set(names))}
        )
    if library is not None:
        items = [item for name, item in library.items() if name in names]
    elif refs:
        items = list(round.ballot_items.filter(ref__in=names))
    else:
        items = list(round.ballot_items.filter(number__in=names))
    if len(items) != len(names):
        raise ChoicesError(_("选票上有不属于本轮项目库的项目，或同一项目选了两次。"))
    return items


def paper_library(round):
    """Return the round's ballot items by the number printed beside each on the paper ballot."""
    return {item.number: item for item in round.ballot_items.all()}


def _lock_station(station):
    """Lock the station's row, so a ballot and the station's closing never interleave.

    Return the station. Its round and closure are left to be read when they are asked
    for: the statement that waits for the lock sees other rows as they were when it began,
    so a closure, or a move of the round (which holds the round's stations locked while it
    moves), committed meanwhile is only visible to a later statement. Only the station's
    row is locked: ballots at other stations of the round go on meanwhile.
    """
    return BallotStation.objects.select_for_update().get(pk=station.pk)


def _lock_open_station(station, officer, now):
    """Lock ``station`` and return it, as long as ``officer`` may record votes there now."""
    station = _lock_station(station)
    station_check_open(station=station, duty_days=officer_duty_days(station, officer), now=now)
    return station


def ballot_cast(*, station, officer, relation, voter_key, refs, now=None):
    """Record a tablet voter, then their secret ballot, in two transactions; return the ballot.

    The mark commits first, so the two never share a transaction id (``xmin``) that would
    join them. The ticks are checked before: a bad choice leaves no mark. A second vote by
    the same person, at any station, fails on the register's unique constraint and records
    nothing. If the station closes between the two, the ballot is refused and the closure
    counts the voter as registered without a ballot (登记未投).
    """
    with transaction.atomic():
        station = _lock_open_station(station, officer, now)
        if station.mode != BallotStation.Mode.TABLET:
            raise VotingError(_("纸质投票站不能在平板上投票。"))
        items = check_choices(station.round, refs)
        _mark(station=station, relation=relation, voter_key=voter_key, now=now)
    with transaction.atomic():
        station = _lock_station(station)
        if hasattr(station, "closure"):
            raise VotingError(_("「%(station)s」已经关闭计票。") % {"station": station})
        ballot = Ballot.objects.create(round_id=station.round_id, station=station)
        BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, item=item) for item in items)
    return ballot


BLANK_BALLOT = {"0", "空白"}
INVALID_BALLOT = {"X", "无效"}


def paper_lines(text):
    """Return the typed paper ballots, one a line; no ballots if nothing was typed.

    Empty lines at the end are dropped; any other empty line is refused, since a blank
    ballot is typed as "空白" or "0" and a line left empty may be a ballot forgotten.
    """
    lines = text.rstrip().splitlines()
    if empty := [number for number, line in enumerate(lines, start=1) if not line.strip()]:
        raise VotingError(
            _("第%(lines)s行是空行。空白票请写「空白」或0，无效票写X，不要留空行。")
            % {"lines": listing(empty)}
        )
    return lines


def parse_paper_line(round, line, library):
    """Return (kind, items) for one typed paper ballot: "3,7,12", "空白" or "0", "X" or "无效".

    The numbers are the item numbers printed on the paper ballot, separated by commas, 、 or
    spaces; full-width digits and commas, as a Chinese input method types them, are read as
    their plain forms. Anything else on the line makes the ballot invalid.
    """
    text = unicodedata.normalize("NFKC", line).replace("、", ",").strip().upper()
    if text in BLANK_BALLOT:
        return Ballot.Kind.BLANK, []
    if text in INVALID_BALLOT:
        return Ballot.Kind.INVALID, []
    numbers = re.split(r"[,\s]+", text)
    if not all(re.fullmatch(r"[0-9]{1,6}", number) for number in numbers):
        return Ballot.Kind.INVALID, []
    try:
        return Ballot.Kind.VALID, check_choices(
            round, numbers=[int(n) for n in numbers], library=library
        )
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
    paper_lines(lines)
    count, _created = PaperCount.objects.update_or_create(
        station=station, officer=officer, defaults={"lines": lines}
    )
    return count


def paper_typings_compared(round, first, second):
    """Return (line number, first's line, second's line) where two typings read differently.

    A line one typing lacks is None in it.
    """
    library = paper_library(round)
    return [
        (number, a, b)
        for number, (a, b) in enumerate(zip_longest(paper_lines(first), paper_lines(second)), 1)
        if a is None
        or b is None
        or parse_paper_line(round, a, library) != parse_paper_line(round, b, library)
    ]


def paper_count_differences(station):
    """Return the 1-based line numbers where the two officers' typings differ."""
    counts = list(station.paper_counts.order_by("entered_at", "pk")[:2])
    if len(counts) < 2:
        raise VotingError(_("纸质选票需要两名工作人员分别录入后才能核对。"))
    differing = paper_typings_compared(station.round, counts[0].lines, counts[1].lines)
    return [number for number, _a, _b in differing]


def paper_count_review(*, station, officer):
    """Return (the officer's typing or "", the other typing or None, {line number: (a, b)}).

    The dict holds the lines where the officer's typing (a) and the other officer's (b)
    differ, for the re-entry page to mark them.
    """
    counts = {count.officer_id: count for count in station.paper_counts.select_related("officer")}
    mine = counts.pop(officer.pk, None)
    other = min(counts.values(), key=lambda count: (count.entered_at, count.pk), default=None)
    if mine is None or other is None:
        return (mine.lines if mine else ""), other, {}
    differing = paper_typings_compared(station.round, mine.lines, other.lines)
    return mine.lines, other, {number: (a, b) for number, a, b in differing}


def _typed_ballots(station):
    """Return (kind, item ids) of each paper ballot, as the station's first typing has them."""
    typing = station.paper_counts.order_by("entered_at", "pk").first()
    library = paper_library(station.round)
    return [
        (kind, [item.pk for item in items])
        for kind, items in (
            parse_paper_line(station.round, line, library) for line in paper_lines(typing.lines)
        )
    ]


def _cast_ballots(station):
    """Return (kind, item ids) of each ballot cast on the station's tablet."""
    ballots = {}
    for ballot_id, kind, item_id in station.ballots.values_list("id", "kind", "choices__item"):
        ballots.setdefault(ballot_id, (kind, []))[1].extend([] if item_id is None else [item_id])
    return list(ballots.values())


def _station_rewrite(station, ballots):
    """Write the station's ballots (``(kind, item ids)`` each) and voter marks anew, shuffled.

    Run in the closure's transaction: every row is deleted and inserted again in a random
    order, with a fresh random UUID for a ballot and the next sequence number for a mark,
    so after closure neither the physical order, the ctid, the xmin nor any id follows
    the order of voting, and no mark sits next to its ballot.
    """
    shuffler = secrets.SystemRandom()
    marks = list(station.voter_marks.values("round_id", "voter_key", "relation", "day"))
    station.voter_marks.all().delete()
    station.ballots.all().delete()
    shuffler.shuffle(marks)
    VoterMark.objects.bulk_create(VoterMark(station=station, **mark) for mark in marks)
    ballots = shuffler.sample(ballots, len(ballots))
    rows = Ballot.objects.bulk_create(
        Ballot(round=station.round, station=station, kind=kind) for kind, _items in ballots
    )
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=row, item_id=item)
        for row, (_kind, items) in zip(rows, ballots, strict=True)
        for item in items
    )


def closure_not_voted(*, mode, marked, counted):
    """Return how many voters were registered at a station but cast no ballot (登记未投).

    Only a tablet station can tell: there a mark is written before its ballot, so each mark
    beyond the ballots is such a voter. At a paper station any difference is explained.
    """
    return max(marked - counted, 0) if mode == BallotStation.Mode.TABLET else 0


@dataclass(frozen=True)
class StationCount:
    """What closing a station would count now: its ballots as (kind, item ids), and its marks."""

    ballots: list
    marked: int
    not_voted: int
    kinds: Counter

    @property
    def counted(self):
        return len(self.ballots)

    @property
    def reconciles(self):
        """Whether voters marked are ballots counted plus those registered who cast none."""
        return self.counted + self.not_voted == self.marked


def station_count(station):
    """Return the station's count as closing it would record it; shown before confirming.

    Raise VotingError if a paper station's two typings are missing or differ.
    """
    if station.mode == BallotStation.Mode.PAPER:
        if differing := paper_count_differences(station):
            raise VotingError(
                _("两次录入在第%(lines)s行不一致，请核对纸质选票后修改。")
                % {"lines": listing(differing)}
            )
        ballots = _typed_ballots(station)
    else:
        ballots = _cast_ballots(station)
    marked = station.voter_marks.count()
    return StationCount(
        ballots=ballots,
        marked=marked,
        not_voted=closure_not_voted(mode=station.mode, marked=marked, counted=len(ballots)),
        kinds=Counter(kind for kind, _items in ballots),
    )


@transaction.atomic
def station_close(*, station, actor, officers, observers, explanation="", now=None):
    """Close ``station`` and count its ballots; return the closure record with its digest.

    Only an officer on duty at the station today may close it. A paper station's two
    typings must agree line by line first; voters marked must equal ballots counted plus
    those registered without a ballot (``closure_not_voted``), or the difference be
    explained. The station's ballots and marks are then written anew in random order
    (``_station_rewrite``).
    """
    station = _lock_station(station)
    station_check_on_duty(station=station, duty_days=officer_duty_days(station, actor), now=now)
    if not observers.strip():
        raise VotingError(_("请填写在场监票人。"))
    count = station_count(station)
    if not count.reconciles and not explanation.strip():
        raise VotingError(
            _("登记投票%(marked)d人，清点选票%(counted)d张，相差%(difference)d张，请说明原因。")
            % {
                "marked": count.marked,
                "counted": count.counted,
                "difference": count.counted - count.marked,
            }
        )
    _station_rewrite(station, count.ballots)
    closure = StationClosure.objects.create(
        station=station,
        voters_marked=count.marked,
        ballots_counted=count.counted,
        not_voted=count.not_voted,
        valid=count.kinds[Ballot.Kind.VALID],
        blank=count.kinds[Ballot.Kind.BLANK],
        invalid=count.kinds[Ballot.Kind.INVALID],
        explanation=explanation.strip(),
        observers=observers.strip(),
        digest=digest(station_ballot_lines(station)),
    )
    closure.officers.set(officers)
    return closure


def lot_record(*, round, order, witnesses, actor):
    """Record a public lot that orders tied items (refs, first wins)."""
    require_stage(round, Stage.VOTING, error=VotingError)
    if not witnesses.strip():
        raise VotingError(_("抽签须有见证人。"))
    on_ballot = set(round.ballot_items.values_list("ref", flat=True))
    if not order or len(set(order)) != len(order) or not set(order) <= on_ballot:
        raise VotingError(_("抽签结果要列出项目库中的项目编码，每个只能出现一次。"))
    return Lot.objects.create(
        round=round, order=list(order), witnesses=witnesses.strip(), recorded_by=actor
    )


def tally_certify_check(*, round):
    """Raise VotingError unless the round's tally can be certified now; return the result."""
    require_stage(round, Stage.VOTING, error=VotingError)
    if not round.stations.exists():
        raise VotingError(_("本轮没有投票站。"))
    if refusal := every_station_is_closed(round):
        raise VotingError(refusal)
    if CertifiedTally.objects.filter(round=round).exists():
        raise VotingError(_("本轮计票结果已经确认。"))
    result = round_tally_result(round)
    if result.needs_lot:
        raise VotingError(
            _("项目 %(refs)s 票数和预算相同，且决定能否入选，请先公开抽签并记录结果。")
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
    proposals_record_vote(round=round, selected_refs=set(result.selected), actor=actor)
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


@transaction.atomic
def tally_void(*, round, actor, reason):
    """Void the round's certified tally, keeping it as a VoidedTally with ``reason``; return that.

    The proposals on the ballot go back to waiting for the vote's outcome, so that the next
    certification gives them theirs.
    """
    certified = CertifiedTally.objects.select_for_update().get(round=round)
    voided = VoidedTally.objects.create(
        round=round,
        rule=certified.rule,
        tie_break=certified.tie_break,
        min_vote_share=certified.min_vote_share,
        inputs_digest=certified.inputs_digest,
        result=certified.result,
        certified_by=certified.certified_by,
        certified_at=certified.certified_at,
        observers=certified.observers,
        reason=reason,
        voided_by=actor,
    )
    certified.delete()
    proposals_unrecord_vote(round=round, actor=actor)
    return voided


def _lock_open_for_edits(station_id):
    """Lock the station's round and return (round, station), unless the station is closed."""
    round = editing.lock_round(BallotStation.objects.values("round").get(pk=station_id)["round"])
    station = BallotStation.objects.get(pk=station_id)
    if StationClosure.objects.filter(station=station).exists():
        raise VotingError(_("「%(station)s」已经关闭计票，不能再修改。") % {"station": station})
    return round, station


@transaction.atomic
def station_create(*, fields):
    """Set up a ballot station of a round before voting opens; return it."""
    round = editing.lock_round(fields["round"].pk)
    return editing.create(BallotStation, round, {**fields, "round": round}, VotingError)


@transaction.atomic
def station_update(*, station, changes):
    """Change a station: its round and mode until voting opens, its days until it closes."""
    round, station = _lock_open_for_edits(station.pk)
    if "round" in changes:
        editing.check_changes(BallotStation, changes["round"], changes, VotingError)
    return editing.edit(station, round, changes, VotingError)


@transaction.atomic
def station_delete(*, station):
    """Remove a station before voting opens."""
    round, station = _lock_open_for_edits(station.pk)
    editing.delete(station, round, VotingError)


def _check_eligible(round, user):
    if not eligible_officers(round).filter(pk=user.pk).exists():
        raise VotingError(
            _("%(user)s 不能担任「%(round)s」投票站的工作人员。") % {"user": user, "round": round}
        )


@transaction.atomic
def station_officer_add(*, station, fields):
    """Put an eligible user on duty at ``station`` until it closes; return the assignment."""
    round, station = _lock_open_for_edits(station.pk)
    _check_eligible(round, fields["user"])
    return editing.create(StationOfficer, round, {**fields, "station": station}, VotingError)


@transaction.atomic
def station_officer_update(*, officer, changes):
    """Change who is on duty or the day, until the station closes; return the assignment."""
    round, _station = _lock_open_for_edits(officer.station_id)
    if "user" in changes:
        _check_eligible(round, changes["user"])
    return editing.edit(StationOfficer.objects.get(pk=officer.pk), round, changes, VotingError)


@transaction.atomic
def station_officer_remove(*, officer):
    """Take an officer off duty at a station until it closes."""
    round, _station = _lock_open_for_edits(officer.station_id)
    editing.delete(officer, round, VotingError)
