"""The loan ledger (借款台账) and repayment ledger (还款台账) of a village, township or county
as Excel: Chinese headers and sheet names whatever the page's language, amounts, rates and
dates as typed cells with their formats, every text cell formula-safe (mutualaid.xlsx).
Scoped like the dashboards: an area outside the user's staff roles answers 404."""

import datetime
from collections.abc import Iterable
from dataclasses import astuple
from typing import Any

import openpyxl
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from associations.services.audit import export_record
from associations.views import AuthedRequest
from mutualaid.http import xlsx_response
from mutualaid.money import ZERO
from mutualaid.xlsx import workbook_bytes
from reports.selectors.ledgers import loan_ledger, repayment_ledger
from reports.views.dashboards import _area, _period

FORMATS = {"amount": "#,##0.00", "rate": "0.00%", "date": "yyyy-mm-dd", "count": "0"}
Column = tuple[StrOrPromise, str, int]  # header, kind, width

LOAN_COLUMNS: list[Column] = [
    (gettext_lazy("Village"), "text", 14),
    (gettext_lazy("Borrower"), "text", 10),
    (gettext_lazy("Resident ID number"), "text", 20),
    (gettext_lazy("Village group"), "text", 12),
    (gettext_lazy("Amount (yuan)"), "amount", 14),
    (gettext_lazy("Term (months)"), "count", 10),
    (gettext_lazy("Purpose"), "text", 12),
    (gettext_lazy("Guarantee"), "text", 24),
    (gettext_lazy("Usage fee rate"), "rate", 10),
    (gettext_lazy("Disbursed on"), "date", 12),
    (gettext_lazy("Final due date"), "date", 12),
    (gettext_lazy("Principal repaid"), "amount", 14),
    (gettext_lazy("Outstanding principal"), "amount", 14),
    (gettext_lazy("Days past due"), "count", 10),
    (gettext_lazy("Status"), "text", 10),
]
REPAYMENT_COLUMNS: list[Column] = [
    (gettext_lazy("Village"), "text", 14),
    (gettext_lazy("Borrower"), "text", 10),
    (gettext_lazy("Loan number"), "count", 10),
    (gettext_lazy("Paid on"), "date", 12),
    (gettext_lazy("Amount (yuan)"), "amount", 14),
    (gettext_lazy("Principal"), "amount", 14),
    (gettext_lazy("Usage fee"), "amount", 12),
    (gettext_lazy("Overdue fee"), "amount", 12),
    (gettext_lazy("Recorded by"), "text", 14),
    (gettext_lazy("Reversal"), "text", 24),
]


def ledger_workbook(
    title: StrOrPromise, heading: str, columns: list[Column], rows: Iterable[tuple[Any, ...]]
) -> bytes:
    """One sheet named `title`: a heading line, bold headers, typed cells with their formats
    and a total line of the amount columns (summed here: the safe writer keeps no formula)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    with translation.override("zh-hans"):
        sheet.title = str(title)[:31]
        sheet.append([heading])
        sheet.append([str(header) for header, _kind, _width in columns])
        total_label = str(_("Total"))
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    amounts = [i for i, (_h, kind, _w) in enumerate(columns) if kind == "amount"]
    totals = dict.fromkeys(amounts, ZERO)
    for row in rows:
        sheet.append(list(row))
        for i in amounts:
            totals[i] += row[i] or ZERO
    sheet.append([total_label] + [totals.get(i) for i in range(1, len(columns))])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, (_header, kind, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        if kind in FORMATS:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = FORMATS[kind]
    sheet.freeze_panes = "C3"
    return workbook_bytes(book)


def _heading(area_name: str, title: str, start: datetime.date | None, on: datetime.date) -> str:
    period = f"{start:%Y-%m-%d} – {on:%Y-%m-%d}" if start else f"{on:%Y-%m-%d}"
    return f"{area_name} {title}（{period}）"


@login_required
def loan_ledger_export(request: AuthedRequest, area_code: str) -> HttpResponse:
    area = _area(request, area_code)
    _form, on, _start = _period(request)
    rows = (astuple(row) for row in loan_ledger(area=area, on=on))
    with translation.override("zh-hans"):
        title = str(_("Loan ledger"))
    content = ledger_workbook(title, _heading(area.name, title, None, on), LOAN_COLUMNS, rows)
    filename = f"loan-ledger-{area.code}-{on:%Y%m%d}.xlsx"
    export_record(by=request.user, kind="loan_ledger", filename=filename, area_code=area.code)
    return xlsx_response(content, filename)


@login_required
def repayment_ledger_export(request: AuthedRequest, area_code: str) -> HttpResponse:
    area = _area(request, area_code)
    _form, on, start = _period(request)
    rows = (astuple(row) for row in repayment_ledger(area=area, start=start, on=on))
    with translation.override("zh-hans"):
        title = str(_("Repayment ledger"))
    content = ledger_workbook(title, _heading(area.name, title, start, on), REPAYMENT_COLUMNS, rows)
    filename = f"repayment-ledger-{area.code}-{start:%Y%m%d}-{on:%Y%m%d}.xlsx"
    export_record(by=request.user, kind="repayment_ledger", filename=filename, area_code=area.code)
    return xlsx_response(content, filename)
