import datetime
import io
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from proposals.models import BallotItem, Category
from rounds.models import Round, RoundEvent, Stage
from tests.factories import RoundFactory, put_at
from voting.models import Ballot, BallotChoice, BallotStation, StationClosure
from voting.pabulib import PabulibError, parse_pb, write_pb
from voting.selectors import round_ballot_sets, station_ballot_lines
from voting.services import digest

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def run(*args):
    """Run a management command; return what it printed."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def import_file(path):
    """Import a .pb file with the command; return the new round and the command's output."""
    output = run("import_pabulib", str(path))
    return Round.objects.get(pk=int(output.split()[-1])), output


def tally_json(round, rule):
    return json.loads(run("tally", str(round.pk), "--rule", rule, "--format", "json"))


def counted_round(ballots, *, closed=True, **fields):
    """Return a round in voting with items A–D, one paper station holding ``ballots``.

    Each ballot is a string of refs ("AB"), "" for a blank one or "X" for an invalid one.
    The station is closed and counted unless ``closed`` is False.
    """
    round = put_at(
        RoundFactory(total_fund=Decimal("100"), project_cap=Decimal("60"), **fields), Stage.VOTING
    )
    costs = {"A": "60", "B": "35", "C": "12.5", "D": "40"}
    items = {
        ref: BallotItem.objects.create(
            round=round,
            number=number,
            ref=ref,
            title=f"项目{ref};含安装",
            description="",
            cost=Decimal(cost),
            category=Category.CONSTRUCTION,
            location="",
        )
        for number, (ref, cost) in enumerate(costs.items(), start=1)
    }
    station = BallotStation.objects.create(
        round=round,
        name="一号投票站",
        address="社区党群服务中心",
        mode=BallotStation.Mode.PAPER,
        opens_on=datetime.date(2026, 6, 1),
        closes_on=datetime.date(2026, 6, 7),
        opens_at=datetime.time(8),
        closes_at=datetime.time(18),
    )
    for refs in ballots:
        kind = {"": Ballot.Kind.BLANK, "X": Ballot.Kind.INVALID}.get(refs, Ballot.Kind.VALID)
        ballot = Ballot.objects.create(round=round, station=station, kind=kind)
        if kind == Ballot.Kind.VALID:
            BallotChoice.objects.bulk_create(
                BallotChoice(ballot=ballot, item=items[r]) for r in refs
            )
    if closed:
        kinds = Counter(station.ballots.values_list("kind", flat=True))
        StationClosure.objects.create(
            station=station,
            voters_marked=len(ballots),
            ballots_counted=len(ballots),
            valid=kinds[Ballot.Kind.VALID],
            blank=kinds[Ballot.Kind.BLANK],
            invalid=kinds[Ballot.Kind.INVALID],
            observers="居民代表",
            digest=digest(station_ballot_lines(station)),
        )
    return round


def test_import_creates_round_with_budget_and_geography():
    round, _output = import_file(DATA / "small.pb")

    assert round.title == "2025年度 长桥街道 龙西社区 微实事(测试数据)"
    assert (round.community.name, round.community.street.name) == ("龙西社区", "长桥街道")
    assert round.community.street.district.name == "Pabulib·China"
    assert round.year == 2025
    assert (round.total_fund, round.project_cap) == (Decimal("100"), Decimal("50"))
    assert (round.max_choices, round.tally_rule) == (3, "skip")


def test_import_ranks_equal_votes_as_the_file_lists_them():
    round, _output = import_file(DATA / "small.pb")

    assert round.tie_break == "listed"


def test_import_puts_round_in_voting_without_a_workflow_event():
    round, _output = import_file(DATA / "small.pb")

    assert round.stage == Stage.VOTING
    assert not RoundEvent.objects.filter(round=round).exists()


def test_import_creates_items_in_file_order():
    round, _output = import_file(DATA / "small.pb")

    items = list(
        round.ballot_items.order_by("number").values_list(
            "number", "ref", "title", "cost", "category"
        )
    )
    assert items == [
        (1, "1", "更换路灯", Decimal("50"), "public_safety"),
        (2, "2", "加装座椅;含安装", Decimal("30"), "construction"),
        (3, "3", "修补道路", Decimal("25"), "remediation"),
        (4, "4", "健身器材", Decimal("45"), ""),
        (5, "5", "读书角", Decimal("10"), "community_services"),
    ]


def test_import_stores_every_ballot_with_blank_as_blank():
    round, _output = import_file(DATA / "small.pb")

    assert round_ballot_sets(round) == Counter(
        {
            frozenset({"1", "2", "3"}): 5,
            frozenset({"4"}): 3,
            frozenset({"5"}): 2,
            frozenset(): 1,
        }
    )
    assert round.ballots.filter(kind=Ballot.Kind.BLANK).count() == 1


def test_import_closes_one_paper_station_with_counts_and_digest():
    round, _output = import_file(DATA / "small.pb")

    station = round.stations.get()
    closure = station.closure
    assert (station.name, station.mode) == ("Pabulib 导入", BallotStation.Mode.PAPER)
    assert (closure.voters_marked, closure.ballots_counted) == (0, 11)
    assert (closure.valid, closure.blank, closure.invalid) == (10, 1, 0)
    assert closure.explanation == "由 Pabulib 文件导入，无现场登记"
    assert closure.observers == "Pabulib"
    assert closure.digest == digest(station_ballot_lines(station))


def test_import_prints_the_round_id_as_last_word():
    round, output = import_file(DATA / "small.pb")

    assert output.split()[-1] == str(round.pk)


def test_import_of_the_same_round_twice_is_refused():
    round, _output = import_file(DATA / "small.pb")

    with pytest.raises(CommandError, match=re.escape(f"已有轮次（编号{round.pk}）")):
        import_file(DATA / "small.pb")


def test_import_refuses_a_file_that_is_not_approval():
    with pytest.raises(CommandError, match="只支持认可投票.*ordinal"):
        import_file(DATA / "ordinal.pb")
    assert not Round.objects.exists()


def test_import_refuses_a_malformed_file_saying_where():
    with pytest.raises(
        CommandError, match="malformed.pb: 第21行：选票中的项目「7」不在 PROJECTS 部分"
    ):
        import_file(DATA / "malformed.pb")
    assert not Round.objects.exists()


def test_import_refuses_a_missing_file():
    with pytest.raises(CommandError, match="无法读取"):
        import_file(DATA / "missing.pb")


SMALL = (DATA / "small.pb").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "缺少 META、PROJECTS、VOTES 部分"),
        (SMALL.split("VOTES")[0], "缺少 VOTES 部分"),
        ("key;value\n" + SMALL, "第1行：文件应以 META 部分开始"),
        (SMALL.replace("PROJECTS", "VOTES", 1), "第17行：此处应为 PROJECTS 部分，而不是 VOTES"),
        (
            SMALL.replace("3;25;5;修补道路;remediation", "3;25;5"),
            "第21行：应有5个以分号分隔的字段，实有3个",
        ),
        (SMALL.replace("3;25;5;", "2;25;5;"), "第21行：项目编号「2」重复"),
        (SMALL.replace("3;25;5;", "3;25 元;5;"), "第21行：项目预算「25 元」不是正数金额"),
        (SMALL.replace("3;25;5;", "3;0;5;"), "项目预算「0」不是正数金额"),
        (SMALL.replace("3;25;5;", "3;25.125;5;"), "超过两位小数"),
        (SMALL.replace("budget;100\n", ""), "META 部分缺少 budget"),
        (
            SMALL.replace("num_votes;11", "num_votes;12"),
            "第9行：META 的 num_votes 为12，文件实有11条",
        ),
        (SMALL.replace("num_projects;5", "num_projects;five"), "num_projects「five」不是整数"),
        (SMALL.replace("10;5\n", "9;5\n"), "第35行：投票人编号「9」重复"),
        (SMALL.replace("2;1,2,3", "2;1,2,2"), "第27行：选票重复选择了同一项目"),
        (SMALL.replace("project_id;cost", "id;cost"), "PROJECTS 部分的表头缺少 project_id"),
    ],
)
def test_parse_refuses_malformed_text_with_a_clear_message(text, message):
    with pytest.raises(PabulibError, match=message):
        parse_pb(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SMALL.replace("修补道路", "长" * 131_073), "第21行：字段超过131072个字符，无法读取。"),
        (SMALL.replace("修补道路", "修补\0道路"), "第21行：含有空字符（NUL），不是文本文件。"),
        *(
            (
                SMALL.replace("rule;greedy\n", f"rule;greedy\nmin_vote_share_weishishi;{share}\n"),
                f"第13行：META 的 min_vote_share_weishishi「{share}」不是0到1之间的数。",
            )
            for share in ("NaN", "sNaN", "Infinity", "1.5", "-0.1", "一半")
        ),
    ],
)
def test_import_refuses_unreadable_text_with_a_clear_message_and_imports_nothing(
    text, message, tmp_path
):
    (tmp_path / "bad.pb").write_text(text, encoding="utf-8")
    rounds = Round.objects.count()

    with pytest.raises(CommandError, match=re.escape(message)):
        import_file(tmp_path / "bad.pb")
    assert (Round.objects.count(), Ballot.objects.count()) == (rounds, 0)


def test_import_reads_the_minimum_share_we_wrote():
    text = SMALL.replace("rule;greedy\n", "rule;greedy\nmin_vote_share_weishishi;0.25\n")

    assert parse_pb(text).min_vote_share == Decimal("0.25")


def test_parse_reads_quoted_fields_and_a_byte_order_mark():
    parsed = parse_pb("\ufeff" + SMALL.replace("2;30;5;", '"2";"30";5;'))

    assert [project.name for project in parsed.projects][:2] == ["更换路灯", "加装座椅;含安装"]
    assert parsed.projects[1].cost == Decimal("30")
    assert parsed.votes[-1] == ()


def test_export_writes_meta_projects_and_sorted_votes():
    round = counted_round(["BA", "", "A", "X", "C", "AB"])

    assert write_pb(round) == (
        "META\n"
        "key;value\n"
        f"description;{round.title}\n"
        "country;China\n"
        f"unit;{round.community.street.name}\n"
        f"subunit;{round.community.name}\n"
        "instance;2026\n"
        "num_projects;4\n"
        "num_votes;5\n"
        "budget;100\n"
        "currency;CNY\n"
        "vote_type;approval\n"
        "rule;stop\n"
        "rule_weishishi;stop\n"
        "tie_break_weishishi;order\n"
        "date_begin;2026-06-01\n"
        "date_end;2026-06-07\n"
        "min_length;1\n"
        "max_length;3\n"
        "PROJECTS\n"
        "project_id;cost;votes;name;category;selected\n"
        'A;60;3;"项目A;含安装";construction;1\n'
        'B;35;2;"项目B;含安装";construction;1\n'
        'C;12.5;1;"项目C;含安装";construction;0\n'
        'D;40;0;"项目D;含安装";construction;0\n'
        "VOTES\n"
        "voter_id;vote\n"
        "1;\n"
        "2;A\n"
        "3;A,B\n"
        "4;A,B\n"
        "5;C\n"
    )


def test_export_names_the_pabulib_rule_and_keeps_ours():
    meta = parse_pb(
        write_pb(counted_round(["A"], tally_rule="mes", min_vote_share=Decimal("0.1")))
    ).meta

    assert (meta["rule"], meta["rule_weishishi"]) == ("equalshares/add1", "mes")
    assert meta["min_vote_share_weishishi"] == "0.1"


def test_export_is_readable_by_pabutools():
    from pabutools.election.pabulib import parse_pabulib_from_string

    instance, profile = parse_pabulib_from_string(write_pb(counted_round(["AB", "C", "", "X"])))

    assert (len(instance), instance.budget_limit) == (4, 100)
    assert profile.num_ballots() == 3


def test_export_gives_researchers_our_result_under_pabutools_rules():
    from pabutools.election import Cost_Sat
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    round, _output = import_file(DATA / "small.pb")
    instance, profile = parse_pabulib_from_string(run("export_pabulib", str(round.pk)))
    # An imported file ranks equal votes as listed (here the number is the ref); equal shares
    # breaks equal ρ by the cheaper item, then more votes, then as listed.
    listed = TieBreakingRule(lambda instance, profile, project: int(project.name))
    equal_shares_ties = TieBreakingRule(
        lambda instance, profile, project: (
            project.cost,
            -profile.approval_score(project),
            int(project.name),
        )
    )

    greedy = greedy_utilitarian_welfare(
        instance, profile, sat_class=Cost_Sat, tie_breaking=listed
    )
    equal_shares = method_of_equal_shares(
        instance,
        profile,
        sat_class=Cost_Sat,
        tie_breaking=equal_shares_ties,
        voter_budget_increment=1,
    )
    assert {p.name for p in greedy} == set(tally_json(round, "skip")["selected"])
    assert {p.name for p in equal_shares} == set(tally_json(round, "mes")["selected"])


def test_import_without_copy_stores_the_same_ballots(monkeypatch):
    monkeypatch.setattr("voting.pabulib.connection", SimpleNamespace(vendor="sqlite"))

    round, _output = import_file(DATA / "small.pb")

    assert round_ballot_sets(round)[frozenset({"1", "2", "3"})] == 5
    assert round.stations.get().closure.digest == digest(station_ballot_lines(round.stations.get()))


def test_export_command_writes_the_file(tmp_path):
    round = counted_round(["AB", "C"])

    output = run("export_pabulib", str(round.pk), "--output", str(tmp_path / "round.pb"))

    assert str(tmp_path / "round.pb") in output
    assert (tmp_path / "round.pb").read_text(encoding="utf-8") == write_pb(round)


def test_export_command_refuses_while_a_station_is_open():
    round = counted_round(["AB"], closed=False)

    with pytest.raises(CommandError, match="还有投票站没有关闭计票：一号投票站"):
        run("export_pabulib", str(round.pk))


@pytest.mark.parametrize("rule", ["stop", "skip", "mes"])
def test_export_then_import_gives_the_same_tally(rule, tmp_path):
    ballots = ["AB", "AB", "B", "BC", "C", "CD", "D", "", "X", "ABC"]
    round = counted_round(ballots, tally_rule=rule, min_vote_share=Decimal("0.15"))
    (tmp_path / "round.pb").write_text(run("export_pabulib", str(round.pk)), encoding="utf-8")

    imported, _output = import_file(tmp_path / "round.pb")

    assert imported.pk != round.pk
    assert (imported.tally_rule, imported.min_vote_share) == (rule, Decimal("0.15"))
    assert round_ballot_sets(imported) == round_ballot_sets(round)
    assert json.loads(run("tally", str(imported.pk))) == json.loads(run("tally", str(round.pk)))
    for other in ["stop", "skip", "mes"]:
        assert tally_json(imported, other) == tally_json(round, other)
