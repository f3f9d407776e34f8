"""Reads of the books, each one aggregate query, always scoped by the caller's querysets."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce

from associations.models import User
from funds.chart import DEBIT_NORMAL
from funds.journal import account_totals
from funds.models import (
    Account,
    AccountBalance,
    ApprovalStatus,
    Book,
    CapitalContribution,
    CapitalSource,
    Expense,
    JournalEntry,
    JournalLine,
)
from mutualaid.money import MONEY_OUTPUT, ZERO, to_fen


def books_visible(*, user: User, roles: Iterable[str] | None = None) -> QuerySet[Book]:
    return Book.objects.visible_to(user, roles=roles).select_related("area", "association")


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """Balance on the account's normal side."""
        if self.type in DEBIT_NORMAL:
            return self.debit - self.credit
        return self.credit - self.debit


def trial_balance(
    *, book: Book, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[TrialBalanceRow]:
    """Debit and credit totals per account for the period, one grouped query over the lines."""
    lines = JournalLine.objects.filter(book=book)
    if start:
        lines = lines.filter(date__gte=start)
    if end:
        lines = lines.filter(date__lte=end)
    totals: dict[int, Mapping[str, Any]] = {
        row["account_id"]: row
        for row in lines.values("account_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by()
    }
    rows = []
    for account in Account.objects.filter(book=book).order_by("code"):
        row = totals.get(account.pk, {})
        rows.append(
            TrialBalanceRow(
                account.code, account.name, account.type, row.get("d") or ZERO, row.get("c") or ZERO
            )
        )
    return rows


def account_ledger(
    *, account: Account, start: datetime.date | None = None, end: datetime.date | None = None
) -> tuple[Decimal, list[dict[str, Any]]]:
    """Opening balance and the lines of the period with a running balance (window function)."""
    sign = 1 if account.type in DEBIT_NORMAL else -1
    before = JournalLine.objects.filter(account=account)
    lines = JournalLine.objects.filter(account=account)
    if start:
        before = before.filter(date__lt=start)
        lines = lines.filter(date__gte=start)
    else:
        before = before.none()
    if end:
        lines = lines.filter(date__lte=end)
    opening_totals = before.aggregate(d=Sum("debit"), c=Sum("credit"))
    opening = sign * ((opening_totals["d"] or ZERO) - (opening_totals["c"] or ZERO))
    movement = (F("debit") - F("credit")) if sign == 1 else (F("credit") - F("debit"))
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in lines.select_related("entry")
        .annotate(
            running=Window(Sum(movement, output_field=MONEY_OUTPUT), order_by=[F("date"), F("id")])
        )
        .order_by("date", "id")
        .values("date", "debit", "credit", "running", "entry_id", "entry__memo", "entry__kind")
    ]
    for row in rows:
        row["balance"] = opening + row["running"]
    return opening, rows


LEDGER_PAGE_SIZE = 100


@dataclass(frozen=True)
class LedgerPage:
    """One page of an account's ledger for a period, oldest line first."""

    opening: Decimal  # the balance when the period starts
    brought_forward: Decimal  # the balance before the page's first line
    rows: list[dict[str, Any]]  # each line with its running `balance`
    page: Page[Any]


def _signed_total(lines: QuerySet[JournalLine], sign: int) -> Decimal:
    totals = lines.aggregate(d=Sum("debit"), c=Sum("credit"))
    return sign * ((totals["d"] or ZERO) - (totals["c"] or ZERO))


def account_ledger_page(
    *,
    account: Account,
    start: datetime.date | None,
    end: datetime.date | None,
    number: str | int | None = None,
    per_page: int = LEDGER_PAGE_SIZE,
) -> LedgerPage:
    """A page of the account's lines in the period (the last page when `number` is None), with
    the balance brought forward and a running balance per line. Four queries whatever the
    page: the count, the page's lines, the balance before the period and before the page (the
    two sums read the (account, date) index up to where they stop)."""
    sign = 1 if account.type in DEBIT_NORMAL else -1
    lines = JournalLine.objects.filter(account=account)
    if start:
        lines = lines.filter(date__gte=start)
    if end:
        lines = lines.filter(date__lte=end)
    ordered = lines.order_by("date", "id").values(
        "id", "date", "debit", "credit", "entry_id", "entry__memo", "entry__kind"
    )
    paginator = Paginator(ordered, per_page)
    page = paginator.get_page(paginator.num_pages if number is None else number)
    rows: list[dict[str, Any]] = [dict(row) for row in page.object_list]
    history = JournalLine.objects.filter(account=account)
    opening = _signed_total(history.filter(date__lt=start), sign) if start else ZERO
    if rows and page.number > 1:
        first = rows[0]
        brought = _signed_total(
            history.filter(Q(date__lt=first["date"]) | Q(date=first["date"], id__lt=first["id"])),
            sign,
        )
    else:
        brought = opening
    running = brought
    for row in rows:
        running += sign * (row["debit"] - row["credit"])
        row["balance"] = running
    return LedgerPage(opening, brought, rows, page)


def cash_book(
    *,
    book: Book,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    key: str = "cash",
) -> tuple[Decimal, list[dict[str, Any]]]:
    """现金日记账 (key="cash") or the bank book (key="bank")."""
    return account_ledger(account=book.accounts.get(key=key), start=start, end=end)


def balances_by_key(*, book: Book, through: datetime.date | None = None) -> dict[str, Decimal]:
    """Each account's balance, on its normal side, from the totals kept at the last closed
    month and the lines since (funds.journal.account_totals)."""
    totals = account_totals(book, through=through)
    result = {}
    for account_id, key, type_ in Account.objects.filter(pk__in=totals).values_list(
        "pk", "key", "type"
    ):
        debit, credit = totals[account_id]
        balance = debit - credit
        result[key] = balance if type_ in DEBIT_NORMAL else -balance
    return result


def expense_reversed_by(end: datetime.date | None = None) -> Exists:
    """An expense whose cost entry was reversed (by `end`, when given): it is no longer owed
    nor spent (funds.services.expense_reverse; the state is read off the journal)."""
    reversals = JournalEntry.objects.filter(reverses_id=OuterRef("entry_id"))
    if end is not None:
        reversals = reversals.filter(date__lte=end)
    return Exists(reversals)


def unreimbursed_advances(*, user: User) -> "QuerySet[Expense, Mapping[str, Any]]":
    """Money that cadres paid out of pocket and the fund has not yet paid back, by person and
    village: the report's complaint made visible to the county."""
    return (
        Expense.objects.visible_to(user)
        .filter(status=ApprovalStatus.APPROVED, reimbursed_on__isnull=True)
        .exclude(advanced_by="")
        .exclude(expense_reversed_by())
        .values("advanced_by", "book__area__code", "book__area__name")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("book__area__code", "advanced_by")
    )


@dataclass(frozen=True)
class ProjectionYear:
    year: int
    interest: Decimal
    subsidy: Decimal


def _loan_costs(loan: Mapping[str, Any], year: int) -> tuple[Decimal, Decimal]:
    """Unrounded interest and subsidy of one interest-only loan in one calendar year, prorated
    by the days it runs in that year."""
    first, after = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    start = loan["received_on"]
    end = _add_months(start, loan["term_months"])
    days = (min(end, after) - max(start, first)).days
    if days <= 0:
        return Decimal(0), Decimal(0)
    share = loan["amount"] * days / Decimal(365)
    return share * loan["annual_rate"], share * (loan["subsidy_rate"] or 0)


def _bank_loans(books: QuerySet[Book]) -> "QuerySet[CapitalContribution, Mapping[str, Any]]":
    return CapitalContribution.objects.filter(
        book__in=books, source=CapitalSource.BANK_LOAN
    ).values(
        "book_id",
        "book__name",
        "book__area__code",
        "amount",
        "received_on",
        "annual_rate",
        "term_months",
        "subsidy_rate",
    )


def _years(loans: list[Mapping[str, Any]], from_year: int, years: int) -> list[ProjectionYear]:
    result = []
    for year in range(from_year, from_year + years):
        costs = [_loan_costs(loan, year) for loan in loans]
        result.append(
            ProjectionYear(
                year,
                to_fen(sum((i for i, _s in costs), Decimal(0))),
                to_fen(sum((s for _i, s in costs), Decimal(0))),
            )
        )
    return result


def bank_borrowing_projection(
    *, books: QuerySet[Book], from_year: int, years: int = 5
) -> list[ProjectionYear]:
    """Yearly interest on the bank loans of the books and the part the subsidy pays, for the
    next `years` years. Loans are interest-only until maturity; a year's cost is prorated by
    the days the loan runs in it. Summed over every book given (an association or a subtree)."""
    return _years(list(_bank_loans(books)), from_year, years)


@dataclass(frozen=True)
class ProjectionRow:
    code: str
    name: str
    level: str  # "total", "city", "county", "township" or "book"
    years: list[ProjectionYear]


def bank_borrowing_tree(
    *, books: QuerySet[Book], from_year: int, years: int = 5
) -> list[ProjectionRow]:
    """The projection per book with borrowings, summed up the tree: township, county, city and
    the total, in code order (each sum above its parts). Two queries: the loans and the names
    of the areas above them."""
    from associations.models import Area

    loans = list(_bank_loans(books))
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for loan in loans:
        code = loan["book__area__code"]
        for level, area_code in _areas_above(code):
            groups.setdefault((level, area_code), []).append(loan)
        groups.setdefault(("book", f"{code}#{loan['book_id']}"), []).append(loan)
    codes = {code for level, code in groups if level != "book"}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    rows = [ProjectionRow("", "", "total", _years(loans, from_year, years))]
    # Code order puts each area before its parts ("#" sorts before digits: a pool comes first).
    for (level, code), members in sorted(groups.items(), key=lambda item: item[0][1]):
        name = members[0]["book__name"] if level == "book" else names.get(code, code)
        rows.append(ProjectionRow(code, name, level, _years(members, from_year, years)))
    return rows


def _areas_above(code: str) -> list[tuple[str, str]]:
    """City, county and township a book's area belongs to (itself included for a pool)."""
    city = code[:4] + "00"
    if len(code) == 12:
        return [("city", city), ("county", code[:6]), ("township", code[:9])]
    return [("city", city)] if code == city else [("city", city), ("county", code)]


def _add_months(date: datetime.date, months: int) -> datetime.date:
    import calendar

    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    return date.replace(
        year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1])
    )


def capital_by_source(*, books: QuerySet[Book]) -> list[Mapping[str, Any]]:
    return list(
        CapitalContribution.objects.filter(book__in=books)
        .values("source")
        .annotate(
            total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY_OUTPUT), count=Count("id")
        )
        .order_by("source")
    )


def ledger_is_consistent(*, book: Book) -> bool:
    """Trial balance of the book is zero (used by tests and the admin check)."""
    totals = JournalLine.objects.filter(book=book).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (totals["d"] or ZERO) == (totals["c"] or ZERO)


def book_balances(*, books: Iterable[Book]) -> dict[int, dict[str, Decimal]]:
    """Cash, bank and loans receivable of many books in two grouped queries (no N+1), whatever
    their history: each book's totals stored at its last closed month (AccountBalance) plus
    its lines after that month."""
    books = list(books)
    keys = ["cash", "bank", "loans_receivable"]
    stored = AccountBalance.objects.filter(
        book__in=books, account__key__in=keys, month_end=F("book__closed_through")
    )
    after = Coalesce(F("book__closed_through"), Value(datetime.date.min))
    lines = JournalLine.objects.filter(book__in=books, account__key__in=keys, date__gt=after)
    result: dict[int, dict[str, Decimal]] = {}
    for part in (stored, lines):
        rows = (
            part.values("book_id", "account__key")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .order_by()
        )
        for row in rows:
            by_key = result.setdefault(row["book_id"], {})
            by_key[row["account__key"]] = (
                by_key.get(row["account__key"], ZERO) + (row["d"] or ZERO) - (row["c"] or ZERO)
            )
    return result


def months_to_close(
    *, user: User, roles: Iterable[str], today: datetime.date
) -> list[tuple[Book, int]]:
    """The association books in the user's area with months ended but not yet closed, the most
    behind first; each with its months open (0 when up to date). One query."""
    from django.db.models import Min

    last_ended = today.replace(day=1) - datetime.timedelta(days=1)
    books = list(
        books_visible(user=user, roles=roles)
        .filter(association__isnull=False)
        .annotate(first_entry=Min("entries__date"))
        .order_by("area__code")
    )
    result: list[tuple[Book, int]] = []
    for book in books:
        start = (
            book.closed_through + datetime.timedelta(days=1)
            if book.closed_through
            else book.first_entry
        )
        months = (
            0
            if start is None or start > last_ended
            else (last_ended.year - start.year) * 12 + last_ended.month - start.month + 1
        )
        result.append((book, months))
    result.sort(key=lambda pair: (-pair[1], pair[0].area_id))
    return result
