"""Loan contract (借款合同), repayment receipt (收据) and the village public notice (公示) as PDF;
amounts in words.

Rendered from Django templates by WeasyPrint; the page style names a CJK font installed by
the project's set-up (fonts-noto-cjk), so Chinese text shows in any viewer."""

import datetime

from django.template.loader import render_to_string
from weasyprint import HTML

from loans.models import Loan, Repayment
from loans.selectors.notices import PublicNotice
from mutualaid.money import amount_in_words


def contract_html(loan: Loan) -> str:
    return render_to_string(
        "loans/pdf/contract.html",
        {
            "loan": loan,
            "amount_words": amount_in_words(loan.amount),
            "instalments": loan.instalments.order_by("number"),
        },
    )


def receipt_html(repayment: Repayment) -> str:
    return render_to_string(
        "loans/pdf/receipt.html",
        {
            "repayment": repayment,
            "loan": repayment.loan,
            "amount_words": amount_in_words(repayment.amount),
        },
    )


def public_notice_html(notice: PublicNotice, today: datetime.date) -> str:
    """The public notice for the village board (A4 landscape: the table is wide)."""
    return render_to_string("loans/pdf/public_notice.html", {"notice": notice, "today": today})


def to_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()
