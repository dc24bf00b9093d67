"""Pabulib's .pb interchange format: read a file into a closed round, write a round out.

A .pb file has three sections, META, PROJECTS and VOTES, each a header line followed by
";"-separated rows (https://pabulib.org/format). Only approval ballots are supported.
"""

import csv
import datetime
import io
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import BallotItem, Category
from rounds.models import Community, District, Round, Stage, Street, TallyRule, TieBreak
from rounds.wording import listing

from .exceptions import VotingError
from .guards import every_station_is_closed
from .models import Ballot, BallotChoice, BallotStation, StationClosure
from .selectors import round_ballot_sets, round_tally_result, station_ballot_lines
from .services import digest

SECTIONS = ("meta", "projects", "votes")
REQUIRED_META = (
    "description",
    "country",
    "unit",
    "budget",
    "vote_type",
    "num_projects",
    "num_votes",
)
REQUIRED_COLUMNS = {
    "meta": ("key", "value"),
    "projects": ("project_id", "cost"),
    "votes": ("voter_id", "vote"),
}
# The rule key of the .pb file for each of our rules; "stop" has no Pabulib name.
PABULIB_RULES = {"stop": "stop", "skip": "greedy", "mes": "equalshares/add1"}
MAX_AMOUNT = Decimal("9999999999.99")  # what a 12-digit, 2-place DecimalField holds

PABULIB = "Pabulib"
STATION_NAME = "Pabulib 导入"
CLOSURE_EXPLANATION = "由 Pabulib 文件导入，无现场登记"


class PabulibError(VotingError):
    """A .pb file that cannot be read or imported; the message says where and why."""


@dataclass(frozen=True)
class PbProject:
    project_id: str
    cost: Decimal
    name: str
    category: str


@dataclass(frozen=True)
class PbFile:
    meta: dict[str, str]
    budget: Decimal
    projects: list[PbProject]
    votes: list[tuple[str, ...]]  # each voter's approved project ids, in file order
    min_vote_share: Decimal | None = None


def _amount(text, *, what, line):
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 < value <= MAX_AMOUNT:
        raise PabulibError(
            _("第%(line)d行：%(what)s「%(value)s」不是正数金额。")
            % {"line": line, "what": what, "value": text}
        )
    if value != value.quantize(Decimal("0.01")):
        raise PabulibError(
            _("第%(line)d行：%(what)s「%(value)s」超过两位小数。")
            % {"line": line, "what": what, "value": text}
        )
    return value


def _count(meta, key, lines):
    try:
        return int(meta[key])
    except ValueError:
        raise PabulibError(
            _("第%(line)d行：META 的 %(key)s「%(value)s」不是整数。")
            % {"line": lines[key], "key": key, "value": meta[key]}
        ) from None


def _min_vote_share(meta, lines):
    """Return the minimum share of votes we wrote in the file, None if there is none."""
    key = "min_vote_share_weishishi"
    if not meta.get(key):
        return None
    try:
        share = Decimal(meta[key])
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or not 0 <= share <= 1:
        raise PabulibError(
            _("第%(line)d行：META 的 %(key)s「%(value)s」不是0到1之间的数。")
            % {"line": lines[key], "key": key, "value": meta[key]}
        )
    return share


def _rows(reader):
    """Yield the rows of a csv reader; a field too long for it becomes a PabulibError."""
    try:
        yield from reader
    except csv.Error:
        raise PabulibError(
            _("第%(line)d行：字段超过%(limit)d个字符，无法读取。")
            % {"line": reader.line_num, "limit": csv.field_size_limit()}
        ) from None


def _sections(text):
    """Yield (section, line number, {column: value}) for each data row, checking the layout."""
    if (nul := text.find("\0")) >= 0:
        raise PabulibError(
            _("第%(line)d行：含有空字符（NUL），不是文本文件。")
            % {"line": text.count("\n", 0, nul) + 1}
        )
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";")
    rows = _rows(reader)
    section, header, seen = None, None, 0
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        name = row[0].strip().lower()
        if name in SECTIONS and not any(cell.strip() for cell in row[1:]):
            if seen == len(SECTIONS) or name != SECTIONS[seen]:
                raise PabulibError(
                    _("第%(line)d行：此处应为 %(expected)s 部分，而不是 %(section)s。")
                    % {
                        "line": reader.line_num,
                        "expected": SECTIONS[min(seen, len(SECTIONS) - 1)].upper(),
                        "section": name.upper(),
                    }
                )
            seen += 1
            section, header = name, [cell.strip() for cell in next(rows, [])]
            if missing := [c for c in REQUIRED_COLUMNS[section] if c not in header]:
                raise PabulibError(
                    _("第%(line)d行：%(section)s 部分的表头缺少 %(columns)s。")
                    % {
                        "line": reader.line_num,
                        "section": name.upper(),
                        "columns": listing(missing),
                    }
                )
            continue
        if section is None:
            raise PabulibError(
                _("第%(line)d行：文件应以 META 部分开始。") % {"line": reader.line_num}
            )
        if len(row) != len(header):
            raise PabulibError(
                _("第%(line)d行：应有%(expected)d个以分号分隔的字段，实有%(actual)d个。")
                % {"line": reader.line_num, "expected": len(header), "actual": len(row)}
            )
        yield (
            section,
            reader.line_num,
            dict(zip(header, (cell.strip() for cell in row), strict=True)),
        )
    if seen < len(SECTIONS):
        raise PabulibError(
            _("文件缺少 %(sections)s 部分。")
            % {"sections": listing(name.upper() for name in SECTIONS[seen:])}
        )


def parse_pb(text):
    """Return the PbFile that the text of a .pb file holds, or raise PabulibError saying why not."""
    meta, meta_lines, projects, votes, voter_ids = {}, {}, {}, [], set()
    for section, line, row in _sections(text):
        if section == "meta":
            meta[row["key"]], meta_lines[row["key"]] = row["value"], line
        elif section == "projects":
            project_id = row["project_id"]
            if not project_id or len(project_id) > 64 or "," in project_id:
                raise PabulibError(
                    _("第%(line)d行：项目编号「%(id)s」不可用（不能为空、不能含逗号、最长64个字符）。")
                    % {"line": line, "id": project_id}
                )
            if project_id in projects:
                raise PabulibError(
                    _("第%(line)d行：项目编号「%(id)s」重复。") % {"line": line, "id": project_id}
                )
            projects[project_id] = PbProject(
                project_id=project_id,
                cost=_amount(row["cost"], what=_("项目预算"), line=line),
                name=row.get("name", ""),
                category=row.get("category", ""),
            )
        else:
            if row["voter_id"] in voter_ids:
                raise PabulibError(
                    _("第%(line)d行：投票人编号「%(id)s」重复。")
                    % {"line": line, "id": row["voter_id"]}
                )
            voter_ids.add(row["voter_id"])
            vote = tuple(ref.strip() for ref in row["vote"].split(",")) if row["vote"] else ()
            if unknown := [ref for ref in vote if ref not in projects]:
                raise PabulibError(
                    _("第%(line)d行：选票中的项目「%(refs)s」不在 PROJECTS 部分。")
                    % {"line": line, "refs": listing(unknown)}
                )
            if len(set(vote)) != len(vote):
                raise PabulibError(_("第%(line)d行：选票重复选择了同一项目。") % {"line": line})
            votes.append(vote)
    if missing := [key for key in REQUIRED_META if not meta.get(key)]:
        raise PabulibError(_("META 部分缺少 %(keys)s。") % {"keys": listing(missing)})
    if meta["vote_type"].lower() != "approval":
        raise PabulibError(
            _("只支持认可投票（vote_type 为 approval），此文件为「%(type)s」。")
            % {"type": meta["vote_type"]}
        )
    budget = _amount(meta["budget"], what="budget", line=meta_lines["budget"])
    for key, actual in (("num_projects", len(projects)), ("num_votes", len(votes))):
        if _count(meta, key, meta_lines) != actual:
            raise PabulibError(
                _("第%(line)d行：META 的 %(key)s 为%(stated)s，文件实有%(actual)d条。")
                % {"line": meta_lines[key], "key": key, "stated": meta[key], "actual": actual}
            )
    if not projects:
        raise PabulibError(_("PROJECTS 部分没有项目。"))
    return PbFile(
        meta=meta,
        budget=budget,
        projects=list(projects.values()),
        votes=votes,
        min_vote_share=_min_vote_share(meta, meta_lines),
    )


def _year(meta):
    if found := re.search(r"\b(1[89]|2\d)\d\d\b", meta.get("date_begin", "")):
        return int(found.group())
    return timezone.localdate().year


def _tally_rule(meta):
    """Return our rule: as we wrote it in `rule_weishishi`, else from Pabulib's `rule`."""
    if meta.get("rule_weishishi") in TallyRule.values:
        return meta["rule_weishishi"]
    rule = meta.get("rule", "").lower()
    if rule == "greedy":
        return TallyRule.SKIP
    if rule.startswith("equalshares"):
        return TallyRule.MES
    return TallyRule.STOP


def _max_choices(meta, projects):
    max_length = meta.get("max_length", "")
    if max_length.isdigit() and int(max_length) > 0:
        return min(int(max_length), len(projects))
    return len(projects)


def _geography(meta):
    district, _created = District.objects.get_or_create(name=f"Pabulib·{meta['country']}"[:100])
    street, _created = Street.objects.get_or_create(district=district, name=meta["unit"][:100])
    community, _created = Community.objects.get_or_create(
        street=street, name=(meta.get("subunit") or meta["unit"])[:100]
    )
    return community


def _insert(model, fields, rows):
    """Insert rows of plain values (no tabs, newlines or backslashes) into ``model``'s table.

    PostgreSQL gets one COPY: bulk_create spends most of a minute on the 200,000 ballots and
    their choices of a big file, COPY a few seconds.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create(model(**dict(zip(fields, row, strict=True))) for row in rows)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(field).column) for field in fields)
    data = io.StringIO("".join("\t".join(map(str, row)) + "\n" for row in rows))
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN", data)


@transaction.atomic
def import_round(parsed):
    """Create a round from a parsed .pb file, its voting closed and counted; return it.

    The round is put in `voting` directly: this is a data import, not a step of the
    workflow, so no RoundEvent is written. Its one paper station holds every ballot.
    """
    meta = parsed.meta
    community, year = _geography(meta), _year(meta)
    if existing := Round.objects.filter(community=community, year=year).first():
        raise PabulibError(
            _("社区「%(community)s」%(year)d年度已有轮次（编号%(id)d），不能再导入。")
            % {"community": community, "year": year, "id": existing.pk}
        )
    round = Round.objects.create(
        community=community,
        year=year,
        title=meta["description"][:200],
        total_fund=parsed.budget,
        project_cap=min(max(project.cost for project in parsed.projects), parsed.budget),
        max_choices=_max_choices(meta, parsed.projects),
        tally_rule=_tally_rule(meta),
        tie_break=meta["tie_break_weishishi"]
        if meta.get("tie_break_weishishi") in TieBreak.values
        else TieBreak.LISTED,
        min_vote_share=parsed.min_vote_share,
        stage=Stage.VOTING,
    )
    items = BallotItem.objects.bulk_create(
        BallotItem(
            round=round,
            number=number,
            ref=project.project_id,
            title=(project.name or project.project_id)[:200],
            description="",
            cost=project.cost,
            category=project.category if project.category in Category.values else "",
            location="",
        )
        for number, project in enumerate(parsed.projects, start=1)
    )
    item_ids = {item.ref: item.pk for item in items}
    today = timezone.localdate()
    station = BallotStation.objects.create(
        round=round,
        name=STATION_NAME,
        address=PABULIB,
        mode=BallotStation.Mode.PAPER,
        opens_on=today,
        closes_on=today,
        opens_at=datetime.time(0, 0),
        closes_at=datetime.time(23, 59),
    )
    ballots, choices = [], []
    for vote in parsed.votes:
        ballot_id = str(uuid.uuid4())
        ballots.append(
            (ballot_id, round.pk, station.pk, Ballot.Kind.VALID if vote else Ballot.Kind.BLANK)
        )
        choices += [(ballot_id, item_ids[ref]) for ref in vote]
    # In the order of their random ids, which the indexes and the foreign key checks like best.
    _insert(Ballot, ("id", "round_id", "station_id", "kind"), sorted(ballots))
    _insert(BallotChoice, ("ballot_id", "item_id"), sorted(choices))
    blank = sum(1 for vote in parsed.votes if not vote)
    StationClosure.objects.create(
        station=station,
        voters_marked=0,
        ballots_counted=len(parsed.votes),
        valid=len(parsed.votes) - blank,
        blank=blank,
        invalid=0,
        explanation=CLOSURE_EXPLANATION,
        observers=PABULIB,
        digest=digest(station_ballot_lines(station)),
    )
    return round


def counted_round(round_id):
    """Return the round, or raise VotingError if there is none or its votes are not all counted.

    No count of any item is read before every station of the round is closed.
    """
    round = Round.objects.select_related("community__street").filter(pk=round_id).first()
    if round is None:
        raise VotingError(_("没有编号为%(id)s的轮次。") % {"id": round_id})
    if not round.stations.exists():
        raise VotingError(_("「%(round)s」没有投票站，还没有选票。") % {"round": round})
    if open_stations := every_station_is_closed(round):
        raise VotingError(open_stations)
    return round


def _number(value):
    """Return an amount as Pabulib writes it: 300000, 12.5."""
    return f"{value.normalize():f}"


def write_pb(round):
    """Return the round in .pb format: its items, its valid and blank ballots, and the result.

    Voters are numbered 1..n after sorting the ballots by their items' numbers; invalid
    ballots are left out. "selected" is the certified result, or the round's rule applied now.
    """
    items = list(round.ballot_items.order_by("number"))
    numbers = {item.ref: item.number for item in items}
    ballot_sets = round_ballot_sets(round)
    votes = sorted(
        (sorted(numbers[ref] for ref in refs), count) for refs, count in ballot_sets.items()
    )
    approvals = Counter()
    for refs, count in ballot_sets.items():
        approvals.update(dict.fromkeys(refs, count))
    if hasattr(round, "certified_tally"):
        selected = set(round.certified_tally.result["selected"])
    else:
        selected = set(round_tally_result(round).selected)
    dates = round.stations.aggregate(begin=Min("opens_on"), end=Max("closes_on"))
    meta = {
        "description": round.title,
        "country": "China",
        "unit": round.community.street.name,
        "subunit": round.community.name,
        "instance": str(round.year),
        "num_projects": str(len(items)),
        "num_votes": str(ballot_sets.total()),
        "budget": _number(round.total_fund),
        "currency": "CNY",
        "vote_type": "approval",
        "rule": PABULIB_RULES[round.tally_rule],
        "rule_weishishi": round.tally_rule,
        "tie_break_weishishi": round.tie_break,
        "min_vote_share_weishishi": (
            None if round.min_vote_share is None else _number(round.min_vote_share)
        ),
        "date_begin": dates["begin"] and dates["begin"].isoformat(),
        "date_end": dates["end"] and dates["end"].isoformat(),
        "min_length": "1",
        "max_length": str(round.max_choices),
    }
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerows([["META"], ["key", "value"]])
    writer.writerows((key, value) for key, value in meta.items() if value is not None)
    writer.writerows(
        [["PROJECTS"], ["project_id", "cost", "votes", "name", "category", "selected"]]
    )
    writer.writerows(
        [
            item.ref,
            _number(item.cost),
            approvals[item.ref],
            item.title,
            item.category,
            int(item.ref in selected),
        ]
        for item in items
    )
    writer.writerows([["VOTES"], ["voter_id", "vote"]])
    refs = {item.number: item.ref for item in items}
    lines = (
        ",".join(refs[number] for number in chosen) for chosen, count in votes for _ in range(count)
    )
    writer.writerows(enumerate(lines, start=1))
    return out.getvalue()
