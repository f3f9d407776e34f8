"""Loan documents: the contract (借款合同) and repayment receipts (收据) as PDF, scoped."""

from django.contrib.auth.decorators import login_required
from django.http import Http404

from associations.scoping import get_visible_or_404
from loans import documents
from loans.models import Loan
from mutualaid.http import pdf_response


@login_required
def loan_contract(request, loan_id: int):
    loan = get_visible_or_404(
        Loan.objects.select_related("member", "association", "purpose", "group"),
        request.user,
        pk=loan_id,
    )
    if not loan.fee_rate:  # terms are fixed at approval
        raise Http404
    return pdf_response(documents.to_pdf(documents.contract_html(loan)), f"contract-{loan.pk}.pdf")


@login_required
def repayment_receipt(request, loan_id: int, repayment_id: int):
    loan = get_visible_or_404(
        Loan.objects.select_related("member", "association"), request.user, pk=loan_id
    )
    repayment = loan.repayments.select_related("recorded_by").filter(pk=repayment_id).first()
    if repayment is None:
        raise Http404
    return pdf_response(
        documents.to_pdf(documents.receipt_html(repayment)), f"receipt-{repayment.pk}.pdf"
    )
