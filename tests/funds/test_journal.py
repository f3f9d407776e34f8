import datetime
from decimal import Decimal

import pytest

from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, Line, account_balance, journal_post, journal_reverse, month_close
from funds.models import Account, EntryKind, JournalEntry, JournalLine
from funds.selectors import trial_balance
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY

D = datetime.date


def _count():
    return JournalEntry.objects.count(), JournalLine.objects.count()


def test_chart_is_opened_once_per_book(book):
    from funds.chart import CHART
    from funds.journal import book_for_association

    assert book.accounts.count() == len(CHART)
    assert book_for_association(book.association) == book
    assert book.accounts.count() == len(CHART)
    assert book.accounts.get(key="cash").code == "1001"


def test_balanced_entry_posts_and_balances(funded_book, clerk):
    journal_post(
        book=funded_book,
        date=D(2026, 2, 1),
        memo="取现",
        kind=EntryKind.OTHER,
        by=clerk,
        lines=[Dr("cash", Decimal("1200")), Cr("bank", Decimal("1200"))],
    )
    cash = Account.objects.get(book=funded_book, key="cash")
    bank = Account.objects.get(book=funded_book, key="bank")
    assert account_balance(cash) == Decimal("4200.00")
    assert account_balance(bank) == Decimal("498800.00")
    rows = trial_balance(book=funded_book)
    # debits: bank 500,000 + cash 3,000 + cash 1,200 = 504,200; credits mirror them.
    assert sum(r.debit for r in rows) == sum(r.credit for r in rows) == Decimal("504200.00")


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([Dr("cash", Decimal("10")), Cr("bank", Decimal("9.99"))], "unbalanced"),
        ([], "zero_entry"),
        (
            [Line("cash", debit=Decimal("5"), credit=Decimal("5")), Cr("bank", Decimal("0"))],
            "line_sides",
        ),
        ([Dr("nonsense", Decimal("1")), Cr("bank", Decimal("1"))], "unknown_account"),
        ([Dr("bank", Decimal("3000.01")), Cr("cash", Decimal("3000.01"))], "negative_cash"),
    ],
)
def test_bad_entries_are_refused_and_write_nothing(funded_book, clerk, lines, code):
    before = _count()
    with pytest.raises(FundsRuleError) as raised:
        journal_post(
            book=funded_book,
            date=D(2026, 2, 1),
            memo="x",
            kind=EntryKind.OTHER,
            by=clerk,
            lines=lines,
        )
    assert raised.value.code == code
    assert _count() == before


def test_a_line_on_another_books_account_is_refused(funded_book, clerk, world):
    from funds.journal import book_for_association

    other = book_for_association(world.outside.association)
    foreign = Account.objects.get(book=other, key="cash")
    with pytest.raises(FundsRuleError) as raised:
        journal_post(
            book=funded_book,
            date=D(2026, 2, 1),
            memo="x",
            kind=EntryKind.OTHER,
            by=clerk,
            lines=[Dr(foreign, Decimal("1")), Cr("bank", Decimal("1"))],
        )
    assert raised.value.code == "foreign_account"


def test_closed_month_refuses_postings_into_it(funded_book, clerk, station):
    month_close(book=funded_book, month=D(2026, 3, 1), by=station)
    before = _count()
    for date in (D(2026, 3, 31), D(2026, 1, 5)):
        with pytest.raises(FundsRuleError) as raised:
            journal_post(
                book=funded_book,
                date=date,
                memo="x",
                kind=EntryKind.OTHER,
                by=clerk,
                lines=[Dr("cash", Decimal("1")), Cr("bank", Decimal("1"))],
            )
        assert raised.value.code == "closed_month"
    assert _count() == before
    journal_post(
        book=funded_book,
        date=D(2026, 4, 1),
        memo="ok",
        kind=EntryKind.OTHER,
        by=clerk,
        lines=[Dr("cash", Decimal("1")), Cr("bank", Decimal("1"))],
    )


def test_month_close_rules(funded_book, station):
    with pytest.raises(FundsRuleError) as raised:
        month_close(book=funded_book, month=D(2026, 6, 1), by=station)
    assert raised.value.code == "month_open"
    month_close(book=funded_book, month=D(2026, 4, 1), by=station)
    with pytest.raises(FundsRuleError) as raised:
        month_close(book=funded_book, month=D(2026, 2, 1), by=station)
    assert raised.value.code == "already_closed"


def test_future_dates_are_refused(funded_book, clerk):
    with pytest.raises(FundsRuleError) as raised:
        journal_post(
            book=funded_book,
            date=D(2026, 6, 16),
            memo="x",
            kind=EntryKind.OTHER,
            by=clerk,
            lines=[Dr("cash", Decimal("1")), Cr("bank", Decimal("1"))],
        )
    assert raised.value.code == "future_date"


def test_reversal_mirrors_the_entry_once(funded_book, clerk, board):
    entry = journal_post(
        book=funded_book,
        date=D(2026, 2, 1),
        memo="错账",
        kind=EntryKind.OTHER,
        by=clerk,
        lines=[Dr("cash", Decimal("250")), Cr("bank", Decimal("250"))],
    )
    reversal = journal_reverse(entry=entry, by=board, reason="录错", date=D(2026, 2, 2))
    assert reversal.reverses == entry and reversal.kind == EntryKind.REVERSAL
    cash = Account.objects.get(book=funded_book, key="cash")
    assert account_balance(cash) == Decimal("3000.00")
    with pytest.raises(FundsRuleError) as raised:
        journal_reverse(entry=entry, by=board, reason="again", date=D(2026, 2, 3))
    assert raised.value.code == "already_reversed"
    with pytest.raises(FundsRuleError):
        journal_reverse(entry=reversal, by=board, reason="undo", date=D(2026, 2, 3))


def test_a_back_dated_payment_cannot_overdraw_an_earlier_day(funded_book, clerk):
    # Cash: 3,000 received on 12 Jan. Another 5,000 arrives on 1 Mar.
    journal_post(
        book=funded_book,
        date=D(2026, 3, 1),
        memo="cash from bank",
        kind=EntryKind.OTHER,
        by=clerk,
        lines=[Dr("cash", Decimal("5000")), Cr("bank", Decimal("5000"))],
    )
    before = _count()
    # 4,000 paid on 1 Feb: the closing balance (4,000) is fine, but 1 Feb would end at -1,000.
    with pytest.raises(FundsRuleError) as raised:
        journal_post(
            book=funded_book,
            date=D(2026, 2, 1),
            memo="paid",
            kind=EntryKind.OTHER,
            by=clerk,
            lines=[Dr("running_costs", Decimal("4000")), Cr("cash", Decimal("4000"))],
        )
    assert raised.value.code == "negative_cash"
    assert "-1,000.00" in str(raised.value)
    assert _count() == before
    # Dated 1 Mar the same payment is fine: 8,000 - 4,000 = 4,000.
    journal_post(
        book=funded_book,
        date=D(2026, 3, 1),
        memo="paid",
        kind=EntryKind.OTHER,
        by=clerk,
        lines=[Dr("running_costs", Decimal("4000")), Cr("cash", Decimal("4000"))],
    )
    assert account_balance(funded_book.accounts.get(key="cash")) == Decimal("4000.00")
