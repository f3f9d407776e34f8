"""Reads of loans: a loan's derived state (terms, replayed repayments, amount owed), lendable
cash, scoped lists with their overdue figures in one query, the committee inbox and the
write-offs and extension requests waiting for it."""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django_stubs_ext import WithAnnotations

from associations.models import Area, Association, OtherLoan, Role, User
from funds.journal import book_for_association
from funds.selectors import balances_by_key
from loans.domain import schedules
from loans.domain.allocation import Payment, replay
from loans.domain.fees import AmountOwed, LoanState, LoanTerms, amount_owed
from loans.domain.instalments import days_past_due
from loans.models import ExtensionRequest, ExtensionStatus, Instalment, Loan, Repayment, WriteOff
from loans.workflow import LENT_STATUSES, LoanStatus
from mutualaid.money import MONEY_OUTPUT, ZERO

ZERO_VALUE = Value(ZERO, output_field=MONEY_OUTPUT)
S = LoanStatus


class LoanFigures(TypedDict):
    principal_paid: Decimal
    overdue: bool


if TYPE_CHECKING:
    LoanWithFigures: TypeAlias = WithAnnotations[Loan, LoanFigures]


def _sum(queryset: QuerySet[Repayment], field: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.values("loan").annotate(s=Sum(field)).values("s")[:1],
            output_field=MONEY_OUTPUT,
        ),
        ZERO_VALUE,
    )


def with_figures(loans: QuerySet[Loan], *, today: datetime.date) -> "QuerySet[LoanWithFigures]":
    """Principal paid and whether anything is overdue, so a page of loans is one query.
    Overdue reads the stored oldest unpaid due date (loans.services.figures)."""
    standing = Repayment.objects.filter(loan=OuterRef("pk"), reversal_entry__isnull=True)
    return loans.annotate(
        principal_paid=_sum(standing, "principal"),
        overdue=Q(status__in=sorted(LENT_STATUSES)) & Q(oldest_unpaid_due_on__lt=today),
    )


def loan_list(
    *,
    user: User,
    today: datetime.date,
    status: str = "",
    purpose: str = "",
    overdue: bool = False,
    due_this_month: bool = False,
    area: str = "",
) -> "QuerySet[LoanWithFigures]":
    """The user's loans, newest first; `area` narrows to a township's or village's code."""
    loans = with_figures(
        Loan.objects.visible_to(user).select_related("member", "purpose", "association__area"),
        today=today,
    )
    if area:
        loans = loans.filter(association__area__code__startswith=area)
    if status:
        loans = loans.filter(status=status)
    if purpose:
        loans = loans.filter(purpose__code=purpose)
    if overdue:
        loans = loans.filter(overdue=True)
    if due_this_month:
        loans = loans.filter(
            status__in=sorted(LENT_STATUSES),
            instalments__due_on__year=today.year,
            instalments__due_on__month=today.month,
        ).distinct()
    return loans.order_by("-created_at", "-pk")


def committee_inbox(*, user: User, today: datetime.date) -> "QuerySet[LoanWithFigures]":
    """Applications waiting for the committee in its township, with the duplicate-funding flag."""
    return with_figures(
        Loan.objects.visible_to(user, roles=[Role.TOWNSHIP_COMMITTEE])
        .filter(status__in=[LoanStatus.BOARD_REVIEWED, LoanStatus.WAITLISTED, LoanStatus.IN_NOTICE])
        .select_related("member", "purpose", "association__area", "group")
        .annotate(other_loans=Exists(OtherLoan.objects.filter(member=OuterRef("member")))),
        today=today,
    ).order_by("created_at", "pk")


def write_offs_waiting(*, user: User) -> QuerySet[WriteOff]:
    """Write-offs the village boards proposed and the committee has not yet decided."""
    loans = Loan.objects.visible_to(user, roles=[Role.TOWNSHIP_COMMITTEE])
    return (
        WriteOff.objects.filter(loan__in=loans, approved_by__isnull=True)
        .select_related("loan__member", "loan__association__area", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def extension_requests_waiting(*, user: User) -> QuerySet[ExtensionRequest]:
    """Extension requests of the clerks that wait for the committee's decision."""
    loans = Loan.objects.visible_to(user, roles=[Role.TOWNSHIP_COMMITTEE])
    return (
        ExtensionRequest.objects.filter(loan__in=loans, status=ExtensionStatus.PENDING)
        .select_related("loan__member", "loan__association__area", "requested_by")
        .order_by("requested_at", "pk")
    )


# --- a loan's state, derived from its instalments and standing repayments ------------------

COMMITTED = (S.APPROVED, S.IN_NOTICE, S.READY)


def loan_terms(loan: Loan, *, instalments: list[Instalment] | None = None) -> LoanTerms:
    """The terms of a disbursed loan (approval set its prices, disbursement its date);
    `instalments`, in order, when the caller has read them already."""
    assert loan.disbursed_on is not None
    assert loan.fee_rate is not None and loan.overdue_multiplier is not None
    rows = loan.instalments.order_by("number") if instalments is None else instalments
    schedule = tuple(schedules.Instalment(i.due_on, i.principal) for i in rows)
    return LoanTerms(
        principal=loan.amount,
        disbursed_on=loan.disbursed_on,
        schedule=schedule,
        annual_rate=loan.fee_rate,
        method=loan.fee_method,
        overdue_multiplier=loan.overdue_multiplier,
    )


def standing_payments(loan: Loan) -> list[Payment]:
    return [
        Payment(r.paid_on, r.amount)
        for r in loan.repayments.filter(reversal_entry__isnull=True).order_by("paid_on", "id")
    ]


def loan_state(loan: Loan) -> tuple[LoanTerms, LoanState]:
    terms = loan_terms(loan)
    _allocations, state = replay(terms, standing_payments(loan))
    return terms, state


def is_overdue(loan: Loan, on: datetime.date) -> bool:
    if loan.status not in LENT_STATUSES:
        return False
    terms, state = loan_state(loan)
    return days_past_due(terms, state, on) > 0


def lendable_cash(association: Association, *, excluding: Loan | None = None) -> Decimal:
    """Cash and bank less the loans approved but not yet paid out."""
    balances = balances_by_key(book=book_for_association(association))
    committed = Loan.objects.filter(association=association, status__in=COMMITTED)
    if excluding is not None:
        committed = committed.exclude(pk=excluding.pk)
    promised = committed.aggregate(s=Sum("amount"))["s"] or ZERO
    return balances.get("cash", ZERO) + balances.get("bank", ZERO) - promised


def owed_today(loan: Loan, on: datetime.date) -> AmountOwed:
    terms, state = loan_state(loan)
    return amount_owed(terms, state, on)


def ledger_mismatches(association: Association) -> tuple[Decimal, Decimal] | None:
    """(ledger, loans) when loans receivable in the books differs from the outstanding
    principal of the association's loans; None when they agree."""
    ledger = balances_by_key(book=book_for_association(association)).get("loans_receivable", ZERO)
    outstanding = sum(
        (
            loan_state(loan)[1].principal_outstanding
            for loan in Loan.objects.filter(
                association=association, status__in=sorted(LENT_STATUSES)
            )
        ),
        ZERO,
    )
    return None if ledger == outstanding else (ledger, outstanding)


def loan_filter_areas(*, user: User) -> list[Area]:
    """Townships and villages a county or city user may narrow the loan list to (none for a
    village's own users: their list is one village already)."""
    areas = Area.objects.visible_to(user).filter(level__in=("township", "village"))
    if areas.filter(level="township").count() < 1:
        return []
    return list(areas.order_by("code")[:500])
