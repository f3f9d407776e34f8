"""The year-end surplus: proposed, decided, and closed into the funds."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import User
from funds.chart import AccountType
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, Line, journal_post
from funds.models import (
    ZERO,
    ApprovalStatus,
    Book,
    EntryKind,
    JournalLine,
    SurplusAllocation,
)
from funds.roles import (
    SURPLUS_DECIDERS,
    SURPLUS_PROPOSERS,
)
from funds.services._common import _may_act
from mutualaid.money import format_yuan, to_fen


@dataclass(frozen=True)
class Split:
    accumulation_bp: int
    welfare_bp: int
    risk_reserve_bp: int
    running_costs_bp: int
    dividends_bp: int = 0

    def check(self) -> None:
        parts = (
            self.accumulation_bp,
            self.welfare_bp,
            self.risk_reserve_bp,
            self.running_costs_bp,
            self.dividends_bp,
        )
        if any(p < 0 for p in parts) or sum(parts) != 10000:
            raise FundsRuleError(
                _("The shares must be zero or more and total 100 %% (now %(total)s %%).")
                % {"total": Decimal(sum(parts)) / 100},
                "split_total",
            )


DEFAULT_SPLIT = Split(4000, 2000, 1000, 3000, 0)


def year_surplus(book: Book, year: int) -> Decimal:
    """Income less expenses of the year, in one aggregate query."""
    totals = (
        JournalLine.objects.filter(
            book=book,
            date__year=year,
            account__type__in=[AccountType.INCOME, AccountType.EXPENSE],
        )
        .exclude(entry__kind=EntryKind.SURPLUS)
        .aggregate(
            income=Sum("credit", filter=Q(account__type=AccountType.INCOME))
            - Sum("debit", filter=Q(account__type=AccountType.INCOME)),
            expense=Sum("debit", filter=Q(account__type=AccountType.EXPENSE))
            - Sum("credit", filter=Q(account__type=AccountType.EXPENSE)),
        )
    )
    return (totals["income"] or ZERO) - (totals["expense"] or ZERO)


@transaction.atomic
def surplus_propose(
    *, book: Book, year: int, split: Split = DEFAULT_SPLIT, by: User
) -> SurplusAllocation:
    split.check()
    if not _may_act(by, book, SURPLUS_PROPOSERS):
        raise FundsRuleError(
            _("The clerk or the township station of this association proposes the allocation."),
            "proposer",
        )
    if year >= timezone.localdate().year:
        raise FundsRuleError(_("A year is allocated after it has ended."), "year_open")
    surplus = year_surplus(book, year)
    if surplus <= 0:
        raise FundsRuleError(
            _("The year %(year)s closed without a surplus (%(amount)s); nothing to allocate.")
            % {"year": year, "amount": format_yuan(surplus)},
            "no_surplus",
        )
    if (
        SurplusAllocation.objects.filter(book=book, year=year)
        .exclude(status=ApprovalStatus.REJECTED)
        .exists()
    ):
        raise FundsRuleError(_("This year's surplus is already allocated."), "allocated")
    return SurplusAllocation.objects.create(
        book=book, year=year, surplus=surplus, proposed_by=by, **split.__dict__
    )


def surplus_shares(allocation: SurplusAllocation) -> list[tuple[str, Decimal]]:
    """Each share rounded to the fen; the accumulation fund takes the rounding remainder."""
    shares = [
        ("welfare", allocation.welfare_bp),
        ("risk_reserve", allocation.risk_reserve_bp),
        ("running_cost_fund", allocation.running_costs_bp),
        ("dividends_payable", allocation.dividends_bp),
    ]
    amounts = [(key, to_fen(allocation.surplus * bp / 10000)) for key, bp in shares if bp]
    rest = allocation.surplus - sum((a for _k, a in amounts), ZERO)
    return [("accumulation", rest), *amounts] if rest else amounts


@transaction.atomic
def surplus_decide(
    *, allocation: SurplusAllocation, by: User, approve: bool, on: datetime.date
) -> SurplusAllocation:
    """Approve and post: close the year's income and expense accounts into the funds."""
    allocation = SurplusAllocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.status != ApprovalStatus.REQUESTED:
        raise FundsRuleError(_("This allocation has already been decided."), "decided")
    if by.pk == allocation.proposed_by_id:
        raise FundsRuleError(_("The person who proposed it cannot approve it."), "four_eyes")
    if not _may_act(by, allocation.book, SURPLUS_DECIDERS):
        raise FundsRuleError(
            _("The village board or the township station of this association decides."),
            "decider",
        )
    allocation.decided_by = by
    if not approve:
        allocation.status = ApprovalStatus.REJECTED
        allocation.save()
        return allocation
    if year_surplus(allocation.book, allocation.year) != allocation.surplus:
        raise FundsRuleError(
            _("The year's figures changed since the proposal; propose again."), "stale"
        )
    lines = _closing_lines(allocation.book, allocation.year)
    lines += [Cr(key, amount) for key, amount in surplus_shares(allocation)]
    allocation.entry = journal_post(
        book=allocation.book,
        date=on,
        kind=EntryKind.SURPLUS,
        by=by,
        source=allocation,
        memo=_("Surplus allocation %(year)s") % {"year": allocation.year},
        lines=lines,
    )
    allocation.status = ApprovalStatus.APPROVED
    allocation.save()
    return allocation


def _closing_lines(book: Book, year: int) -> list[Line]:
    rows = (
        JournalLine.objects.filter(
            book=book, date__year=year, account__type__in=[AccountType.INCOME, AccountType.EXPENSE]
        )
        .exclude(entry__kind=EntryKind.SURPLUS)
        .values("account__key")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    lines = []
    for row in rows:
        balance = (row["c"] or ZERO) - (row["d"] or ZERO)  # credit-positive
        if balance > 0:
            lines.append(Dr(row["account__key"], balance))
        elif balance < 0:
            lines.append(Cr(row["account__key"], -balance))
    return lines
