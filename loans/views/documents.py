"""Loan documents: the contract (借款合同) and repayment receipts (收据) as PDF, scoped."""

from django.contrib.auth.decorators import login_required
from django.http import Http404

from associations.scoping import get_visible_or_404
from loans import documents
from loans.models import Loan
from mutualaid.http import pdf_response


@login_required
def loan_contract(request, loan_id: int):
    """The contract with full ID numbers (issue 13): staff of the loan's area only, each
    person's ID recorded as viewed; a member household, the borrower too, gets 404."""
    loan = get_visible_or_404(
        Loan.objects.select_related(
            "member", "association", "purpose", "group", "guarantor", "placement"
        ),
        request.user,
        roles=documents.CONTRACT_ROLES,
        pk=loan_id,
    )
    if not documents.may_print_contract(request.user, loan):  # terms are fixed at approval
        raise Http404
    pdf = documents.contract_print(loan=loan, by=request.user)
    return pdf_response(pdf, f"contract-{loan.pk}.pdf")


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
