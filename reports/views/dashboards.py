"""Dashboards per area (city, county, township, village) and the child table's Excel export.
Scoped like every page: an area outside the user's staff roles answers 404."""

import datetime
from decimal import Decimal
from typing import Any

import openpyxl
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.authority import STAFF_ROLES, may_act
from associations.models import Area, AreaLevel, Association
from associations.scoping import get_visible_or_404
from associations.selectors import TrainingCounts, area_breadcrumbs, training_counts
from associations.services.audit import export_record
from mutualaid.http import xlsx_response
from mutualaid.xlsx import workbook_bytes
from reports.labels import EXPLANATIONS, LABELS
from reports.models import SupervisionReport
from reports.selectors import dashboards
from reports.selectors.indicators import (
    Figures,
    area_and_child_figures,
    area_figures,
    child_figures,
)
from reports.services import GENERATE_ROLES, REPORT_LEVELS, previous_month
from reports.views.supervision import MonthForm

# The child table: (figure, kind); the same columns in the page and in the export.
COLUMNS = [
    ("members", "count"),
    ("capital", "amount"),
    ("outstanding_principal", "amount"),
    ("fund_usage_rate", "rate"),
    ("on_time_repayment_rate", "rate"),
    ("cumulative_repayment_rate", "rate"),
    ("par30", "rate"),
    ("overdue_principal", "amount"),
    ("poor_borrower_coverage", "rate"),
    ("unmet_demand", "amount"),
    ("training_coverage", "rate"),
]
TILES = [
    ("outstanding_principal", "amount"),
    ("fund_usage_rate", "rate"),
    ("on_time_repayment_rate", "rate"),
    ("cumulative_repayment_rate", "rate"),
    ("par30", "rate"),
    ("overdue_principal", "amount"),
    ("poor_borrower_coverage", "rate"),
    ("unmet_demand", "amount"),
    ("training_coverage", "rate"),
]


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    on = forms.DateField(
        label=gettext_lazy("On"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("on") and data["start"] > data["on"]:
            raise forms.ValidationError(_("The start of the period must not be after its end."))
        return data


def _period(request) -> tuple[PeriodForm, datetime.date, datetime.date]:
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    on, start = today, None
    if form.is_bound and form.is_valid():
        on = form.cleaned_data["on"] or today
        start = form.cleaned_data["start"]
    return form, on, start or on.replace(month=1, day=1)


def _area(request, area_code: str) -> Area:
    return get_visible_or_404(
        Area.objects.select_related("parent"), request.user, roles=STAFF_ROLES, code=area_code
    )


def _value(figures: Figures, key: str):
    return getattr(figures, key)


def _rows(
    children: list[tuple[Area, Figures]], sort: str, descending: bool
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "area": area,
            "figures": figures,
            "cells": [(key, kind, _value(figures, key)) for key, kind in COLUMNS],
        }
        for area, figures in children
    ]
    if sort in dict(COLUMNS):

        def key(row):
            value = _value(row["figures"], sort)
            return (value is None, value if value is not None else 0)

        rows.sort(key=key, reverse=descending)
        if descending:  # undefined figures stay at the bottom either way
            rows.sort(key=lambda row: _value(row["figures"], sort) is None)
    return rows


def _charts(figures: Figures, flows, children) -> dict:
    """The charts' data for the JSON script tag: amounts as strings, never floats."""
    return {
        "labels": {
            "disbursed": _("Disbursed"),
            "repaid": _("Principal repaid"),
            "outstanding": str(LABELS["outstanding_principal"]),
            "par30": str(LABELS["par30"]),
        },
        "months": [f"{f.month:%Y-%m}" for f in flows],
        "disbursed": [str(f.disbursed) for f in flows],
        "repaid": [str(f.repaid_principal) for f in flows],
        "children": [area.name for area, _f in children],
        "outstanding": [str(f.outstanding_principal) for _a, f in children],
        "par30": [str(f.par30 * 100) if f.par30 is not None else None for _a, f in children],
        "capital": [
            {"name": str(_source_label(source)), "value": str(amount)}
            for source, amount in figures.capital_by_source.items()
        ],
    }


def _source_label(source: str):
    return {
        "government": gettext_lazy("Government capital"),
        "member": gettext_lazy("Member contributions"),
        "donations": gettext_lazy("Donations"),
        "bank_loan": gettext_lazy("Bank borrowings"),
        "other": gettext_lazy("Accumulation and other"),
    }[source]


@login_required
def dashboard(request, area_code: str):
    area = _area(request, area_code)
    form, on, start = _period(request)
    figures, children = area_and_child_figures(area=area, on=on, start=start)
    sort = request.GET.get("sort", "")
    descending = request.GET.get("order") == "desc"
    flows = dashboards.monthly_flows(area=area, on=on)
    today = timezone.localdate()
    context = {
        "area": area,
        "ancestors": area_breadcrumbs(user=request.user, area=area),
        "form": form,
        "on": on,
        "start": start,
        "figures": figures,
        "tiles": [
            (LABELS[key], kind, _value(figures, key), EXPLANATIONS[key]) for key, kind in TILES
        ]
        + [_managers_trained(area, on)],
        "capital": [
            (_source_label(source), amount) for source, amount in figures.capital_by_source.items()
        ],
        "capital_explanation": EXPLANATIONS["capital"],
        "columns": [(key, kind, LABELS[key], EXPLANATIONS.get(key, "")) for key, kind in COLUMNS],
        "rows": _rows(children, sort, descending),
        "sort": sort,
        "descending": descending,
        "child_level": children[0][0].get_level_display() if children else "",
        "villages": bool(children) and children[0][0].level == AreaLevel.VILLAGE,
        "books": dashboards.books_by_area(areas=[a for a, _f in children] or [area]),
        "flows": flows,
        "charts": _charts(figures, flows, children),
        "query": request.GET.urlencode(),
        "level": area.level,
        "today": today,
    }
    if area.level in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE):
        context["overdue"] = dashboards.overdue_loans(area=area, today=today)
        context["waitlist"] = list(dashboards.waitlist(area=area))
    if area.level == AreaLevel.TOWNSHIP:
        context["pending"] = dashboards.pending_decisions(area=area)
    if area.level == AreaLevel.VILLAGE:
        context["association"] = Association.objects.filter(area=area).first()
        context["reminders"] = dashboards.reminders_sent(area=area)
    if area.level in REPORT_LEVELS:
        context["supervision"] = _supervision(request, area, today)
    return render(request, "reports/dashboard.html", context)


def _managers_trained(area: Area, on: datetime.date) -> tuple:
    """The tile beside the members' training coverage: the managers' (issue 12), counted as the
    training pages count them."""
    counts = TrainingCounts()
    parts = training_counts(prefix=area.prefix, length=len(area.prefix), on=on, members=False)
    for part in parts.values():
        counts += part
    return (
        _("Manager training coverage"),
        "rate",
        counts.manager_coverage,
        _(
            "village clerks and board members at a training from 1 January to the date ÷ "
            "village clerks and board members"
        ),
    )


def _supervision(request, area: Area, today: datetime.date) -> dict:
    """The area's latest supervision reports and, for its offices, "generate now"."""
    may_generate = may_act(request.user, GENERATE_ROLES, area.code)
    return {
        "reports": SupervisionReport.objects.filter(area=area).order_by("-month")[:6],
        "form": MonthForm(initial={"month": previous_month(today)}) if may_generate else None,
    }


AMOUNT_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"


@login_required
def children_export(request, area_code: str):
    """The child table (or the area itself when it has no children) as Excel, with Chinese
    headers whatever the page's language, amounts and rates as numbers with their format."""
    area = _area(request, area_code)
    _form, on, start = _period(request)
    rows = child_figures(area=area, on=on, start=start) or [
        (area, area_figures(area=area, on=on, start=start))
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    with translation.override("zh-hans"):
        sheet.title = str(_("Indicators"))[:31]
        sheet.append(
            [str(_("Division code")), str(_("Name"))] + [str(LABELS[key]) for key, _k in COLUMNS]
        )
    for child, figures in rows:
        sheet.append([child.code, child.name] + [_cell(_value(figures, k)) for k, _k in COLUMNS])
    for column, (_key, kind) in enumerate(COLUMNS, start=3):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if kind == "amount":
                cell.number_format = AMOUNT_FORMAT
            elif kind == "rate":
                cell.number_format = RATE_FORMAT
    sheet.freeze_panes = "C2"
    filename = f"indicators-{area.code}-{on:%Y%m%d}.xlsx"
    export_record(by=request.user, kind="indicators", filename=filename, area_code=area.code)
    return xlsx_response(workbook_bytes(book), filename)


def _cell(value):
    return value if value is None or isinstance(value, (int, Decimal)) else str(value)
