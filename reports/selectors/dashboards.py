"""What the dashboards show beside the indicators: flows by month for the charts, the overdue
list with each borrower's group leaders, the committee's pending decisions and the waitlist.
Each is a fixed number of queries whatever the size of the area."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth

from associations.models import Area, Member
from funds.models import Book
from guarantees.models import GroupMembership, GroupRole
from loans.models import Loan, LoanTransition, Reminder, Repayment, WriteOff
from loans.workflow import LENT_STATUSES, LoanStatus
from mutualaid.money import ZERO


@dataclass(frozen=True)
class MonthFlow:
    month: datetime.date  # first day of the month
    disbursed: Decimal
    repaid_principal: Decimal


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _by_month(rows: Iterable[Any]) -> dict[datetime.date, Decimal]:
    result: dict[datetime.date, Decimal] = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        result[month] = row["s"] or ZERO
    return result


def monthly_flows(*, area: Area, on: datetime.date, months: int = 24) -> list[MonthFlow]:
    """Disbursed and principal repaid per month for the `months` months up to `on`: two
    grouped queries."""
    first = _month_start(on, months - 1)
    disbursed = _by_month(
        Loan.objects.filter(
            association__area__code__startswith=area.prefix,
            disbursed_on__gte=first,
            disbursed_on__lte=on,
        )
        .annotate(month=TruncMonth("disbursed_on"))
        .values("month")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    repaid = _by_month(
        Repayment.objects.filter(
            association__area__code__startswith=area.prefix,
            reversal_entry__isnull=True,
            paid_on__gte=first,
            paid_on__lte=on,
        )
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(s=Sum("principal"))
        .order_by()
    )
    return [
        MonthFlow(m, disbursed.get(m, ZERO), repaid.get(m, ZERO))
        for m in (_month_start(on, back) for back in range(months - 1, -1, -1))
    ]


def leaders() -> Prefetch:
    """Prefetch a loan's group's current leaders as `group.leaders`."""
    return Prefetch(
        "group__memberships",
        queryset=GroupMembership.objects.filter(
            role=GroupRole.LEADER, left_on__isnull=True
        ).select_related("member"),
        to_attr="leaders",
    )


@dataclass(frozen=True)
class OverdueLoan:
    """A loan overdue today with whom to call about it."""

    loan: Loan
    days_past_due: int
    contacts: list[Member]


def overdue_loans(*, area: Area, today: datetime.date) -> list[OverdueLoan]:
    """Loans overdue today, longest first, from the stored oldest unpaid due date; each with
    its days past due and contacts (the group's leaders, or the personal guarantor)."""
    loans = (
        Loan.objects.filter(
            association__area__code__startswith=area.prefix,
            status__in=sorted(LENT_STATUSES),
            oldest_unpaid_due_on__lt=today,
        )
        .select_related("member", "association__area", "group", "guarantor")
        .prefetch_related(leaders())
        .order_by("oldest_unpaid_due_on", "pk")
    )
    return [
        OverdueLoan(
            loan=loan,
            days_past_due=(today - loan.oldest_unpaid_due_on).days
            if loan.oldest_unpaid_due_on
            else 0,
            contacts=contacts(loan),
        )
        for loan in loans
    ]


def contacts(loan: Loan) -> list[Member]:
    """Whom to call about a loan: its group's leaders (prefetched by `leaders()`), or the
    personal guarantor."""
    if loan.group is not None:
        return [m.member for m in getattr(loan.group, "leaders", [])]
    return [loan.guarantor] if loan.guarantor is not None else []


def reminders_sent(*, area: Area, limit: int = 50) -> QuerySet[Reminder]:
    """The latest reminders to the area's borrowers and group leaders, with the loan's
    borrower and the person reached: one query."""
    return (
        Reminder.objects.filter(loan__association__area__code__startswith=area.prefix)
        .select_related("member", "loan__member")
        .order_by("-sent_on", "-sent_at", "-pk")[:limit]
    )


def waitlist(*, area: Area) -> QuerySet[Loan]:
    """Applications waiting for funds, the longest waiting first, with `waiting_since`."""
    since = LoanTransition.objects.filter(
        loan=OuterRef("pk"), to_status=LoanStatus.WAITLISTED
    ).order_by("-at", "-id")
    return (
        Loan.objects.filter(
            association__area__code__startswith=area.prefix, status=LoanStatus.WAITLISTED
        )
        .select_related("member", "association__area")
        .annotate(waiting_since=Subquery(since.values("at")[:1]))
        .order_by("waiting_since", "pk")
    )


def pending_decisions(*, area: Area) -> dict[str, list]:
    """What waits for the township committee: applications reviewed by the village boards
    and write-off proposals."""
    prefix = area.prefix
    return {
        "applications": list(
            Loan.objects.filter(
                association__area__code__startswith=prefix, status=LoanStatus.BOARD_REVIEWED
            )
            .select_related("member", "association__area")
            .order_by("created_at", "pk")
        ),
        "write_offs": list(
            WriteOff.objects.filter(
                loan__association__area__code__startswith=prefix, approved_by__isnull=True
            )
            .select_related("loan__member", "loan__association__area")
            .order_by("proposed_at", "pk")
        ),
    }


def books_by_area(*, areas: list[Area]) -> dict[str, Book]:
    """The association books of the given villages, by village code: one query."""
    return {
        book.area_id: book
        for book in Book.objects.filter(
            area__code__in=[a.code for a in areas], association__isnull=False
        )
    }
