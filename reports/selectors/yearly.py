"""The association's yearly financial statement (年度财务报告): balance sheet at the start and
the end of the year, income and expense of the year, and the year's surplus allocation.

The balances are the books' own (funds.selectors.balances_by_key). Income and expense of the
year leave out the year-end closing entries (kind `surplus`), exactly as the surplus that is
allocated is reckoned (funds.services.year_surplus), so the statement's surplus is the one the
board allocates. Income and expense not yet closed into the funds appear on the balance sheet
as the undistributed surplus, so the sheet balances on any day of the year.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from funds.chart import CHART, AccountType
from funds.models import ApprovalStatus, Book, EntryKind, JournalLine, SurplusAllocation
from funds.selectors import balances_by_key
from funds.services import surplus_shares
from mutualaid.money import ZERO


@dataclass(frozen=True)
class StatementLine:
    key: str
    code: str
    name: str
    opening: Decimal
    closing: Decimal


@dataclass
class BalanceSection:
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def opening(self) -> Decimal:
        return sum((line.opening for line in self.lines), ZERO)

    @property
    def closing(self) -> Decimal:
        return sum((line.closing for line in self.lines), ZERO)


@dataclass
class YearlyStatement:
    book: Book
    year: int
    start: datetime.date
    end: datetime.date
    assets: BalanceSection
    liabilities: BalanceSection
    net_assets: BalanceSection  # the fund accounts and the undistributed surplus
    income: list[tuple[str, str, Decimal]]  # code, name, amount of the year
    expense: list[tuple[str, str, Decimal]]
    allocation: SurplusAllocation | None
    shares: list[tuple[str, Decimal]]

    @property
    def total_income(self) -> Decimal:
        return sum((amount for _c, _n, amount in self.income), ZERO)

    @property
    def total_expense(self) -> Decimal:
        return sum((amount for _c, _n, amount in self.expense), ZERO)

    @property
    def surplus(self) -> Decimal:
        return self.total_income - self.total_expense


UNDISTRIBUTED = "undistributed_surplus"


def yearly_statement(*, book: Book, year: int) -> YearlyStatement:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    opening = balances_by_key(book=book, through=start - datetime.timedelta(days=1))
    closing = balances_by_key(book=book, through=end)
    sections = {
        AccountType.ASSET: BalanceSection(),
        AccountType.LIABILITY: BalanceSection(),
        AccountType.NET_ASSETS: BalanceSection(),
    }
    for account in CHART:
        if account.type in sections:
            line = StatementLine(
                account.key,
                account.code,
                str(account.name),
                opening.get(account.key, ZERO),
                closing.get(account.key, ZERO),
            )
            if line.opening or line.closing:
                sections[AccountType(account.type)].lines.append(line)
    sections[AccountType.NET_ASSETS].lines.append(
        StatementLine(
            UNDISTRIBUTED, "", _("undistributed surplus"), _unclosed(opening), _unclosed(closing)
        )
    )
    income, expense = _income_and_expense(book, start, end)
    allocation = (
        SurplusAllocation.objects.filter(book=book, year=year)
        .exclude(status=ApprovalStatus.REJECTED)
        .select_related("proposed_by", "decided_by")
        .first()
    )
    return YearlyStatement(
        book=book,
        year=year,
        start=start,
        end=end,
        assets=sections[AccountType.ASSET],
        liabilities=sections[AccountType.LIABILITY],
        net_assets=sections[AccountType.NET_ASSETS],
        income=income,
        expense=expense,
        allocation=allocation,
        shares=surplus_shares(allocation) if allocation else [],
    )


def _unclosed(balances: dict[str, Decimal]) -> Decimal:
    """Income less expense still on the income and expense accounts (not yet allocated)."""
    total = ZERO
    for account in CHART:
        if account.type == AccountType.INCOME:
            total += balances.get(account.key, ZERO)
        elif account.type == AccountType.EXPENSE:
            total -= balances.get(account.key, ZERO)
    return total


def _income_and_expense(
    book: Book, start: datetime.date, end: datetime.date
) -> tuple[list[tuple[str, str, Decimal]], list[tuple[str, str, Decimal]]]:
    """Each income and expense account's amount of the year, one grouped query."""
    rows = (
        JournalLine.objects.filter(
            book=book,
            date__gte=start,
            date__lte=end,
            account__type__in=[AccountType.INCOME, AccountType.EXPENSE],
        )
        .exclude(entry__kind=EntryKind.SURPLUS)
        .values("account__key")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    )
    amounts = {row["account__key"]: (row["d"] or ZERO, row["c"] or ZERO) for row in rows}
    income, expense = [], []
    for account in CHART:
        debit, credit = amounts.get(account.key, (ZERO, ZERO))
        if account.type == AccountType.INCOME:
            income.append((account.code, str(account.name), credit - debit))
        elif account.type == AccountType.EXPENSE:
            expense.append((account.code, str(account.name), debit - credit))
    return income, expense


def statement_years(book: Book, today: datetime.date) -> list[int]:
    """The years the book has entries in, up to this one, latest first."""
    first = book.entries.order_by("date").values_list("date", flat=True).first()
    if first is None:
        return [today.year - 1]
    return list(range(today.year, first.year - 1, -1))
