"""The ledgers (台账, DESIGN §9) of an area, a village, township or county by its code prefix:
one row per loan (借款台账) and one row per repayment (还款台账), each a single query however
many villages the area holds."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from associations.models import Area
from loans.models import Instalment, Loan, Repayment
from mutualaid.money import ZERO


@dataclass(frozen=True)
class LoanRow:
    village: str
    borrower: str
    masked_id: str
    village_group: str
    amount: Decimal
    term_months: int
    purpose: str
    guarantee: str
    fee_rate: Decimal | None
    disbursed_on: datetime.date | None
    last_due_on: datetime.date | None
    principal_repaid: Decimal
    principal_outstanding: Decimal
    days_past_due: int
    status: str


@dataclass(frozen=True)
class RepaymentRow:
    village: str
    borrower: str
    loan_id: int
    paid_on: datetime.date
    amount: Decimal
    principal: Decimal
    usage_fee: Decimal
    overdue_fee: Decimal
    recorded_by: str
    reversal: str


def _instalments(column: str, aggregate: type[Sum] | type[Max]) -> Subquery:
    rows = (
        Instalment.objects.filter(loan=OuterRef("pk"))
        .order_by()
        .values("loan")
        .annotate(v=aggregate(column))
        .values("v")
    )
    return Subquery(rows[:1])


def loan_ledger(*, area: Area, on: datetime.date) -> Iterator[LoanRow]:
    """Every loan of the area disbursed on or before `on`, by village and date paid out."""
    loans = (
        Loan.objects.filter(
            association__area__code__startswith=area.prefix,
            disbursed_on__isnull=False,
            disbursed_on__lte=on,
        )
        .select_related(
            "association__area",
            "member__village_group",
            "purpose",
            "group",
            "guarantor",
            "placement",
        )
        .annotate(
            repaid=Coalesce(_instalments("principal_paid", Sum), ZERO, output_field=DecimalField()),
            last_due_on=_instalments("due_on", Max),
        )
        .order_by("association__area__code", "disbursed_on", "pk")
    )
    for loan in loans.iterator(chunk_size=2000):
        oldest = loan.oldest_unpaid_due_on
        yield LoanRow(
            village=loan.association.area.name,
            borrower=loan.member.name,
            masked_id=loan.member.masked_id_number,
            village_group=loan.member.village_group.name,
            amount=loan.amount,
            term_months=loan.term_months,
            purpose=str(loan.purpose),
            guarantee=f"{loan.get_guarantee_kind_display()} "
            f"{loan.group or loan.guarantor or loan.placement or ''}".strip(),
            fee_rate=loan.fee_rate,
            disbursed_on=loan.disbursed_on,
            last_due_on=loan.last_due_on,
            principal_repaid=loan.repaid,
            principal_outstanding=loan.principal_outstanding,
            days_past_due=(on - oldest).days if oldest and oldest < on else 0,
            status=str(loan.get_status_display()),
        )


def repayment_ledger(
    *, area: Area, start: datetime.date, on: datetime.date
) -> Iterator[RepaymentRow]:
    """Every repayment of the area paid from `start` to `on`, reversed ones marked."""
    repayments = (
        Repayment.objects.filter(
            loan__association__area__code__startswith=area.prefix,
            paid_on__gte=start,
            paid_on__lte=on,
        )
        .select_related("loan__association__area", "loan__member", "recorded_by")
        .order_by("loan__association__area__code", "paid_on", "pk")
    )
    for r in repayments.iterator(chunk_size=2000):
        yield RepaymentRow(
            village=r.loan.association.area.name,
            borrower=r.loan.member.name,
            loan_id=r.loan_id,
            paid_on=r.paid_on,
            amount=r.amount,
            principal=r.principal,
            usage_fee=r.usage_fee,
            overdue_fee=r.overdue_fee,
            recorded_by=str(r.recorded_by),
            reversal=_reversal(r),
        )


def _reversal(repayment: Repayment) -> str:
    if not repayment.reversal_entry_id:
        return ""
    reason = repayment.reversal_reason
    return f"{_('reversed')}: {reason}" if reason else str(_("reversed"))
