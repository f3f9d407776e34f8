"""Any sequence of operations keeps the books exact; refused operations write nothing."""

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import (
    account_balance,
    book_for_association,
    journal_reverse,
    month_close,
    pool_book_open,
)
from funds.models import Account, Book, JournalEntry, JournalLine
from funds.services import (
    capital_receive,
    expense_decide,
    expense_record,
    expense_reimburse,
    transfer_decide,
    transfer_request,
)
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000"), places=2)
days = st.integers(min_value=0, max_value=150)
operation = st.one_of(
    st.tuples(st.just("capital"), amounts, days, st.sampled_from(["cash", "bank"])),
    st.tuples(st.just("transfer"), amounts, days, st.sampled_from(["allocate", "recall"])),
    st.tuples(st.just("expense"), amounts, days, st.booleans()),
    st.tuples(st.just("reimburse"), st.integers(0, 5), days, st.just(None)),
    st.tuples(st.just("reverse"), st.integers(0, 30), days, st.just(None)),
    st.tuples(st.just("close"), st.integers(0, 4), days, st.just(None)),
)
START = datetime.date(2025, 1, 1)


class LedgerProperties(TestCase):
    def setUp(self):
        province = factories.area("620000", "甘肃省", "province")
        city = factories.area("620100", "兰州市", "city", province)
        county = factories.area("620123", "榆中县", "county", city)
        town = factories.area("620123100", "城关镇", "township", county)
        village = factories.area("620123100201", "三角城村", "village", town)
        self.book = book_for_association(factories.association(village))
        self.pool = pool_book_open(area=county)
        self.clerk = factories.user_with_role(Role.VILLAGE_CLERK, village)
        self.board = factories.user_with_role(Role.VILLAGE_BOARD, village)
        self.county = factories.user_with_role(Role.COUNTY_OFFICE, county)
        self.county2 = factories.user_with_role(Role.COUNTY_OFFICE, county)
        self.station = factories.user_with_role(Role.TOWNSHIP_STATION, town)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(operation, min_size=1, max_size=25))
    # A back-dated payment that leaves the closing balance positive but overdraws a past day.
    @example([("capital", Decimal("100"), 100, "cash"), ("expense", Decimal("50"), 10, False)])
    def test_books_stay_exact(self, operations):
        for op in operations:
            before = (JournalEntry.objects.count(), JournalLine.objects.count())
            try:
                self._apply(*op)
            except FundsRuleError:
                assert (JournalEntry.objects.count(), JournalLine.objects.count()) == before
        for book in Book.objects.all():
            totals = [(line.debit, line.credit) for line in JournalLine.objects.filter(book=book)]
            assert sum(d for d, _c in totals) == sum(c for _d, c in totals)
            for account in Account.objects.filter(book=book):
                lines = JournalLine.objects.filter(account=account)
                expected = sum((x.debit - x.credit for x in lines), Decimal("0"))
                assert account_balance(account) == expected
                if account.key in ("cash", "bank"):
                    net_by_day: dict = {}
                    for line in lines:
                        net_by_day[line.date] = net_by_day.get(line.date, 0) + line.debit
                        net_by_day[line.date] -= line.credit
                    running = Decimal("0")
                    for day in sorted(net_by_day):  # never below zero at any day's end
                        running += net_by_day[day]
                        assert running >= 0, (book, account.key, day, running)

    def _apply(self, kind, value, day, extra):
        on = START + datetime.timedelta(days=day)
        if kind == "capital":
            book = self.pool if extra == "bank" and value > 20000 else self.book
            capital_receive(
                book=book,
                source="government",
                contributor="财政",
                amount=value,
                received_on=on,
                into=extra,
                by=self.county if book.is_pool else self.clerk,
            )
        elif kind == "transfer":
            transfer = transfer_request(
                pool=self.pool,
                target=self.book,
                kind=extra,
                amount=value,
                on=on,
                reason="r",
                by=self.county,
            )
            transfer_decide(transfer=transfer, by=self.county2, approve=True)
        elif kind == "expense":
            expense = expense_record(
                book=self.book,
                category="office",
                payee="p",
                amount=value,
                spent_on=on,
                by=self.clerk,
                advanced_by="王" if extra else "",
            )
            expense_decide(expense=expense, by=self.board, approve=True)
        elif kind == "reimburse":
            advances = list(
                self.book.expenses.filter(status="approved", reimbursed_on=None).exclude(
                    advanced_by=""
                )
            )
            if advances:
                expense_reimburse(expense=advances[value % len(advances)], on=on, by=self.clerk)
        elif kind == "reverse":
            entries = list(JournalEntry.objects.order_by("id"))
            if entries:
                journal_reverse(
                    entry=entries[value % len(entries)], by=self.board, reason="错", date=on
                )
        elif kind == "close":
            month_close(book=self.book, month=START.replace(month=1 + value), by=self.station)
