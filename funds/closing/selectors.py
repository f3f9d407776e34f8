"""Reads of the month close: what was open at a month's end, and the month's summary.

Every figure is "as at the month's end", read from dates kept on the records (spent, decided,
reimbursed, requested), so a summary printed later shows what the close saw."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min, Q, Sum

from associations.models import User
from funds.closing import OverdueFigure, overdue_readers
from funds.journal import month_end
from funds.models import (
    ZERO,
    ApprovalStatus,
    Book,
    Expense,
    JournalEntry,
    JournalLine,
    MonthClose,
    Transfer,
)
from funds.selectors import books_visible, expense_reversed_by, trial_balance


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    return month.replace(day=1), month_end(month)


def last_ended_month(today: datetime.date) -> datetime.date:
    """The first day of the month before `today`'s."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _advances_unreimbursed(end: datetime.date) -> Q:
    """Expenses a person paid out of pocket, in the books by `end` and not paid back then:
    together they are the advances payable at the month's end."""
    return (
        ~Q(advanced_by="")
        & Q(status=ApprovalStatus.APPROVED, entry__date__lte=end)
        & (Q(reimbursed_on__isnull=True) | Q(reimbursed_on__gt=end))
        & ~Q(expense_reversed_by(end))
    )


def _not_in_books_by(end: datetime.date, entry: str) -> Q:
    """Undecided, or approved and posted after `end` (once the month is closed, a late
    approval posts into the first open day)."""
    return Q(status=ApprovalStatus.REQUESTED) | Q(
        status=ApprovalStatus.APPROVED, **{f"{entry}__date__gt": end}
    )


def _by_book(rows: Iterable[Expense | Transfer], key: str) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


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


def _cash_and_bank(ids: list[int], end: datetime.date) -> dict[int, dict[str, Decimal]]:
    rows = (
        JournalLine.objects.filter(
            book_id__in=ids, account__key__in=["cash", "bank"], date__lte=end
        )
        .values("book_id", "account__key")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    )
    result: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        result.setdefault(row["book_id"], {})[row["account__key"]] = (row["d"] or ZERO) - (
            row["c"] or ZERO
        )
    return result


def _months_between(opened: datetime.date | None, start: datetime.date) -> int:
    if opened is None or opened >= start:
        return 0
    return (start.year - opened.year) * 12 + start.month - opened.month


def month_reviews(
    *, books: Sequence[Book], month: datetime.date, today: datetime.date
) -> list[MonthReview]:
    """The review of each book for the month of `month`, in the books' order: the same
    handful of grouped queries for one book or a township's (plus the replay of each loan
    overdue, see loans.selectors.closing)."""
    start, end = month_bounds(month)
    ids = [book.pk for book in books]
    balances = _cash_and_bank(ids, end)
    expenses = Expense.objects.filter(book_id__in=ids, spent_on__lte=end).order_by("spent_on", "pk")
    advances = _by_book(expenses.filter(_advances_unreimbursed(end)), "book_id")
    awaiting = _by_book(expenses.filter(_not_in_books_by(end, "entry")), "book_id")
    transfers = _by_book(
        Transfer.objects.filter(target_id__in=ids, on__lte=end)
        .filter(_not_in_books_by(end, "target_entry"))
        .select_related("pool")
        .order_by("on", "pk"),
        "target_id",
    )
    overdue: dict[int, OverdueFigure] = {}
    for reader in overdue_readers:
        for book_id, figure in reader(books, end).items():
            before = overdue.get(book_id, OverdueFigure(0, ZERO))
            overdue[book_id] = OverdueFigure(
                before.count + figure.count, before.principal + figure.principal
            )
    closes = {
        close.book_id: close
        for close in MonthClose.objects.filter(book_id__in=ids, month_end=end).select_related(
            "closed_by"
        )
    }
    first_entries = dict(
        JournalEntry.objects.filter(book_id__in=[b.pk for b in books if not b.closed_through])
        .values("book_id")
        .annotate(first=Min("date"))
        .values_list("book_id", "first")
    )
    reviews = []
    for book in books:
        opened = (
            book.closed_through + datetime.timedelta(days=1)
            if book.closed_through
            else first_entries.get(book.pk)
        )
        rows = {
            "advances": advances.get(book.pk, []),
            "expenses": awaiting.get(book.pk, []),
            "transfers": transfers.get(book.pk, []),
        }
        reviews.append(
            MonthReview(
                book=book,
                start=start,
                end=end,
                advances=rows["advances"],
                expenses=rows["expenses"],
                transfers=rows["transfers"],
                overdue=overdue.get(book.pk, OverdueFigure(0, ZERO)),
                cash=balances.get(book.pk, {}).get("cash", ZERO),
                bank=balances.get(book.pk, {}).get("bank", ZERO),
                close=closes.get(book.pk),
                ended=end < today,
                open_months_before=_months_between(opened, start),
                totals={key: _total(value) for key, value in rows.items()},
            )
        )
    return reviews


def month_review(*, book: Book, month: datetime.date, today: datetime.date) -> MonthReview:
    return month_reviews(books=[book], month=month, today=today)[0]


def township_review(
    *, user: User, roles: Iterable[str], month: datetime.date, today: datetime.date
) -> list[MonthReview]:
    """The review of every village book the user may close, in area order."""
    books = books_visible(user=user, roles=roles).filter(association__isnull=False)
    return month_reviews(books=list(books.order_by("area__code")), month=month, today=today)


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
