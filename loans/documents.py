"""Loan contract (借款合同) and repayment receipt (收据) as PDF, with amounts in words.

Rendered from Django templates by WeasyPrint; the page style names a CJK font installed by
the project's set-up (fonts-noto-cjk), so Chinese text shows in any viewer."""

from django.template.loader import render_to_string
from weasyprint import HTML

from loans.models import Loan, Repayment
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


def to_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()
