"""Two submits of a record's reversal at the same moment (two tabs, a double click) on
PostgreSQL with real row locks: the record's row is locked, so the second waits for the first
and is then told it is already reversed; one mirror entry, never two (issue 9)."""

import datetime
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, connections

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import book_for_association, pool_book_open
from funds.models import EntryKind, JournalEntry
from funds.services import (
    capital_receive,
    expense_decide,
    expense_record,
    expense_reverse,
    member_contribution_receive,
    member_contribution_reverse,
    transfer_decide,
    transfer_request,
    transfer_reverse,
)
from tests import factories

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
    pytest.mark.django_db(transaction=True),
]

DAY = datetime.date(2026, 3, 2)
LATER = datetime.date(2026, 3, 9)


@pytest.fixture
def branch():
    province = factories.area("620000", "甘肃省", "province")
    city = factories.area("620100", "兰州市", "city", province)
    county = factories.area("620123", "榆中县", "county", city)
    township = factories.area("620123100", "城关镇", "township", county)
    village = factories.area("620123100201", "三角城村", "village", township)
    association = factories.association(village)
    book = book_for_association(association)
    users = {
        Role.VILLAGE_CLERK: factories.user_with_role(Role.VILLAGE_CLERK, village),
        Role.VILLAGE_BOARD: factories.user_with_role(Role.VILLAGE_BOARD, village),
        Role.COUNTY_OFFICE: factories.user_with_role(Role.COUNTY_OFFICE, county),
        "second_office": factories.user_with_role(Role.COUNTY_OFFICE, county),
    }
    capital_receive(
        book=book,
        source="government",
        contributor="县财政局",
        into="cash",
        amount=Decimal("5000"),
        received_on=DAY,
        by=users[Role.VILLAGE_CLERK],
    )
    return book, association, county, users


def _twice(reverse: Callable[[str], JournalEntry]) -> list[object]:
    """Run the reversal in two threads released together; each result is the entry's id or
    the refusal's code."""
    barrier = threading.Barrier(2)
    results: list[object] = []

    def submit(reason: str) -> None:
        try:
            barrier.wait()
            results.append(reverse(reason).pk)
        except FundsRuleError as error:
            results.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(r,)) for r in ("第一次", "第二次")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _one_reversal(results: list[object], entry_id: int | None) -> None:
    assert sorted(results, key=str).count("reversed") == 1, results
    assert JournalEntry.objects.filter(reverses_id=entry_id).count() == 1


def test_an_expense_reversed_twice_at_once(branch):
    book, _association, _county, users = branch
    clerk = users[Role.VILLAGE_CLERK]
    expense = expense_record(
        book=book, category="office", payee="文具店", amount=Decimal("80"), spent_on=DAY, by=clerk
    )
    expense = expense_decide(expense=expense, by=users[Role.VILLAGE_BOARD], approve=True)
    results = _twice(
        lambda reason: expense_reverse(expense=expense, by=clerk, reason=reason, on=LATER)
    )
    _one_reversal(results, expense.entry_id)


def test_a_transfer_reversed_twice_at_once(branch):
    book, _association, county, users = branch
    office = users[Role.COUNTY_OFFICE]
    pool = pool_book_open(area=county)
    capital_receive(
        book=pool,
        source="government",
        contributor="省财政",
        amount=Decimal("1000"),
        received_on=DAY,
        by=office,
    )
    transfer = transfer_request(
        pool=pool,
        target=book,
        kind="allocate",
        amount=Decimal("600"),
        on=DAY,
        reason="分配",
        by=users["second_office"],
    )
    transfer = transfer_decide(transfer=transfer, by=office, approve=True)
    results = _twice(
        lambda reason: transfer_reverse(transfer=transfer, by=office, reason=reason, on=LATER)
    )
    _one_reversal(results, transfer.pool_entry_id)
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 2  # one per book


def test_a_contribution_reversed_twice_at_once(branch):
    _book, association, _county, users = branch
    clerk = users[Role.VILLAGE_CLERK]
    member = factories.member(association, by=clerk, joined_on=DAY)
    entry = member_contribution_receive(member=member, amount=Decimal("300"), on=DAY, by=clerk)
    results = _twice(
        lambda reason: member_contribution_reverse(entry=entry, by=clerk, reason=reason, on=LATER)
    )
    _one_reversal(results, entry.pk)
