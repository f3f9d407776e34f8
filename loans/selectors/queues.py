"""The work queues of the home pages: what waits for each role in its own area. Each is one
scoped query (the page slices it and counts it), whatever the number of loans."""

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet

from associations.models import Role, User
from loans.models import Instalment, Loan, WriteOff
from loans.workflow import LENT_STATUSES


def _loans(user: User, roles: Iterable[str]) -> QuerySet[Loan]:
    return Loan.objects.visible_to(user, roles=roles).select_related("member", "association__area")


def instalments_due(*, user: User, today: datetime.date, days: int = 7) -> QuerySet[Instalment]:
    """Instalments not yet paid in full falling due from today to `days` days ahead, in the
    villages where the user is the clerk."""
    loans = Loan.objects.visible_to(user, roles=[Role.VILLAGE_CLERK]).filter(
        status__in=sorted(LENT_STATUSES)
    )
    return (
        Instalment.objects.filter(
            loan__in=loans.values("pk"),
            due_on__gte=today,
            due_on__lte=today + datetime.timedelta(days=days),
            paid_on__isnull=True,
        )
        .select_related("loan__member", "loan__association__area")
        .order_by("due_on", "pk")
    )


def overdue(*, user: User, roles: Iterable[str], today: datetime.date) -> QuerySet[Loan]:
    """Loans overdue today, the longest first, from the stored oldest unpaid due date."""
    return (
        _loans(user, roles)
        .filter(status__in=sorted(LENT_STATUSES), oldest_unpaid_due_on__lt=today)
        .order_by("oldest_unpaid_due_on", "pk")
    )


def in_status(*, user: User, roles: Iterable[str], status: str) -> QuerySet[Loan]:
    """Loans of one status, the oldest application first."""
    return _loans(user, roles).filter(status=status).order_by("created_at", "pk")


def write_offs_waiting(*, user: User) -> QuerySet[WriteOff]:
    """Write-offs the boards proposed that wait for the user's township committee."""
    loans = Loan.objects.visible_to(user, roles=[Role.TOWNSHIP_COMMITTEE])
    return (
        WriteOff.objects.filter(loan__in=loans.values("pk"), approved_by__isnull=True)
        .select_related("loan__member", "loan__association__area")
        .order_by("proposed_at", "pk")
    )
