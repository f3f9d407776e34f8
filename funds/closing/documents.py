"""The month summary as PDF: the page's own body, in Chinese (filed with the station's
papers), rendered by WeasyPrint with the CJK font, as reports.documents does."""

import datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from funds.closing.selectors import MonthSummary

DOCUMENT_LANGUAGE = "zh-hans"


def month_summary_html(summary: MonthSummary, *, generated_at: datetime.datetime) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string(
            "funds/closing/pdf/summary.html",
            {
                "summary": summary,
                "review": summary.review,
                "book": summary.review.book,
                "generated_at": timezone.localtime(generated_at),
            },
        )


def month_summary_pdf(summary: MonthSummary, *, generated_at: datetime.datetime) -> bytes:
    return HTML(string=month_summary_html(summary, generated_at=generated_at)).write_pdf()
