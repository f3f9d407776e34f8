"""The duplicate-funding report of an area (reports.selectors.duplicates) and its Excel export.
Scoped like the dashboards: an area outside the user's staff roles answers 404."""

import openpyxl
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from associations.authority import STAFF_ROLES
from associations.models import Area
from associations.scoping import get_visible_or_404
from associations.selectors import area_breadcrumbs
from associations.services.audit import export_record
from mutualaid.http import xlsx_response
from mutualaid.xlsx import workbook_bytes
from reports.selectors.duplicates import DuplicateRow, duplicate_funding

AMOUNT_FORMAT = "#,##0.00"


def _area(request, area_code: str) -> Area:
    return get_visible_or_404(
        Area.objects.select_related("parent"), request.user, roles=STAFF_ROLES, code=area_code
    )


@login_required
def duplicates(request, area_code: str):
    area = _area(request, area_code)
    today = timezone.localdate()
    rows = duplicate_funding(area=area, on=today)
    return render(
        request,
        "reports/duplicates.html",
        {
            "area": area,
            "ancestors": area_breadcrumbs(user=request.user, area=area),
            "rows": rows,
            "today": today,
        },
    )


def _other_text(row: DuplicateRow) -> str:
    parts = [
        f"{o.get_kind_display()} · {o.lender} · {o.amount} · {o.due_on:%Y-%m-%d}"
        for o in row.other_loans
    ]
    parts += [
        _("%(village)s mutual-aid loan · %(amount)s outstanding")
        % {"village": loan.association.area.name, "amount": loan.principal_outstanding}
        for loan in row.elsewhere
    ]
    return "；".join(parts)


@login_required
def duplicates_export(request, area_code: str):
    """The list as Excel with Chinese headers, amounts as numbers."""
    area = _area(request, area_code)
    today = timezone.localdate()
    rows = duplicate_funding(area=area, on=today)
    book = openpyxl.Workbook()
    sheet = book.active
    with translation.override("zh-hans"):
        sheet.title = str(_("Duplicate funding"))[:31]
        sheet.append(
            [
                str(_("Village")),
                str(_("Household")),
                str(_("ID number")),
                str(_("Mutual-aid loans")),
                str(_("Outstanding principal")),
                str(_("Other subsidised loans and loans elsewhere")),
                str(_("Other amount")),
            ]
        )
        for row in rows:
            sheet.append(
                [
                    row.village.name,
                    row.member.name,
                    row.member.masked_id_number,
                    row.lent,
                    row.outstanding,
                    _other_text(row),
                    row.other_amount,
                ]
            )
    for column in (4, 5, 7):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = AMOUNT_FORMAT
    sheet.freeze_panes = "C2"
    filename = f"duplicate-funding-{area.code}-{today:%Y%m%d}.xlsx"
    export_record(by=request.user, kind="duplicates", filename=filename, area_code=area.code)
    return xlsx_response(workbook_bytes(book), filename)
