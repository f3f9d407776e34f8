"""Writes of the month close: one book closed with its count, and all of a township's books.

The count is the gate. Open items (advances, expenses awaiting a decision, transfers awaiting
the office, overdue loans) are shown and printed but do not stop a close: an expense decided
later posts into the first open day, a reimbursement or a transfer on its own later date, and
an overdue loan is a matter of credit, not of the books. What a close makes final is the
month's cash and bank; so the cash counted and the bank statement's balance must equal the
books, or the difference must be explained in words, recorded with the close and printed on
the month summary (a deposit in transit, a note found missing and reported). Refusing every
difference outright would stall a village over a timing item that the next month clears."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from associations.models import User
from funds.exceptions import FundsRuleError
from funds.journal import month_close, month_end
from funds.models import ZERO, Book, MonthClose
from funds.roles import CLOSERS, require_on_book
from funds.selectors import balances_by_key
from mutualaid.money import format_yuan, to_fen


def _count(value: Decimal | None, what: str) -> Decimal:
    if value is None:
        raise FundsRuleError(
            _("Enter the %(what)s at the month's end.") % {"what": what}, "count_missing"
        )
    value = to_fen(value)
    if value < 0:
        raise FundsRuleError(_("A count cannot be below zero."), "count_negative")
    return value


def _difference_message(what: str, counted: Decimal, books: Decimal) -> str:
    return _(
        "The %(what)s (%(counted)s) differs from the books (%(books)s) by %(difference)s "
        "yuan: give the reason, or correct the books in an open month first."
    ) % {
        "what": what,
        "counted": format_yuan(counted),
        "books": format_yuan(books),
        "difference": format_yuan(counted - books),
    }


@transaction.atomic
def month_close_counted(
    *,
    book: Book,
    month: datetime.date,
    cash_counted: Decimal | None,
    bank_counted: Decimal | None,
    reason: str = "",
    by: User,
) -> MonthClose:
    """Close `book` through the month of `month` with the cash counted and the bank
    statement's balance at its end. The township station of the book's area closes."""
    book = Book.objects.select_for_update().get(pk=book.pk)
    require_on_book(by, CLOSERS, book)
    cash_label, bank_label = _("cash counted"), _("bank statement balance")
    cash = _count(cash_counted, cash_label)
    bank = _count(bank_counted, bank_label)
    end = month_end(month)
    balances = balances_by_key(book=book, through=end)
    in_books = balances.get("cash", ZERO), balances.get("bank", ZERO)
    reason = (reason or "").strip()
    if not reason:
        for what, counted, books in (
            (cash_label, cash, in_books[0]),
            (bank_label, bank, in_books[1]),
        ):
            if counted != books:
                raise FundsRuleError(_difference_message(what, counted, books), "count_differs")
    close = month_close(book=book, month=month, by=by)
    close.cash_in_books, close.bank_in_books = in_books
    close.cash_counted, close.bank_counted = cash, bank
    close.difference_reason = reason[:200] if (cash, bank) != in_books else ""
    close.save()
    return close


@dataclass(frozen=True)
class BookCount:
    """What the station typed for one book on the township page."""

    book: Book
    cash_counted: Decimal | None
    bank_counted: Decimal | None
    reason: str = ""


@dataclass(frozen=True)
class CloseOutcome:
    book: Book
    close: MonthClose | None
    error: str = ""


def month_close_all(
    *, counts: Iterable[BookCount], month: datetime.date, by: User
) -> list[CloseOutcome]:
    """Close each book on its own: a book refused (its count differs without a reason, it is
    out of the user's area, already closed) is reported and the others close all the same.
    Each book is its own transaction (a savepoint inside the caller's)."""
    outcomes = []
    for count in counts:
        try:
            with transaction.atomic():
                close = month_close_counted(
                    book=count.book,
                    month=month,
                    cash_counted=count.cash_counted,
                    bank_counted=count.bank_counted,
                    reason=count.reason,
                    by=by,
                )
        except FundsRuleError as error:
            outcomes.append(CloseOutcome(count.book, None, str(error.message)))
        else:
            outcomes.append(CloseOutcome(count.book, close))
    return outcomes
