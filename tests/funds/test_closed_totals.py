"""Balances from the totals kept at each month close (issue 14): the same figures as summing
every line, for every day and account, while the lines of closed months are no longer read."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from funds.journal import Cr, Dr, account_balance, account_totals, journal_post, month_close
from funds.models import AccountBalance, EntryKind, JournalLine
from funds.selectors import balances_by_key
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = [ON_FUNDS_DAY, pytest.mark.django_db]
D = datetime.date


def _summed(book, through):
    rows = (
        JournalLine.objects.filter(book=book, date__lte=through)
        .values("account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    return {r["account_id"]: (r["d"], r["c"]) for r in rows}


def _post(book, day, amount):
    journal_post(
        book=book,
        date=day,
        memo="running cost",
        kind=EntryKind.OTHER,
        lines=[Dr("running_costs", amount), Cr("cash", amount)],
    )


def test_closed_totals_give_the_same_balances_as_the_lines(funded_book, station):
    book = funded_book
    for month, amount in ((2, "120.50"), (3, "80.25"), (4, "33.10"), (5, "7.00")):
        _post(book, D(2026, month, 3), Decimal(amount))
        _post(book, D(2026, month, 27), Decimal(amount) / 2)
    month_close(book=book, month=D(2026, 2, 1), by=station)
    month_close(book=book, month=D(2026, 4, 1), by=station)  # closes March and April too
    assert set(AccountBalance.objects.filter(book=book).values_list("month_end", flat=True)) == {
        D(2026, 2, 28),
        D(2026, 4, 30),
    }
    cash = book.accounts.get(key="cash")
    for through in (None, D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 15), D(2026, 4, 30),
                    D(2026, 5, 3), D(2026, 6, 15)):  # fmt: skip
        expected = _summed(book, through or D(2026, 12, 31))
        assert account_totals(book, through=through) == expected
        debit, credit = expected[cash.pk]
        assert account_balance(cash, through=through) == debit - credit


def test_balances_read_only_the_lines_of_the_open_months(funded_book, station):
    book = funded_book
    _post(book, D(2026, 2, 3), Decimal("10"))
    month_close(book=book, month=D(2026, 4, 1), by=station)
    _post(book, D(2026, 5, 3), Decimal("5"))
    with CaptureQueriesContext(connection) as queries:
        balances = balances_by_key(book=book)
    lines = [q["sql"] for q in queries.captured_queries if "funds_journalline" in q["sql"]]
    assert len(lines) == 1 and "2026-04-30" in lines[0]
    assert balances["cash"] == Decimal("3000") - Decimal("15")
