"""Statements as documents (DESIGN §9): the monthly table (月报表) of an area as Excel, the
association's yearly financial statement (年度财务报告) as a page and a PDF, and a member's
statement as a PDF for the staff of its village and above (the member downloads their own from
their statement page, loans.views.member).

Scoped like every page: an area, book or household outside the user's staff roles answers 404.
A bad month or year in the URL is a clear message, never an error page."""

import datetime
from collections.abc import Iterable
from dataclasses import astuple
from typing import Any

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from associations.authority import STAFF_ROLES
from associations.models import Member
from associations.scoping import get_visible_or_404
from associations.services.audit import export_record
from associations.views import AuthedRequest
from funds.models import Book
from mutualaid.http import pdf_response, xlsx_response
from mutualaid.xlsx import workbook_bytes
from reports import documents
from reports.labels import LABELS
from reports.selectors.indicators import Figures
from reports.selectors.ledgers import LoanRow
from reports.selectors.monthly import MonthError, MonthlyTable, monthly_table, parse_month
from reports.selectors.yearly import statement_years, yearly_statement
from reports.views.dashboards import _area
from reports.views.ledgers import FORMATS, LOAN_COLUMNS

# The monthly table's columns: (figure of reports.selectors.indicators.Figures, header, kind).
MONTHLY_COLUMNS: list[tuple[str, StrOrPromise, str]] = [
    ("members", LABELS["members"], "count"),
    ("poor_members", gettext_lazy("Registered-poor member households"), "count"),
    ("borrowers", gettext_lazy("Borrowers this month"), "count"),
    ("capital", LABELS["capital"], "amount"),
    ("disbursed_count", gettext_lazy("Loans paid out this month"), "count"),
    ("disbursed", gettext_lazy("Disbursed this month"), "amount"),
    ("repaid_principal", gettext_lazy("Collected this month: principal"), "amount"),
    ("usage_fee_income", gettext_lazy("Collected this month: usage fee"), "amount"),
    ("overdue_fee_income", gettext_lazy("Collected this month: overdue fee"), "amount"),
    ("outstanding_principal", gettext_lazy("Outstanding principal at month end"), "amount"),
    ("overdue_principal", LABELS["overdue_principal"], "amount"),
    ("overdue_count", gettext_lazy("Overdue loans"), "count"),
    ("par30", LABELS["par30"], "rate"),
    ("fund_usage_rate", LABELS["fund_usage_rate"], "rate"),
    ("on_time_repayment_rate", LABELS["on_time_repayment_rate"], "rate"),
    ("cumulative_repayment_rate", LABELS["cumulative_repayment_rate"], "rate"),
    ("unmet_demand", LABELS["unmet_demand"], "amount"),
]


def monthly_cells(figures: Figures) -> list[Any]:
    """A row's figures in the columns' order (rates as the indicators give them)."""
    return [getattr(figures, key) for key, _header, _kind in MONTHLY_COLUMNS]


def _monthly_sheet(sheet, table: MonthlyTable) -> None:
    heading = _("%(area)s monthly table, %(year)d/%(month)d") % {
        "area": table.area.name,
        "year": table.month.year,
        "month": table.month.month,
    }
    if table.partial:
        heading += _(" (so far, through %(day)s)") % {"day": f"{table.end:%Y-%m-%d}"}
    sheet.title = str(_("Monthly table"))[:31]
    sheet.append([heading])
    sheet.append(
        [str(_("Division code")), str(_("Name"))]
        + [str(header) for _k, header, _kind in MONTHLY_COLUMNS]
    )
    for area, figures in table.rows:
        sheet.append([area.code, area.name, *monthly_cells(figures)])
    sheet.append([table.area.code, str(_("Total")), *monthly_cells(table.total)])
    sheet["A1"].font = Font(bold=True, size=13)
    for row in (sheet[2], sheet[sheet.max_row]):
        for cell in row:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 14
    for index, (_key, _header, kind) in enumerate(MONTHLY_COLUMNS, start=3):
        sheet.column_dimensions[get_column_letter(index)].width = 14
        for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
            cell.number_format = FORMATS[kind]
    sheet.freeze_panes = "C3"


def _loans_sheet(sheet, rows: Iterable[LoanRow], end: datetime.date) -> None:
    sheet.title = str(_("Loans at month end"))[:31]
    sheet.append([str(_("Loans at month end")) + f"（{end:%Y-%m-%d}）"])
    sheet.append([str(header) for header, _kind, _width in LOAN_COLUMNS])
    for row in rows:
        sheet.append(list(astuple(row)))
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for index, (_header, kind, width) in enumerate(LOAN_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        if kind in FORMATS:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = FORMATS[kind]
    sheet.freeze_panes = "C3"


def monthly_workbook(table: MonthlyTable) -> bytes:
    """The table with Chinese headers and sheet names whatever the page's language; a village's
    loans on a second sheet."""
    book = openpyxl.Workbook()
    with translation.override("zh-hans"):
        sheet = book.active
        assert sheet is not None
        _monthly_sheet(sheet, table)
        if table.loans:
            _loans_sheet(book.create_sheet(), table.loans, table.end)
    return workbook_bytes(book)


@login_required
def monthly_table_export(request: AuthedRequest, area_code: str) -> HttpResponse:
    area = _area(request, area_code)
    try:
        month = parse_month(request.GET.get("month"))
    except MonthError as error:
        messages.error(request, error.message)
        return redirect("reports:dashboard", area_code=area.code)
    content = monthly_workbook(monthly_table(area=area, month=month))
    filename = f"monthly-{area.code}-{month:%Y%m}.xlsx"
    export_record(by=request.user, kind="monthly_table", filename=filename, area_code=area.code)
    return xlsx_response(content, filename)


def _book(request: HttpRequest, book_id: int) -> Book:
    """An association's book in the user's staff scope (a pool's book has no yearly report)."""
    book = get_visible_or_404(
        Book.objects.select_related("area", "association"),
        request.user,
        roles=STAFF_ROLES,
        pk=book_id,
    )
    if book.association_id is None:
        raise Http404
    return book


def _year(request: HttpRequest, today: datetime.date) -> int:
    """The year asked (?year=YYYY), the last ended year by default; a bad one raises."""
    text = request.GET.get("year", "").strip()
    if not text:
        return today.year - 1
    if not (text.isascii() and text.isdigit()) or not 2000 <= int(text) <= today.year:
        raise MonthError(
            _("Give the year as four digits, from 2000 to %(year)d.") % {"year": today.year}
        )
    return int(text)


@login_required
def yearly_statement_page(request: AuthedRequest, book_id: int) -> HttpResponse:
    book = _book(request, book_id)
    today = timezone.localdate()
    try:
        year = _year(request, today)
    except MonthError as error:
        messages.error(request, error.message)
        year = today.year - 1
    statement = yearly_statement(book=book, year=year)
    years = statement_years(book, today)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return render(
        request,
        "reports/yearly_statement.html",
        {
            "statement": statement,
            "shares": [(documents.share_label(k), a) for k, a in statement.shares],
            "years": years,
        },
    )


@login_required
def yearly_statement_pdf(request: AuthedRequest, book_id: int) -> HttpResponse:
    book = _book(request, book_id)
    today = timezone.localdate()
    try:
        year = _year(request, today)
    except MonthError as error:
        messages.error(request, error.message)
        return redirect(reverse("reports:yearly_statement", kwargs={"book_id": book.pk}))
    html = documents.yearly_statement_html(book=book, year=year, on=today)
    return pdf_response(documents.to_pdf(html), f"yearly-statement-{book.area_id}-{year}.pdf")


def statement_pdf_response(member: Member, on: datetime.date) -> HttpResponse:
    """A household's statement as PDF, never kept by the browser or a proxy."""
    html = documents.member_statement_html(member, on=on)
    response = pdf_response(documents.to_pdf(html), f"statement-{member.pk}-{on:%Y%m%d}.pdf")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def member_statement_pdf(request: AuthedRequest, member_id: int) -> HttpResponse:
    member = get_visible_or_404(
        Member.objects.select_related("association", "village_group"),
        request.user,
        roles=STAFF_ROLES,
        pk=member_id,
    )
    response = statement_pdf_response(member, timezone.localdate())
    # A household's figures read by staff: recorded like every export of personal data.
    filename = f"statement-{member.pk}.pdf"
    export_record(
        by=request.user,
        kind="member_statement",
        filename=filename,
        area_code=member.association.area_id,
    )
    return response
