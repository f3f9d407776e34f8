"""The monthly supervision report (乡镇互助资金监管月报) and the county and city summaries as PDF
(DESIGN §9): one template for every level, filled from reports.selectors.supervision, always in
Chinese (the report is filed with the government), rendered by WeasyPrint with the CJK font."""

import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML

from associations.models import Area, AreaLevel, Member
from funds.chart import BY_KEY
from funds.models import Book
from loans import documents as loan_documents
from reports.charts import hbars, month_pairs
from reports.labels import LABELS
from reports.selectors.indicators import CAPITAL_SOURCES
from reports.selectors.statements import MemberStatementDocument, member_statement_document
from reports.selectors.supervision import SupervisionData, supervision_data
from reports.selectors.yearly import yearly_statement

REPORT_LANGUAGE = "zh-hans"


def report_title(area: Area) -> str:
    if area.level == AreaLevel.TOWNSHIP:
        return _("Township mutual-aid fund supervision monthly report")
    if area.level == AreaLevel.COUNTY:
        return _("County summary of the mutual-aid fund supervision monthly reports")
    return _("Summary of the mutual-aid fund supervision monthly reports")


def month_label(month: datetime.date) -> str:
    return _("%(year)d/%(month)d") % {"year": month.year, "month": month.month}


def _source_labels() -> dict[str, str]:
    return {
        "government": _("Government capital"),
        "member": _("Member contributions"),
        "donations": _("Donations"),
        "bank_loan": _("Bank borrowings"),
        "other": _("Accumulation and other"),
    }


def _charts(data: SupervisionData) -> dict:
    outstanding = hbars(
        [
            (
                area.name,
                figures.outstanding_principal,
                f"PAR30 {figures.par30 * 100:.1f}%" if figures.par30 is not None else "",
            )
            for area, figures in data.children
        ]
    )
    flows = month_pairs([(f"{f.month.month}", f.disbursed, f.repaid_principal) for f in data.flows])
    return {"outstanding": outstanding, "flows": flows}


def supervision_html(
    data: SupervisionData, *, prepared_by: str, generated_at: datetime.datetime
) -> str:
    with translation.override(REPORT_LANGUAGE):
        totals_label = data.area.name
        context = {
            "data": data,
            "area": data.area,
            "title": report_title(data.area),
            "month_label": month_label(data.month),
            "figures": data.figures,
            "labels": LABELS,
            "capital": [
                (_source_labels()[s], data.figures.capital_by_source.get(s, Decimal(0)))
                for s in CAPITAL_SOURCES
            ],
            "charts": _charts(data),
            "totals_label": totals_label,
            "prepared_by": prepared_by,
            "generated_at": timezone.localtime(generated_at),
        }
        return render_to_string("reports/pdf/supervision.html", context)


def supervision_pdf(
    *,
    area: Area,
    month: datetime.date,
    prepared_by: str,
    generated_at: datetime.datetime | None = None,
) -> bytes:
    """The report of `area` for `month` as PDF bytes."""
    data = supervision_data(area=area, month=month)
    html = supervision_html(
        data, prepared_by=prepared_by, generated_at=generated_at or timezone.now()
    )
    return HTML(string=html).write_pdf()


# --- the member statement and the association's yearly statement (DESIGN §9) -----------------


def member_statement_html(member: Member, *, on: datetime.date) -> str:
    """The member statement (社员对账单) of `member` on `on`, always in Chinese: the household,
    each loan with its schedule and repayments, the contribution the books hold and the
    association's approved yearly allocation."""
    with translation.override(REPORT_LANGUAGE):
        document = member_statement_document(member, on=on)
        return render_to_string(
            "reports/pdf/member_statement.html",
            {"doc": document, "member": member, "on": on, "yearly": _yearly_shares(document)},
        )


def _yearly_shares(document: MemberStatementDocument) -> dict | None:
    if document.yearly is None:
        return None
    allocation, shares = document.yearly
    return {"allocation": allocation, "shares": [(share_label(k), a) for k, a in shares]}


def share_label(key: str) -> str:
    """The name of a share of the year-end surplus (funds.services.surplus_shares' keys)."""
    return str(BY_KEY[key].name) if key in BY_KEY else key


def yearly_statement_html(*, book: Book, year: int, on: datetime.date) -> str:
    """The association's yearly financial statement (年度财务报告) of `year`, always in Chinese."""
    with translation.override(REPORT_LANGUAGE):
        statement = yearly_statement(book=book, year=year)
        return render_to_string(
            "reports/pdf/yearly_statement.html",
            {
                "statement": statement,
                "shares": [(share_label(k), a) for k, a in statement.shares],
                "on": on,
            },
        )


def to_pdf(html: str) -> bytes:
    """One HTML text as PDF bytes (loans.documents' writer, so tests can render each once)."""
    return loan_documents.to_pdf(html)
