"""The book row lock of a post (PostgreSQL, real locks): money coming in (a repayment) only
shares it, so two clerks of one village post side by side; money going out of cash or bank
takes it alone, so no two posts can spend the same balance."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections, transaction

from funds.journal import Cr, Dr, book_for_association, journal_post
from funds.models import EntryKind, JournalEntry
from tests import factories

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
    pytest.mark.django_db(transaction=True),
]

DAY = datetime.date(2026, 3, 2)


def _post(book, kind, lines):
    return journal_post(book=book, date=DAY, memo="test", kind=kind, lines=lines)


def test_money_in_shares_the_book_and_money_out_waits_for_it() -> None:
    province = factories.area("620000", "甘肃省", "province")
    city = factories.area("620100", "兰州市", "city", province)
    county = factories.area("620123", "榆中县", "county", city)
    township = factories.area("620123100", "城关镇", "township", county)
    village = factories.area("620123100201", "三角城村", "village", township)
    book = book_for_association(factories.association(village))
    _post(book, EntryKind.CAPITAL, [Dr("cash", Decimal("100")), Cr("government_capital", 100)])
    seen: dict[str, object] = {}

    def second_clerk() -> None:
        try:
            for name, kind, lines in (
                ("money in", EntryKind.REPAYMENT, [Dr("cash", 5), Cr("usage_fee_income", 5)]),
                ("money out", EntryKind.EXPENSE, [Dr("running_costs", 5), Cr("cash", 5)]),
            ):
                try:
                    with transaction.atomic():
                        with connection.cursor() as cursor:
                            cursor.execute("SET LOCAL lock_timeout = '1s'")
                        seen[name] = _post(book, kind, lines).pk
                except OperationalError as error:
                    seen[name] = type(error.__cause__).__name__
        finally:
            connections.close_all()

    with transaction.atomic():
        _post(book, EntryKind.REPAYMENT, [Dr("cash", 10), Cr("usage_fee_income", 10)])
        thread = threading.Thread(target=second_clerk)
        thread.start()
        thread.join()
    assert isinstance(seen["money in"], int)  # posted while the first repayment was open
    assert seen["money out"] == "LockNotAvailable"  # waited, and gave up after a second
    assert JournalEntry.objects.filter(kind=EntryKind.REPAYMENT).count() == 2
