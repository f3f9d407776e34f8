"""Reads of the month close: what was open at a month's end, and the month's summary.

Every figure is "as at the month's end", read from dates kept on the records (spent, decided,
reimbursed, requested), so a summary printed later shows what the close saw."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min, Q, QuerySet

from associations.models import User
from funds.closing import OverdueFigure, overdue_readers
from funds.journal import month_end
from funds.models import ZERO, ApprovalStatus, Book, Expense, JournalEntry, MonthClose, Transfer
from funds.selectors import balances_by_key, books_visible, trial_balance


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    return month.replace(day=1), month_end(month)


def last_ended_month(today: datetime.date) -> datetime.date:
    """The first day of the month before `today`'s."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def advances_unreimbursed(book: Book, end: datetime.date) -> QuerySet[Expense]:
    """Expenses a person paid out of pocket, in the books by `end` and not paid back then:
    together they are the advances payable at the month's end."""
    return (
        book.expenses.exclude(advanced_by="")
        .filter(status=ApprovalStatus.APPROVED, entry__date__lte=end)
        .filter(Q(reimbursed_on__isnull=True) | Q(reimbursed_on__gt=end))
        .order_by("spent_on", "pk")
    )


def expenses_awaiting(book: Book, end: datetime.date) -> QuerySet[Expense]:
    """Expenses spent by `end` and not in the month's books."""
    return (
        book.expenses.filter(spent_on__lte=end)
        .filter(
            Q(status=ApprovalStatus.REQUESTED)
            | Q(status=ApprovalStatus.APPROVED, entry__date__gt=end)
        )
        .order_by("spent_on", "pk")
    )


def transfers_awaiting(book: Book, end: datetime.date) -> QuerySet[Transfer]:
    """Capital allocations to this book (or recalls from it) dated by `end` and not in the
    month's books: money announced but not yet received."""
    return (
        Transfer.objects.filter(target=book, on__lte=end)
        .filter(
            Q(status=ApprovalStatus.REQUESTED)
            | Q(status=ApprovalStatus.APPROVED, target_entry__date__gt=end)
        )
        .select_related("pool")
        .order_by("on", "pk")
    )


def overdue_at(book: Book, end: datetime.date) -> OverdueFigure:
    figures = [reader(book, end) for reader in overdue_readers]
    return OverdueFigure(
        sum((f.count for f in figures), 0), sum((f.principal for f in figures), ZERO)
    )


def _total(rows: Iterable[Expense | Transfer]) -> Decimal:
    return sum((row.amount for row in rows), ZERO)


@dataclass
class MonthReview:
    """What the station confirms before closing `book` through the month of `start`."""

    book: Book
    start: datetime.date
    end: datetime.date
    advances: list[Expense]
    expenses: list[Expense]
    transfers: list[Transfer]
    overdue: OverdueFigure
    cash: Decimal
    bank: Decimal
    close: MonthClose | None = None
    ended: bool = True
    open_months_before: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def closed(self) -> bool:
        return bool(self.book.closed_through and self.book.closed_through >= self.end)

    @property
    def open_items(self) -> int:
        return len(self.advances) + len(self.expenses) + len(self.transfers) + self.overdue.count


def month_review(*, book: Book, month: datetime.date, today: datetime.date) -> MonthReview:
    start, end = month_bounds(month)
    balances = balances_by_key(book=book, through=end)
    advances = list(advances_unreimbursed(book, end))
    expenses = list(expenses_awaiting(book, end))
    transfers = list(transfers_awaiting(book, end))
    if book.closed_through:
        opened: datetime.date | None = book.closed_through + datetime.timedelta(days=1)
    else:
        opened = book.entries.aggregate(first=Min("date"))["first"]
    before = 0
    if opened and opened < start:
        before = (start.year - opened.year) * 12 + start.month - opened.month
    return MonthReview(
        book=book,
        start=start,
        end=end,
        advances=advances,
        expenses=expenses,
        transfers=transfers,
        overdue=overdue_at(book, end),
        cash=balances.get("cash", ZERO),
        bank=balances.get("bank", ZERO),
        close=MonthClose.objects.filter(book=book, month_end=end)
        .select_related("closed_by")
        .first(),
        ended=end < today,
        open_months_before=before,
        totals={
            "advances": _total(advances),
            "expenses": _total(expenses),
            "transfers": _total(transfers),
        },
    )


def township_review(
    *, user: User, roles: Iterable[str], month: datetime.date, today: datetime.date
) -> list[MonthReview]:
    """The review of every village book the user may close, in area order."""
    books = books_visible(user=user, roles=roles).filter(association__isnull=False)
    return [
        month_review(book=book, month=month, today=today) for book in books.order_by("area__code")
    ]


@dataclass(frozen=True)
class SummaryRow:
    code: str
    name: str
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal


@dataclass
class MonthSummary:
    review: MonthReview
    rows: list[SummaryRow]
    entries: int


def month_summary(*, book: Book, month: datetime.date, today: datetime.date) -> MonthSummary:
    """The month's balances and movements per account (on each account's normal side), with
    the open items at the month's end and the close's count."""
    review = month_review(book=book, month=month, today=today)
    before = review.start - datetime.timedelta(days=1)
    opening = {r.code: r.balance for r in trial_balance(book=book, end=before)}
    rows = []
    for row in trial_balance(book=book, start=review.start, end=review.end):
        first = opening.get(row.code, ZERO)
        if not (first or row.debit or row.credit):
            continue
        rows.append(
            SummaryRow(row.code, row.name, first, row.debit, row.credit, first + row.balance)
        )
    entries = JournalEntry.objects.filter(
        book=book, date__gte=review.start, date__lte=review.end
    ).count()
    return MonthSummary(review, rows, entries)
