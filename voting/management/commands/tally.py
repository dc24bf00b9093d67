import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from rounds.models import TallyRule, TieBreak
from rounds.wording import listing
from voting.exceptions import VotingError
from voting.pabulib import counted_round
from voting.selectors import round_tally_result
from voting.tally import as_json, ties_as_json


def _width(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows):
    """Return rows of cells as lines of columns padded to their widest cell, in screen columns."""
    widths = [max(_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [
        "  ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]


def tie_line(tie):
    """Return a tie of a JSON record as a sentence: its items, what broke it, if it mattered."""
    how = {
        "cost": _("按预算低者优先"),
        "order": _("按项目库顺序"),
        "lot": _("按公开抽签结果"),
    }[tie["broken_by"]]
    if tie["decisive"]:
        text = _("项目 %(refs)s 票数相同，%(how)s（影响入选结果）。")
    else:
        text = _("项目 %(refs)s 票数相同，%(how)s。")
    return text % {"refs": listing(tie["refs"]), "how": how}


def as_text(round, record):
    """Return a tally's JSON record as a table for reading, in Chinese."""
    rows = [[_("编码"), _("项目名称"), _("预算（元）"), _("得票"), _("入选")]]
    rows += [
        [
            item["ref"],
            item["title"],
            str(item["cost"]),
            str(item["votes"]),
            _("是") if item["selected"] else "",
        ]
        for item in record["items"]
    ]
    return "\n".join(
        [
            str(round),
            _("计票规则：%(rule)s") % {"rule": TallyRule(record["rule"]).label},
            _("资金额度：%(budget)s 元") % {"budget": record["budget"]},
            "",
            *_table(rows),
            "",
            _("入选项目：%(refs)s；合计 %(total)s 元")
            % {"refs": listing(record["selected"]) or _("无"), "total": record["total_cost"]},
            "",
            _("平票处理：%(tie_break)s") % {"tie_break": TieBreak(record["tie_break"]).label},
            *([tie_line(tie) for tie in record["ties"]] or [_("没有平票。")]),
        ]
    )


class Command(BaseCommand):
    help = (
        "Print the tally of a round whose stations are all closed, under its rule or another "
        "one, with every tie, what broke it and whether it decided what was funded; the same "
        "ballots always give the same output."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument("--rule", choices=TallyRule.values, help="default: the round's rule")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, round_id, rule, format, **options):
        try:
            round = counted_round(round_id)
        except VotingError as error:
            raise CommandError(error) from None
        result = round_tally_result(round, rule=rule)
        if result.needs_lot:
            self.stderr.write(
                _("项目 %(refs)s 票数和预算相同，且决定能否入选，需要公开抽签；以下按项目库顺序暂定。")
                % {"refs": listing(result.needs_lot)}
            )
        record = as_json(result) | {"tie_break": round.tie_break, "ties": ties_as_json(result)}
        if format == "json":
            self.stdout.write(json.dumps(record, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(as_text(round, record))
