"""Reads of loans: scoped lists with their overdue figures in one query, the committee inbox."""

import datetime
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from associations.models import OtherLoan, Role
from loans.models import Instalment, Loan, Repayment
from loans.workflow import LENT_STATUSES, LoanStatus

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)


def _sum(queryset, field: str):
    return Coalesce(
        Subquery(
            queryset.values("loan").annotate(s=Sum(field)).values("s")[:1], output_field=MONEY
        ),
        ZERO,
    )


def with_figures(loans: QuerySet[Loan], *, today: datetime.date) -> QuerySet[Loan]:
    """Principal paid, principal due by today and whether anything is overdue: subqueries,
    so a page of loans is one query."""
    standing = Repayment.objects.filter(loan=OuterRef("pk"), reversal_entry__isnull=True)
    due = Instalment.objects.filter(loan=OuterRef("pk"), due_on__lt=today)
    return loans.annotate(
        principal_paid=_sum(standing, "principal"),
        principal_due_before=_sum(due, "principal"),
    ).annotate(
        overdue=Q(status__in=sorted(LENT_STATUSES))
        & Q(principal_due_before__gt=F("principal_paid")),
    )


def loan_list(
    *,
    user,
    today: datetime.date,
    status: str = "",
    purpose: str = "",
    overdue: bool = False,
    due_this_month: bool = False,
) -> QuerySet[Loan]:
    loans = with_figures(
        Loan.objects.visible_to(user).select_related("member", "purpose", "association__area"),
        today=today,
    )
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


def committee_inbox(*, user, today: datetime.date) -> QuerySet[Loan]:
    """Applications waiting for the committee in its township, with the duplicate-funding flag."""
    return with_figures(
        Loan.objects.visible_to(user, roles=[Role.TOWNSHIP_COMMITTEE])
        .filter(status__in=[LoanStatus.BOARD_REVIEWED, LoanStatus.WAITLISTED, LoanStatus.IN_NOTICE])
        .select_related("member", "purpose", "association__area", "group")
        .annotate(other_loans=Exists(OtherLoan.objects.filter(member=OuterRef("member")))),
        today=today,
    ).order_by("created_at", "pk")
