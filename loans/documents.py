"""Loan contract (借款合同), repayment receipt (收据) and the village public notice (公示) as PDF;
amounts in words.

Rendered from Django templates by WeasyPrint; the page style names a CJK font installed by
the project's set-up (fonts-noto-cjk), so Chinese text shows in any viewer.

The contract is the one document with full ID numbers (issue 13: a masked number makes it hard
to enforce): the borrower's and every guarantor's. Printing it is a full-ID view, recorded per
person shown (associations' IdNumberView), and only staff of the loan's area may print it. The
notice, the receipt, lists and exports stay masked."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from weasyprint import HTML

from associations.authority import STAFF_ROLES, may_act, require_role
from associations.models import Member
from associations.services.members import id_number_reveal
from guarantees.models import GroupRole
from loans.exceptions import LoanRuleError
from loans.models import GuaranteeKind, Loan, Repayment
from loans.selectors.notices import PublicNotice
from mutualaid.money import amount_in_words

# Who may print the contract: the staff of the loan's area and above; never a member household,
# not even the borrower (it carries the guarantors' full ID numbers).
CONTRACT_ROLES: frozenset[str] = STAFF_ROLES


@dataclass(frozen=True)
class ContractParty:
    """A person who signs the contract, with the full ID number printed beside the name."""

    member: Member
    id_number: str


def contract_guarantors(loan: Loan) -> list[Member]:
    """The people who answer for the loan: the personal guarantor, or the other current members
    of the guarantee group (leaders first). A placement is guaranteed by an enterprise or a
    cooperative, named on the contract, with no person's ID."""
    if loan.guarantee_kind == GuaranteeKind.PERSONAL and loan.guarantor is not None:
        return [loan.guarantor]
    if loan.guarantee_kind == GuaranteeKind.GROUP and loan.group is not None:
        memberships = list(
            loan.group.memberships.filter(left_on__isnull=True)
            .exclude(member_id=loan.member_id)
            .select_related("member")
            .order_by("member__name", "member_id")
        )
        memberships.sort(key=lambda m: m.role != GroupRole.LEADER)  # leaders first
        return [m.member for m in memberships]
    return []


def may_print_contract(user, loan: Loan) -> bool:
    """The contract link is offered exactly to those `contract_print` lets print."""
    return bool(loan.fee_rate) and may_act(user, CONTRACT_ROLES, loan.association.area_id)


@transaction.atomic
def contract_print(*, loan: Loan, by) -> bytes:
    """The contract as PDF, with the full ID numbers of the borrower and the guarantors; one
    full-ID view recorded per person shown, in the same transaction as the rendering."""
    require_role(by, CONTRACT_ROLES, loan.association.area_id, error=LoanRuleError)
    if not loan.fee_rate:
        raise LoanRuleError(
            _("The contract can be printed once the loan is approved: its terms are set then."),
            "not_approved",
        )
    people = [loan.member, *contract_guarantors(loan)]
    parties = [ContractParty(p, id_number_reveal(member=p, viewer=by)) for p in people]
    return to_pdf(contract_html(loan, borrower=parties[0], guarantors=parties[1:]))


def contract_html(loan: Loan, *, borrower: ContractParty, guarantors: list[ContractParty]) -> str:
    return render_to_string(
        "loans/pdf/contract.html",
        {
            "loan": loan,
            "borrower": borrower,
            "guarantors": guarantors,
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
