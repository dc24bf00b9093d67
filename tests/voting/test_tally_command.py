"""The tally command on data/small.pb: budget 100, ten voters and one blank ballot.

Five voters approve {1, 2, 3} (costs 50, 30, 25), three approve {4} (45), two {5} (10).
Items 1–3 have 5 votes each; an imported file keeps its organisers' order ("listed"), so they
rank 1, 2, 3 whatever their costs; then 4 (3 votes), then 5 (2).
"""

import json

import pytest
from django.core.management import CommandError

from tests.factories import RoundFactory
from tests.voting.test_pabulib import DATA, counted_round, import_file, run, tally_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def small():
    return import_file(DATA / "small.pb")[0]


def test_tally_json_under_stop_funds_down_the_ranking_until_an_item_does_not_fit(small):
    # 1 (50) and 2 (80 in all) fit; 3 would make 105 > 100, so the count stops there.
    assert tally_json(small, "stop") == {
        "rule": "stop",
        "budget": 100,
        "items": [
            {"ref": "1", "title": "更换路灯", "cost": 50, "votes": 5, "selected": True},
            {"ref": "2", "title": "加装座椅;含安装", "cost": 30, "votes": 5, "selected": True},
            {"ref": "3", "title": "修补道路", "cost": 25, "votes": 5, "selected": False},
            {"ref": "4", "title": "健身器材", "cost": 45, "votes": 3, "selected": False},
            {"ref": "5", "title": "读书角", "cost": 10, "votes": 2, "selected": False},
        ],
        "selected": ["1", "2"],
        "total_cost": 80,
        "tie_break": "listed",
        "ties": [{"refs": ["1", "2", "3"], "broken_by": "order", "decisive": True}],
    }


@pytest.mark.parametrize(
    ("rule", "selected", "total_cost"),
    [
        # 1, 2 (80); 3 would make 105, 4 would make 125; 5 fits (90).
        ("skip", ["1", "2", "5"], 90),
        # Each voter holds 10. The five of {1,2,3} would pay 5 for 3, 6 for 2 and 10 for 1:
        # ρ 1/5 each, so the cheapest, 3, first; their 25 left cannot pay 2 (30); the three
        # of {4} hold 30 < 45; the two of {5} pay 10. At 11 each (add1) the five hold 30
        # after 3 and pay 2: 2, 3, 5 cost 65, and the 35 left funds neither 1 (50) nor 4 (45).
        ("mes", ["2", "3", "5"], 65),
    ],
)
def test_tally_json_under_other_rules_selects_by_hand_computed_numbers(
    small, rule, selected, total_cost
):
    record = tally_json(small, rule)

    assert (record["rule"], record["selected"], record["total_cost"]) == (
        rule,
        selected,
        total_cost,
    )
    assert [item["ref"] for item in record["items"] if item["selected"]] == selected


def test_tally_defaults_to_the_rounds_rule(small):
    # The file's rule "greedy" is our "skip".
    assert json.loads(run("tally", str(small.pk)))["rule"] == "skip"


def test_tally_output_is_the_same_every_time(small):
    first = run("tally", str(small.pk), "--rule", "mes")

    assert run("tally", str(small.pk), "--rule", "mes") == first


def test_tally_text_format_is_a_table_in_chinese(small):
    output = run("tally", str(small.pk), "--rule", "stop", "--format", "text")

    assert "计票规则：按得票排序依次入选，遇到超出资金额度的项目即停止" in output
    assert "编码  项目名称" in output
    assert "入选项目：1、2；合计 80 元" in output


def test_tally_text_names_the_tie_that_decided_funding_and_the_tie_break(small):
    output = run("tally", str(small.pk), "--rule", "stop", "--format", "text")

    assert "平票处理：票数相同时按项目库顺序（不看预算）" in output
    assert "项目 1、2、3 票数相同，按项目库顺序（影响入选结果）。" in output


def test_tally_json_names_a_tie_broken_by_cost_and_whether_it_decided():
    # A and B tie on 2 votes; B (35) before A (60). Under stop 35 + 60 fit in 100: no matter.
    round = counted_round(["AB", "AB", "C"], tally_rule="stop")

    record = json.loads(run("tally", str(round.pk)))

    assert record["tie_break"] == "order"
    assert record["ties"] == [{"refs": ["B", "A"], "broken_by": "cost", "decisive": False}]


def test_tally_text_says_when_there_is_no_tie():
    round = counted_round(["A", "A", "A", "AB", "AB", "C"])

    assert "没有平票。" in run("tally", str(round.pk), "--format", "text")


def test_tally_refuses_while_a_station_is_open():
    round = counted_round(["AB", "C"], closed=False)

    with pytest.raises(CommandError, match="还有投票站没有关闭计票：一号投票站"):
        run("tally", str(round.pk))


def test_tally_refuses_a_round_without_stations():
    round = RoundFactory()

    with pytest.raises(CommandError, match="没有投票站"):
        run("tally", str(round.pk))


def test_tally_refuses_an_unknown_round():
    with pytest.raises(CommandError, match="没有编号为999999的轮次"):
        run("tally", "999999")
