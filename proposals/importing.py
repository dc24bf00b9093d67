"""Paper proposals typed into an Excel sheet by staff, imported all at once or not at all.

Each row goes through ``ImportRowForm``, the checks of ``StaffProposalForm`` (a proposal
typed into the admin) without a query per row, and all are saved by ``proposals_enter``,
so each gets a tracking code and its history.
"""

import io
from itertools import islice
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile

import openpyxl
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from rounds.wording import listing

from .exceptions import ProposalError, ProposalImportError
from .forms import PRIVACY_NOTICE, ProposalForm, StaffProposalForm
from .models import Category, Proposal, Relation, Source
from .services import proposal_check_open, proposals_enter

# The sheet's columns, in order: what a paper proposal form asks, then how it came in.
COLUMNS = [*ProposalForm.Meta.fields, "source"]
# Columns filled in with a choice's label, which the import turns back into its value.
CHOICE_COLUMNS = ["relation", "category", "source"]
EXAMPLE = {
    "proposer_name": gettext_lazy("张三"),
    "phone": "13812345678",
    "relation": Relation.LIVES,
    "organisation": "",
    "title": gettext_lazy("3栋楼道加装扶手"),
    "category": Category.CONSTRUCTION,
    "compound": gettext_lazy("幸福家园"),
    "location": gettext_lazy("3栋1单元楼道"),
    "description": gettext_lazy("楼道台阶陡，老人上下楼不方便，希望在一侧加装扶手。"),
    "beneficiaries": gettext_lazy("3栋居民，特别是老人"),
    "estimated_cost": 5000,
    "source": Source.PROPOSAL_POINT,
}
TEMPLATE_ROWS = 1000  # rows offered a dropdown for the choice columns
MAX_ROWS = 5000  # proposals in one sheet; checked and saved in a few seconds
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHOLE_ROW = gettext_lazy("整行")
UNREADABLE = (BadZipFile, InvalidFileException, KeyError, OSError, ParseError)


def _label(name):
    return str(StaffProposalForm.base_fields[name].label)


def _choice_labels(field):
    """Return {label: value} of a choice field, without its empty choice."""
    return {str(label): value for value, label in field.choices if value}


def _spellings(text):
    """Return how ``text`` reads now and in Chinese, so either version of the sheet is read."""
    with translation.override(settings.LANGUAGE_CODE):
        source = str(text)
    return {str(text), source}


def _example_row():
    """Return the example row as it stands in the sheet, choices by their labels."""
    row = []
    for name in COLUMNS:
        value = EXAMPLE[name]
        if name in CHOICE_COLUMNS:
            value = dict(StaffProposalForm.base_fields[name].choices)[value]
        row.append(value if isinstance(value, int) else str(value))
    return row


def proposal_import_template():
    """Return an .xlsx workbook to fill in: a header row, an example row and a sheet of notes."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("提议")
    sheet.append([_label(name) for name in COLUMNS])
    sheet.append(_example_row())
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 18
    # Typed as text, a phone number keeps its digits instead of becoming 1.38E+10.
    sheet.column_dimensions[get_column_letter(COLUMNS.index("phone") + 1)].number_format = "@"

    notes = workbook.create_sheet(_("说明"))
    notes.append([_label(name) for name in CHOICE_COLUMNS])
    for index, name in enumerate(CHOICE_COLUMNS, start=1):
        letter = get_column_letter(index)
        labels = list(_choice_labels(StaffProposalForm.base_fields[name]))
        for row, label in enumerate(labels, start=2):
            notes[f"{letter}{row}"] = label
        notes.column_dimensions[letter].width = 24
        dropdown = DataValidation(
            type="list",
            formula1=f"'{notes.title}'!${letter}$2:${letter}${len(labels) + 1}",
            allow_blank=True,
        )
        column = get_column_letter(COLUMNS.index(name) + 1)
        dropdown.add(f"{column}2:{column}{TEMPLATE_ROWS}")
        sheet.add_data_validation(dropdown)
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.append([])
    for note in [
        _("每行填写一张纸质提议表，第一行表头请不要修改；第二行是示例，填写前请删除。"),
        _("「与社区的关系」「类别」「来源」请从下拉列表中选择，或照抄上表中的文字。"),
        _("「所在小区」填写本轮次覆盖的小区名称；「估算费用（元）」「所在单位或组织」可以不填。"),
        _("只导入提议人已在纸质提议表上签字同意个人信息说明的提议。个人信息说明：")
        + str(PRIVACY_NOTICE),
        _("任何一行有错误时，整张表都不会导入；请按提示改正后重新上传。"),
    ]:
        notes.append([note])
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def _text(value):
    """Return a cell's value as typed text; Excel stores 13812345678 and 5000 as numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_sheet(workbook_file):
    """Return the first sheet's rows as lists of text, the header row first.

    The sheet is read in read-only mode, and one that says it has more than ``MAX_ROWS``
    rows below the header is refused before any row is read.
    """
    try:
        workbook = openpyxl.load_workbook(workbook_file, read_only=True, data_only=True)
    except UNREADABLE as error:
        raise ProposalImportError(
            _("无法读取这个文件。请上传用导入模板填写的 Excel 文件（.xlsx）。")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        if (sheet.max_row or 0) > MAX_ROWS + 1:
            raise _too_many_rows(sheet.max_row - 1)
        rows = list(islice(sheet.iter_rows(values_only=True), MAX_ROWS + 2))
    except UNREADABLE as error:
        raise ProposalImportError(
            _("无法读取这个文件。请上传用导入模板填写的 Excel 文件（.xlsx）。")
        ) from error
    finally:
        workbook.close()
    if len(rows) > MAX_ROWS + 1:
        raise _too_many_rows(len(rows) - 1)
    return [[_text(value) for value in row] for row in rows]


def _too_many_rows(count):
    return ProposalImportError(
        _(
            "表格在表头下有%(count)d行（带格式的空行也算在内），一次最多导入%(max)d行。"
            "请分成几张表导入，或删除表格下方多余的行。"
        )
        % {"count": count, "max": MAX_ROWS}
    )


def compound_field(compounds):
    """Return the row form's field choosing one of ``compounds`` by its id."""
    return forms.TypedChoiceField(
        label=StaffProposalForm.base_fields["compound"].label,
        choices=[(compound.pk, compound.name) for compound in compounds],
        coerce={str(compound.pk): compound for compound in compounds}.get,
    )


class ImportRowForm(StaffProposalForm):
    """One row of the sheet: the checks of ``StaffProposalForm`` for a proposal of the round.

    The round is the import's, checked once; the compound is chosen by a field built once
    for all rows (``compound_field``). So checking thousands of rows asks the database
    nothing per row.
    """

    class Meta(StaffProposalForm.Meta):
        fields = [
            name
            for name in StaffProposalForm.Meta.fields
            if name not in {"round", "compound", "department"}
        ]

    def __init__(self, data, *, round, compound):
        super().__init__(data, instance=Proposal(round=round))
        self.fields["compound"] = compound

    def clean(self):
        cleaned = super().clean()
        self.instance.compound = cleaned.get("compound")
        return cleaned

    def validate_constraints(self):
        """Skip the model's check constraints, which Django would test with a query per row.

        Of those, a new proposal can only break the cost's, which the field's own validator
        checks; the database still enforces every one of them when the rows are saved.
        """


def _column_positions(header):
    """Return {field name: column index} from the header row, or refuse a sheet missing columns."""
    positions, missing = {}, []
    for name in COLUMNS:
        spellings = _spellings(StaffProposalForm.base_fields[name].label)
        index = next((i for i, text in enumerate(header) if text in spellings), None)
        if index is None:
            missing.append(_label(name))
        else:
            positions[name] = index
    if missing:
        raise ProposalImportError(
            _("表头缺少这些列：%(columns)s。请使用下载的导入模板。") % {"columns": listing(missing)}
        )
    return positions


def _vocabulary(round):
    """Return ({column: {text: value}}, {column: [allowed texts]}, compounds) of ``round``.

    Both come from the staff form for ``round``, so the sheet accepts what the form accepts.
    """
    form = StaffProposalForm(round=round)
    values, allowed = {}, {}
    for name in CHOICE_COLUMNS:
        labels = _choice_labels(form.fields[name])
        values[name] = {
            text: value for label, value in labels.items() for text in _spellings(label)
        }
        allowed[name] = list(labels)
    compounds = list(form.fields["compound"].queryset)
    values["compound"] = {compound.name: compound.pk for compound in compounds}
    allowed["compound"] = list(values["compound"])
    return values, allowed, compounds


def _form_data(texts, values):
    """Return the row form's data for one row: labels and compound names turned into values."""
    data = {"consent": True}
    for name, text in texts.items():
        data[name] = values[name].get(text, text) if name in values else text
    return data


def _problems(row_number, form, texts, allowed):
    """Yield (row number, column, message) for each of the row's form errors, left to right."""
    by_column = sorted(
        form.errors.as_data().items(),
        key=lambda item: COLUMNS.index(item[0]) if item[0] in COLUMNS else len(COLUMNS),
    )
    for name, errors in by_column:
        column = _label(name) if name in form.fields else str(WHOLE_ROW)
        for error in errors:
            if error.code == "invalid_choice" and name in allowed:
                message = _("「%(value)s」不在可选范围内，可填写：%(allowed)s。") % {
                    "value": texts[name],
                    "allowed": listing(allowed[name]),
                }
            else:
                message = " ".join(error.messages)
            yield row_number, column, message


def proposals_import(*, round, workbook_file, actor):
    """Create a proposal for each filled row of the sheet; return them.

    Every row is checked by ``StaffProposalForm`` first; if any row has a problem, nothing is
    created and ``ProposalImportError`` lists every problem with its row number.
    """
    try:
        proposal_check_open(round)
    except ProposalError as refusal:
        raise ProposalImportError(str(refusal)) from refusal
    rows = _read_sheet(workbook_file)
    positions = _column_positions(rows[0] if rows else [])
    values, allowed, compounds = _vocabulary(round)
    compound = compound_field(compounds)
    example = dict(zip(COLUMNS, map(_text, _example_row()), strict=True))

    proposals, problems = [], []
    for row_number, row in enumerate(rows[1:], start=2):
        texts = {name: row[index] if index < len(row) else "" for name, index in positions.items()}
        if not any(texts.values()):
            continue
        if texts == example:
            problems.append((row_number, str(WHOLE_ROW), _("这是模板里的示例行，请删除后再导入。")))
            continue
        form = ImportRowForm(_form_data(texts, values), round=round, compound=compound)
        if form.is_valid():
            proposals.append(form.instance)  # not the form: thousands of forms are slow to keep
        else:
            problems.extend(_problems(row_number, form, texts, allowed))
    if problems:
        raise ProposalImportError(
            _("表格中有%(count)d处问题，没有导入任何提议。请改正后重新上传。")
            % {"count": len(problems)},
            problems,
        )
    if not proposals:
        raise ProposalImportError(_("表格中没有可导入的提议。"))
    try:
        return proposals_enter(round=round, proposals=proposals, entered_by=actor)
    except ProposalError as refusal:
        raise ProposalImportError(str(refusal)) from refusal
