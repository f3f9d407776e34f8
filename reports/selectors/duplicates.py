"""Duplicate funding (重复扶持, DESIGN §1 contradiction 4): households of an area that hold a
running mutual-aid loan and, at the same time,

* another subsidised loan recorded on the member (associations.OtherLoan) that is still
  running: its due date is on or after the day, or
* a running mutual-aid loan in another association under the same resident ID number (a
  household that left one association with its loan unsettled, or records carried over from
  the old ledgers).

A loan is running on the day when it was disbursed by then and is disbursed or being repaid
now (LENT_STATUSES). An other loan keeps no
start date, only its due date: it counts as running from its record to its due date.

Four queries whatever the size of the area: the area's running loans with an other loan, their
other loans, the ID numbers with running loans in two associations, and those loans.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch

from associations.models import Area, Member, OtherLoan
from loans.models import Loan
from loans.workflow import LENT_STATUSES
from mutualaid.money import ZERO

RUNNING = sorted(LENT_STATUSES)


@dataclass
class DuplicateRow:
    """One household of the area with its running mutual-aid loans there, its running other
    subsidised loans, and its running mutual-aid loans in other associations."""

    member: Member
    loans: list[Loan] = field(default_factory=list)
    other_loans: list[OtherLoan] = field(default_factory=list)
    elsewhere: list[Loan] = field(default_factory=list)

    @property
    def village(self) -> Area:
        return self.member.association.area

    @property
    def lent(self) -> Decimal:
        return sum((loan.amount for loan in self.loans), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((loan.principal_outstanding for loan in self.loans), ZERO)

    @property
    def other_amount(self) -> Decimal:
        """Other subsidised loans plus the outstanding principal of loans elsewhere."""
        return sum((o.amount for o in self.other_loans), ZERO) + sum(
            (loan.principal_outstanding for loan in self.elsewhere), ZERO
        )


def duplicate_funding(*, area: Area, on: datetime.date) -> list[DuplicateRow]:
    """The area's households funded twice on `on`, by village code and name."""
    prefix = area.prefix
    running_other = OtherLoan.objects.filter(due_on__gte=on).order_by("due_on", "pk")
    rows: dict[int, DuplicateRow] = {}

    def row(loan: Loan) -> DuplicateRow:
        if loan.member_id not in rows:
            rows[loan.member_id] = DuplicateRow(member=loan.member)
        return rows[loan.member_id]

    with_other = (
        Loan.objects.filter(
            association__area__code__startswith=prefix, status__in=RUNNING, disbursed_on__lte=on
        )
        .filter(Exists(running_other.filter(member=OuterRef("member"))))
        .select_related("member__association__area")
        .prefetch_related(Prefetch("member__other_loans", running_other, to_attr="running"))
        .order_by("pk")
    )
    for loan in with_other:
        entry = row(loan)
        entry.loans.append(loan)
        entry.other_loans = list(loan.member.running)  # type: ignore[attr-defined]

    # The area's borrowers' ID numbers first: the check then reads only their loans anywhere
    # (index member_id_number), not every running loan of the province.
    borrowers = Loan.objects.filter(
        association__area__code__startswith=prefix, status__in=RUNNING, disbursed_on__lte=on
    ).values("member__id_number")
    twice = (
        Loan.objects.filter(
            status__in=RUNNING, disbursed_on__lte=on, member__id_number__in=borrowers
        )
        .values("member__id_number")
        .annotate(n=Count("association", distinct=True))
        .filter(n__gt=1)
        .values("member__id_number")
    )
    shared = (
        Loan.objects.filter(status__in=RUNNING, disbursed_on__lte=on, member__id_number__in=twice)
        .select_related("member__association__area", "association__area")
        .order_by("pk")
    )
    by_id: dict[str, list[Loan]] = defaultdict(list)
    for loan in shared:
        by_id[loan.member.id_number].append(loan)
    for loans in by_id.values():
        for loan in loans:
            if not loan.association.area.code.startswith(prefix):
                continue
            entry = row(loan)
            if loan not in entry.loans:
                entry.loans.append(loan)
            entry.elsewhere = [
                other for other in loans if other.association_id != loan.association_id
            ]
    return sorted(rows.values(), key=lambda r: (r.village.code, r.member.pinyin_full, r.member.pk))
