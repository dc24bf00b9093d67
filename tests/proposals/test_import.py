"""Importing paper proposals from an Excel sheet in the admin: all rows or none."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals import importing
from proposals.exceptions import ProposalImportError
from proposals.importing import proposal_import_template, proposals_import
from proposals.models import Proposal, Source, Status
from rounds.models import Stage
from tests.factories import (
    DepartmentFactory,
    RoundFactory,
    complete_plan,
    put_at,
    staff_user,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "提议人姓名",
    "手机号码",
    "与社区的关系",
    "所在单位或组织",
    "项目名称",
    "类别",
    "所在小区",
    "具体位置",
    "要做什么、为什么",
    "受益人群",
    "估算费用（元）",
    "来源",
]
IMPORT = "admin:proposals_proposal_import"
TEMPLATE = "admin:proposals_proposal_import_template"


def row(compound, **overrides):
    """Return one filled-in row of the sheet, as staff type it from a paper form."""
    values = {
        "提议人姓名": "李秀英",
        "手机号码": 13912345678,  # Excel keeps a typed phone number as a number
        "与社区的关系": "在本社区居住",
        "所在单位或组织": None,
        "项目名称": "更换小区路灯",
        "类别": "公共安全",
        "所在小区": compound.name,
        "具体位置": "2栋和3栋之间的小路",
        "要做什么、为什么": "路灯坏了半年，晚上回家看不清路。",
        "受益人群": "2栋、3栋居民",
        "估算费用（元）": 8000,
        "来源": "项目提议点",
        **overrides,
    }
    return [values[column] for column in HEADER]


def workbook(*rows, header=HEADER):
    """Return an uploaded .xlsx file whose first sheet holds ``header`` and ``rows``."""
    book = openpyxl.Workbook()
    for values in [header, *rows]:
        book.active.append(values)
    content = io.BytesIO()
    book.save(content)
    return SimpleUploadedFile("提议.xlsx", content.getvalue())


def refusal(round, staff, upload):
    """Return the import's refusal of ``upload``."""
    with pytest.raises(ProposalImportError) as refused:
        proposals_import(round=round, workbook_file=upload, actor=staff)
    return refused.value


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_template_downloads_as_xlsx_with_chinese_headers_example_and_notes(staff_client):
    response = staff_client.get(reverse(TEMPLATE))

    assert response["Content-Type"] == importing.XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    proposals, notes = book.worksheets
    assert [cell.value for cell in proposals[1]] == HEADER
    assert proposals["A2"].value == "张三"
    assert notes.title == "说明"
    text = "\n".join(str(cell.value) for line in notes.iter_rows() for cell in line if cell.value)
    for allowed in ["在本社区学习", "自治共治", "座谈会·议事会", "项目提议点"]:
        assert allowed in text
    assert "纸质提议表上签字同意个人信息说明" in text


def test_changelist_offers_import_and_template_links(staff_client):
    page = staff_client.get(reverse("admin:proposals_proposal_changelist")).content.decode()

    assert "从Excel导入" in page and reverse(IMPORT) in page
    assert "下载导入模板" in page and reverse(TEMPLATE) in page


def test_good_sheet_imports_every_row_with_tracking_code_and_source(
    staff_client, staff, round, compound
):
    upload = workbook(
        row(compound),
        [None] * len(HEADER),
        row(
            compound,
            项目名称="增设快递柜",
            来源="单位组织提议",
            所在单位或组织="幸福物业",
            类别="社区服务",
        ),
    )

    response = staff_client.post(
        reverse(IMPORT), {"round": round.pk, "workbook": upload}, follow=True
    )

    assert "已导入2条提议" in response.content.decode()
    lights, lockers = Proposal.objects.order_by("tracking_code")
    assert (lights.tracking_code, lockers.tracking_code) == ("WS-2026-0001", "WS-2026-0002")
    assert (lights.source, lockers.source) == (Source.PROPOSAL_POINT, Source.ORGANISATION)
    assert lights.phone == "13912345678"
    assert lights.estimated_cost == Decimal(8000)
    assert lights.compound == compound
    assert lockers.organisation == "幸福物业"
    assert lockers.category == "community_services"
    assert {p.entered_by for p in (lights, lockers)} == {staff}
    assert [e.status for e in lights.events.all()] == [Status.SUBMITTED]


def test_phone_typed_in_full_width_digits_is_imported_as_ascii(staff, round, compound):
    upload = workbook(row(compound, 手机号码="１３９ １２３４ ５６７８"))

    (proposal,) = proposals_import(round=round, workbook_file=upload, actor=staff)

    assert proposal.phone == "13912345678"


def test_sheet_with_bad_rows_imports_nothing_and_reports_each_problem_by_row(
    staff, round, compound
):
    upload = workbook(
        row(compound),
        row(
            compound,
            手机号码="1391234",
            类别="绿化",
            所在小区="不存在小区",
            项目名称="<script>alert(1)</script>",
        ),
        [None] * len(HEADER),
        row(compound, 与社区的关系=None),
    )

    problems = refusal(round, staff, upload).problems

    assert not Proposal.objects.exists()
    assert [(number, column) for number, column, _message in problems] == [
        (3, "手机号码"),
        (3, "项目名称"),
        (3, "类别"),
        (3, "所在小区"),
        (5, "与社区的关系"),
    ]
    messages = {(number, column): message for number, column, message in problems}
    assert "11位手机号码" in messages[3, "手机号码"]
    assert "网页代码或脚本" in messages[3, "项目名称"]
    assert "「绿化」不在可选范围内" in messages[3, "类别"] and "自治共治" in messages[3, "类别"]
    assert "「不存在小区」不在可选范围内" in messages[3, "所在小区"]
    assert compound.name in messages[3, "所在小区"]


def test_admin_shows_the_row_problems_in_a_table(staff_client, round, compound):
    upload = workbook(row(compound, 手机号码="12345"))

    page = staff_client.post(
        reverse(IMPORT), {"round": round.pk, "workbook": upload}
    ).content.decode()

    assert "没有导入任何提议" in page
    assert '<th scope="col">行号</th>' in page
    assert "<td>2</td><td>手机号码</td>" in page
    assert not Proposal.objects.exists()


def test_compound_of_another_community_is_not_found(staff, round, compound):
    elsewhere = complete_plan(RoundFactory()).compounds.get()

    problems = refusal(round, staff, workbook(row(compound, 所在小区=elsewhere.name))).problems

    assert [(number, column) for number, column, _message in problems] == [(2, "所在小区")]


def test_non_xlsx_upload_gets_a_clear_error(staff_client, round):
    upload = SimpleUploadedFile("提议.xlsx", b"name,phone\nZhang San,13812345678\n")

    page = staff_client.post(
        reverse(IMPORT), {"round": round.pk, "workbook": upload}
    ).content.decode()

    assert "无法读取这个文件。请上传用导入模板填写的 Excel 文件（.xlsx）。" in page
    assert not Proposal.objects.exists()


def test_sheet_missing_a_column_is_refused_naming_it(staff, round, compound):
    upload = workbook(row(compound)[:-1], header=HEADER[:-1])

    error = refusal(round, staff, upload)

    assert "表头缺少这些列：来源" in str(error)


def test_untouched_template_is_refused_pointing_at_the_example_row(staff, round):
    upload = SimpleUploadedFile("模板.xlsx", proposal_import_template())

    problems = refusal(round, staff, upload).problems

    assert problems == [(2, "整行", "这是模板里的示例行，请删除后再导入。")]


def test_sheet_without_proposals_is_refused(staff, round):
    assert str(refusal(round, staff, workbook())) == "表格中没有可导入的提议。"


def test_round_leaving_collection_while_the_rows_are_checked_imports_nothing(
    staff, round, compound, monkeypatch
):
    enter = importing.proposals_enter

    def move_then_enter(**kwargs):
        put_at(kwargs["round"], Stage.SCREENING)
        return enter(**kwargs)

    monkeypatch.setattr(importing, "proposals_enter", move_then_enter)

    error = refusal(round, staff, workbook(row(compound), row(compound, 项目名称="增设快递柜")))

    assert "这一步要在「项目征集" in str(error)
    assert not Proposal.objects.exists()


def sheet_reaching_row(last_row, compound):
    """Return an upload of a good first row and one cell as far down as row ``last_row``."""
    book = openpyxl.Workbook()
    for values in [HEADER, row(compound)]:
        book.active.append(values)
    book.active.cell(row=last_row, column=1, value="王五")
    content = io.BytesIO()
    book.save(content)
    return SimpleUploadedFile("提议.xlsx", content.getvalue())


@pytest.mark.parametrize("last_row", [importing.MAX_ROWS + 2, 1_048_576])
def test_sheet_of_more_rows_than_the_limit_is_refused_saying_the_limit(
    staff, round, compound, last_row
):
    error = refusal(round, staff, sheet_reaching_row(last_row, compound))

    assert str(error).startswith(f"表格在表头下有{last_row - 1}行")
    assert f"一次最多导入{importing.MAX_ROWS}行" in str(error)
    assert not Proposal.objects.exists()


def test_sheet_of_as_many_rows_as_the_limit_is_read(staff, round, compound):
    error = refusal(round, staff, sheet_reaching_row(importing.MAX_ROWS + 1, compound))

    assert "一次最多导入" not in str(error)
    assert {number for number, _column, _message in error.problems} == {importing.MAX_ROWS + 1}


def test_community_staff_cannot_import_into_another_communitys_round(staff_client, compound):
    other = put_at(complete_plan(RoundFactory()), Stage.COLLECTION)
    other_compound = other.compounds.get()

    page = staff_client.get(reverse(IMPORT)).content.decode()
    response = staff_client.post(
        reverse(IMPORT), {"round": other.pk, "workbook": workbook(row(other_compound))}
    )

    assert f'value="{other.pk}"' not in page
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Proposal.objects.exists()


def test_import_refused_when_the_round_is_not_in_collection(staff_client, staff, round, compound):
    put_at(round, Stage.SCREENING)

    page = staff_client.get(reverse(IMPORT)).content.decode()
    error = refusal(round, staff, workbook(row(compound)))

    assert f'value="{round.pk}"' not in page
    assert "这一步要在「项目征集" in str(error)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("url", [IMPORT, TEMPLATE])
def test_staff_who_may_not_add_proposals_cannot_import(client, url):
    client.force_login(staff_user("department", DepartmentFactory()))

    assert client.get(reverse(url)).status_code == 403
