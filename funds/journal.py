"""The one way money moves: a balanced journal entry, posted in the caller's transaction."""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Model, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from associations.models import Area, Association, User
from funds.chart import CASH_KEYS, CHART
from funds.exceptions import FundsRuleError
from funds.models import (
    Account,
    AccountBalance,
    Book,
    EntryKind,
    JournalEntry,
    JournalLine,
    MonthClose,
)
from funds.roles import CLOSERS, REVERSERS, require_on_book
from mutualaid.money import ZERO, format_yuan, to_fen


@dataclass(frozen=True)
class Line:
    """One side of an entry: an account of the book by key (or an Account) and an amount."""

    account: str | Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def Dr(account: str | Account, amount: Decimal) -> Line:  # noqa: N802 - bookkeeping notation
    return Line(account, debit=to_fen(amount))


def Cr(account: str | Account, amount: Decimal) -> Line:  # noqa: N802
    return Line(account, credit=to_fen(amount))


def _open_accounts(book: Book) -> None:
    existing = set(book.accounts.values_list("key", flat=True))
    Account.objects.bulk_create(
        Account(book=book, key=d.key, code=d.code, type=d.type)
        for d in CHART
        if d.key not in existing
    )


def book_for_association(association: Association) -> Book:
    """The association's books, opened with the chart of accounts on first use."""
    book = Book.objects.filter(association=association).first()
    return book if book is not None else _book_open(association)


@transaction.atomic
def _book_open(association: Association) -> Book:
    book = Book.objects.filter(association=association).first()
    if book is None:
        book = Book.objects.create(
            area_id=association.area_id, association=association, name=association.name
        )
        _open_accounts(book)
    return book


@transaction.atomic
def pool_book_open(*, area: Area) -> Book:
    """A county or city capital pool: allocates capital to associations and recalls it."""
    if area.level not in ("county", "city"):
        raise FundsRuleError(_("Only a county or a city keeps a capital pool."), "pool_level")
    book = Book.objects.filter(area=area).first()
    if book is None:
        book = Book.objects.create(area=area, name=_("%(area)s capital pool") % {"area": area})
        _open_accounts(book)
    return book


def _resolve(book: Book, lines: list[Line]) -> list[tuple[Account, Decimal, Decimal]]:
    keys = {line.account for line in lines if isinstance(line.account, str)}
    # Only the accounts the lines name, by the (book, key) index: no join, no sort.
    accounts = {a.key: a for a in book.accounts.filter(key__in=keys).order_by()} if keys else {}
    resolved = []
    for line in lines:
        if isinstance(line.account, Account):
            account = line.account
            if account.book_id != book.pk:
                raise FundsRuleError(
                    _("Account %(code)s belongs to other books.") % {"code": account.code},
                    "foreign_account",
                )
        else:
            found = accounts.get(line.account)
            if found is None:
                raise FundsRuleError(
                    _("Unknown account %(key)s.") % {"key": line.account}, "unknown_account"
                )
            account = found
        debit, credit = to_fen(line.debit), to_fen(line.credit)
        if debit < 0 or credit < 0 or (debit > 0) == (credit > 0):
            raise FundsRuleError(
                _("Each line has a positive debit or a positive credit, not both."), "line_sides"
            )
        resolved.append((account, debit, credit))
    return resolved


def check_open_date(book: Book, date: datetime.date) -> None:
    if book.closed_through and date <= book.closed_through:
        raise FundsRuleError(
            _("The books are closed through %(date)s; choose a later date.")
            % {"date": date_format(book.closed_through)},
            "closed_month",
        )
    if date > timezone.localdate():
        raise FundsRuleError(_("Money cannot be recorded on a future date."), "future_date")


def journal_post(
    *,
    book: Book | None = None,
    association: Association | None = None,
    date: datetime.date,
    memo: str,
    kind: str,
    lines: Iterable[Line],
    by: User | None = None,
    source: Model | None = None,
    reverses: JournalEntry | None = None,
    savepoint: bool = True,
) -> JournalEntry:
    """Post one balanced entry in `book`, or in the books of `association` (found and locked in
    one query, opened on first use). Refuses unbalanced or zero entries, foreign accounts,
    closed months, future dates, and anything that would take cash or bank below zero.

    Inside a caller's transaction the post is a savepoint, so a caller may catch a refusal and
    go on. A caller whose own transaction ends at any refusal (a repayment: the busiest write)
    passes `savepoint=False` and saves the two statements."""
    lines = list(lines)
    with transaction.atomic(savepoint=savepoint):
        exclusive = any(_credits_cash(line) for line in lines)
        if book is None:
            assert association is not None, "journal_post needs a book or an association"
            book = _lock_association_book(association, exclusive=exclusive)
        else:
            book = _lock_book(book, exclusive=exclusive)
        check_open_date(book, date)
        resolved = _resolve(book, lines)
        debits = sum((d for _a, d, _c in resolved), ZERO)
        credits = sum((c for _a, _d, c in resolved), ZERO)
        if not resolved or debits == ZERO:
            raise FundsRuleError(_("An entry must move some money."), "zero_entry")
        if debits != credits:
            raise FundsRuleError(
                _("Debits %(debits)s and credits %(credits)s do not balance.")
                % {"debits": format_yuan(debits), "credits": format_yuan(credits)},
                "unbalanced",
            )
        if kind not in EntryKind.values:
            raise FundsRuleError(_("Unknown entry kind."), "kind")
        entry = JournalEntry.objects.create(
            book=book,
            date=date,
            memo=memo[:200],
            kind=kind,
            created_by=by,
            reverses=reverses,
            source_type=source._meta.label_lower if source is not None else "",
            source_id=source.pk if source is not None else None,
        )
        JournalLine.objects.bulk_create(
            JournalLine(entry=entry, book=book, date=date, account=a, debit=d, credit=c)
            for a, d, c in resolved
        )
        _refuse_negative_cash(
            book, [a for a, _d, c in resolved if c > 0 and a.key in CASH_KEYS], date
        )
        return entry


def mirror_lines(entry: JournalEntry) -> list[Line]:
    """The lines that undo `entry`: each of its lines with debit and credit swapped."""
    return [
        Line(line.account, debit=line.credit, credit=line.debit)
        for line in entry.lines.select_related("account")
    ]


def _credits_cash(line: Line) -> bool:
    key = line.account.key if isinstance(line.account, Account) else line.account
    return line.credit > 0 and key in CASH_KEYS


def _lock_association_book(association: Association, *, exclusive: bool) -> Book:
    """`_lock_book` of the association's books, found by the association in the same query."""
    found = _locked("association_id", association.pk, exclusive=exclusive)
    if found is None:  # first post of a new association
        return _lock_book(_book_open(association), exclusive=exclusive)
    return found


def _locked(column: str, value: int, *, exclusive: bool) -> Book | None:
    if exclusive or connection.vendor != "postgresql":
        return Book.objects.select_for_update().filter(**{column: value}).order_by().first()
    table = Book._meta.db_table
    sql = f'SELECT * FROM "{table}" WHERE "{column}" = %s FOR SHARE'
    return next(iter(Book.objects.raw(sql, [value])), None)


def _lock_book(book: Book, *, exclusive: bool) -> Book:
    """Lock the book row for the post. An entry that takes money out of cash or bank locks it
    exclusively: posts of the same book then run one after the other, so none can spend a
    balance another is spending (`_refuse_negative_cash`). Any other entry (a repayment, a
    contribution received: money coming in) only shares the lock on PostgreSQL, so the clerks
    of one village record repayments side by side; each still waits for a month close (an
    update of the row) and for a post that spends cash, and those wait for it."""
    locked = _locked("id", book.pk, exclusive=exclusive)
    assert locked is not None, "a book is never deleted"
    return locked


def _refuse_negative_cash(book: Book, credited: list[Account], date: datetime.date) -> None:
    # The book row is locked above, so two posts on the same book are serialised and neither
    # can see a balance the other is about to spend. A back-dated payment must not overdraw
    # any later day either, so the lowest running balance from `date` on is checked.
    for account in credited:
        lowest = lowest_balance_from(account, date)
        if lowest is not None and lowest[0] < 0:
            balance, day = lowest
            raise FundsRuleError(
                _("%(account)s would fall to %(balance)s on %(date)s; there is not enough money.")
                % {
                    "account": account.name,
                    "balance": format_yuan(balance),
                    "date": date_format(day),
                },
                "negative_cash",
            )


def lowest_balance_from(
    account: Account, date: datetime.date
) -> tuple[Decimal, datetime.date] | None:
    """The lowest end-of-day balance of the account on `date` or later, and its day."""
    running = account_balance(account, through=date - datetime.timedelta(days=1))
    days = (
        JournalLine.objects.filter(account=account, date__gte=date)
        .values("date")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("date")
    )
    lowest = None
    for day in days:  # one row per day with postings, summed by the database
        running += day["debit"] - day["credit"]
        if lowest is None or running < lowest[0]:
            lowest = (running, day["date"])
    return lowest


def account_totals(
    book: Book, *, through: datetime.date | None = None, account: Account | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Debit and credit totals per account id of the book (or of one account) from the first
    line through `through` (or all): the totals stored at the last closed month on or before
    it (AccountBalance), plus the lines after that month. Two small queries, whatever the
    length of the history."""
    stored = AccountBalance.objects.filter(book=book)
    if through is not None:
        stored = stored.filter(month_end__lte=through)
    last = stored.order_by("-month_end").values_list("month_end", flat=True).first()
    totals: dict[int, tuple[Decimal, Decimal]] = {}
    lines = JournalLine.objects.filter(book=book)
    if account is not None:
        lines = lines.filter(account=account)
    if last is not None:
        rows = AccountBalance.objects.filter(book=book, month_end=last)
        if account is not None:
            rows = rows.filter(account=account)
        totals = {r.account_id: (r.debit, r.credit) for r in rows}
        lines = lines.filter(date__gt=last)
    if through is not None:
        lines = lines.filter(date__lte=through)
    for row in lines.values("account_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by():
        debit, credit = totals.get(row["account_id"], (ZERO, ZERO))
        totals[row["account_id"]] = (debit + (row["d"] or ZERO), credit + (row["c"] or ZERO))
    return totals


def account_balance(account: Account, *, through: datetime.date | None = None) -> Decimal:
    """Debit-positive balance of one account."""
    debit, credit = account_totals(account.book, through=through, account=account).get(
        account.pk, (ZERO, ZERO)
    )
    return debit - credit


def _store_closed_totals(book: Book, end: datetime.date) -> None:
    """The accounts' totals through `end`, kept for the balances (AccountBalance)."""
    totals = account_totals(book, through=end)
    AccountBalance.objects.bulk_create(
        AccountBalance(book=book, account_id=account_id, month_end=end, debit=debit, credit=credit)
        for account_id, (debit, credit) in totals.items()
    )


# Entries posted by a business record's own service (a loan, repayment, expense, transfer,
# capital receipt, contribution, refund, write-off, recovery or year-end split). They are
# undone only through that record, which keeps record and books in step (DESIGN §6).
RECORD_KINDS = frozenset(
    {
        EntryKind.CAPITAL,
        EntryKind.TRANSFER,
        EntryKind.EXPENSE,
        EntryKind.REIMBURSEMENT,
        EntryKind.CONTRIBUTION,
        EntryKind.REFUND,
        EntryKind.DISBURSEMENT,
        EntryKind.REPAYMENT,
        EntryKind.WRITE_OFF,
        EntryKind.RECOVERY,
        EntryKind.SURPLUS,
    }
)


def record_owner_message(kind: str) -> str:
    """Where an entry owned by a business record is reversed, for the generic reversal's
    refusal and the entry's page: each kind through its own record's service."""
    if kind == EntryKind.CAPITAL:
        return _(
            "This entry belongs to a capital receipt: reverse it with “Reverse this "
            "capital receipt” on this entry's page (done by who records capital in these "
            "books), so that the receipt and the books stay in step."
        )
    if kind in (EntryKind.EXPENSE, EntryKind.REIMBURSEMENT):
        return _(
            "This entry belongs to an expense: reverse it with “Reverse this expense” on this "
            "entry's page or from the book's expenses page (done by who records expenses in "
            "these books), so that the expense and the books stay in step."
        )
    if kind == EntryKind.TRANSFER:
        return _(
            "This entry belongs to a transfer between a capital pool and an association: "
            "reverse it with “Reverse this transfer” on this entry's page or from the pool's "
            "transfers page (done by the office that decides the pool's transfers), so that "
            "both books stay in step."
        )
    if kind == EntryKind.CONTRIBUTION:
        return _(
            "This entry belongs to a member's contribution: reverse it with “Reverse this "
            "contribution” on this entry's page or from the member's page (done by who "
            "records money in the village's books), so that the household's figure and the "
            "books stay in step."
        )
    if kind == EntryKind.REFUND:
        return _(
            "This entry belongs to a member's exit refund: it follows the member's exit and "
            "is not reversed here."
        )
    if kind == EntryKind.REPAYMENT:
        return _(
            "This entry belongs to a repayment: reverse it with “Reverse” beside the repayment "
            "on the loan's page, so that the loan and the books stay in step."
        )
    if kind == EntryKind.DISBURSEMENT:
        return _(
            "This entry belongs to a loan's payout: reverse it with “Reverse the "
            "disbursement” on the loan's page (the township station, before any repayment), "
            "so that the loan and the books stay in step."
        )
    if kind in (EntryKind.WRITE_OFF, EntryKind.RECOVERY):
        return _(
            "This entry belongs to a %(record)s of a loan: it is corrected on the loan's page, "
            "so that the loan and the books stay in step."
        ) % {"record": EntryKind(kind).label}
    return _(
        "This entry belongs to a %(record)s: correct it through that record (its own "
        "page), so that the record and the books stay in step."
    ) % {"record": EntryKind(kind).label}


@transaction.atomic
def journal_reverse(
    *, entry: JournalEntry, by: User, reason: str, date: datetime.date
) -> JournalEntry:
    """Post the mirror image of an entry, pointing at it. An entry is reversed at most once.
    The village board or the township station of the book's area reverses (funds.roles)."""
    require_on_book(by, REVERSERS, entry.book)
    if not (reason or "").strip():
        raise FundsRuleError(_("Give the reason for the reversal."), "reason")
    if entry.kind == EntryKind.REVERSAL:
        raise FundsRuleError(_("A reversal cannot itself be reversed."), "reverse_reversal")
    if entry.kind in RECORD_KINDS:
        raise FundsRuleError(record_owner_message(entry.kind), "belongs_to_record")
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise FundsRuleError(_("This entry has already been reversed."), "already_reversed")
    mirror = mirror_lines(entry)
    return journal_post(
        book=entry.book,
        date=date,
        memo=_("Reversal of #%(id)s: %(reason)s") % {"id": entry.pk, "reason": reason.strip()},
        kind=EntryKind.REVERSAL,
        lines=mirror,
        by=by,
        reverses=entry,
    )


def month_end(date: datetime.date) -> datetime.date:
    return date.replace(day=calendar.monthrange(date.year, date.month)[1])


@transaction.atomic
def month_close(*, book: Book, month: datetime.date, by: User) -> MonthClose:
    """Close the books through the end of `month` (and every month before it)."""
    book = Book.objects.select_for_update().get(pk=book.pk)
    require_on_book(by, CLOSERS, book)
    end = month_end(month)
    if end >= timezone.localdate():
        raise FundsRuleError(_("A month can be closed only after it has ended."), "month_open")
    if book.closed_through and end <= book.closed_through:
        raise FundsRuleError(_("This month is already closed."), "already_closed")
    book.closed_through = end
    book.save(update_fields=["closed_through"])
    _store_closed_totals(book, end)
    return MonthClose.objects.create(book=book, month_end=end, closed_by=by)
