"""Tables as downloads: CSV that Excel on Chinese Windows opens as UTF-8, and Excel workbooks.

Text that a spreadsheet would run as a formula (a resident's title "=HYPERLINK(…)") is
neutralised in every cell: a single quote in front makes it plain text.
"""

import csv
import io

import openpyxl
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.styles import Font

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """Return ``value``, with a single quote in front if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_text(header, rows):
    """Return the table as CSV text, one line a row, every cell neutralised; no BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue()


def download(content, filename, content_type):
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def csv_download(text, filename):
    """Return CSV ``text`` as a download that starts with a UTF-8 BOM, so Excel reads it right."""
    return download((BOM + text).encode(), filename, "text/csv; charset=utf-8")


def xlsx_download(header, rows, filename):
    """Return the table as an Excel workbook of one sheet, the header row in bold."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([neutralise(cell) for cell in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return download(out.getvalue(), filename, XLSX)
