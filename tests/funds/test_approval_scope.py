"""Approvals are scoped: the right role somewhere else is not enough, and nothing is written."""

import datetime
from decimal import Decimal

import pytest

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, book_for_association, journal_post, pool_book_open
from funds.models import ApprovalStatus, EntryKind, JournalEntry, SurplusAllocation, Transfer
from funds.services import (
    capital_receive,
    expense_decide,
    expense_record,
    surplus_decide,
    surplus_propose,
    transfer_decide,
    transfer_request,
)
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY

D = datetime.date


@pytest.fixture
def funded_pool(world, pool):
    capital_receive(
        book=pool,
        source="government",
        contributor="省财政",
        amount=Decimal("100000"),
        received_on=D(2026, 1, 2),
        by=world.inside.users[Role.COUNTY_OFFICE],
    )
    return pool


def _request(world, pool, by):
    return transfer_request(
        pool=pool,
        target=book_for_association(world.inside.association),
        kind="allocate",
        amount=Decimal("1000"),
        on=D(2026, 2, 1),
        reason="按需",
        by=by,
    )


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.TOWNSHIP_STATION, Role.VILLAGE_CLERK])
def test_only_the_pools_office_asks_for_a_transfer(world, funded_pool, role):
    with pytest.raises(FundsRuleError) as raised:
        _request(world, funded_pool, world.inside.users[role])
    assert raised.value.code == "office"
    assert not Transfer.objects.exists()


def test_an_office_elsewhere_cannot_decide_a_transfer(world, funded_pool):
    transfer = _request(world, funded_pool, world.inside.users[Role.COUNTY_OFFICE])
    entries = JournalEntry.objects.count()
    for role in (Role.COUNTY_OFFICE, Role.CITY_OFFICE):
        with pytest.raises(FundsRuleError) as raised:
            transfer_decide(transfer=transfer, by=world.outside.users[role], approve=True)
        assert raised.value.code == "office"
    assert JournalEntry.objects.count() == entries
    assert Transfer.objects.get().status == ApprovalStatus.REQUESTED
    # The city office above the county approves its county office's request.
    transfer_decide(transfer=transfer, by=world.inside.users[Role.CITY_OFFICE], approve=True)
    assert JournalEntry.objects.count() == entries + 2


def test_a_city_pool_is_decided_by_the_city_office_only(world):
    city_pool = pool_book_open(area=world.inside.city)
    county = world.inside.users[Role.COUNTY_OFFICE]
    with pytest.raises(FundsRuleError) as raised:
        _request(world, city_pool, county)
    assert raised.value.code == "office"


def test_a_board_of_another_village_cannot_approve_an_expense(world, funded_book, clerk):
    expense = expense_record(
        book=funded_book,
        category="training",
        payee="培训",
        amount=Decimal("1500"),
        spent_on=D(2026, 2, 1),
        by=clerk,
    )
    with pytest.raises(FundsRuleError) as raised:
        expense_decide(expense=expense, by=world.outside.users[Role.VILLAGE_BOARD], approve=True)
    assert raised.value.code == "approver_level"
    assert not JournalEntry.objects.filter(kind=EntryKind.EXPENSE).exists()


def _surplus_2025(book, clerk):
    journal_post(
        book=book,
        date=D(2025, 12, 20),
        memo="占用费",
        kind=EntryKind.REPAYMENT,
        by=clerk,
        lines=[Dr("cash", Decimal("1000")), Cr("usage_fee_income", Decimal("1000"))],
    )


def test_surplus_is_proposed_and_decided_by_its_own_village(world, book, clerk):
    _surplus_2025(book, clerk)
    outside_clerk = world.outside.users[Role.VILLAGE_CLERK]
    with pytest.raises(FundsRuleError) as raised:
        surplus_propose(book=book, year=2025, by=outside_clerk)
    assert raised.value.code == "proposer"
    assert not SurplusAllocation.objects.exists()
    allocation = surplus_propose(book=book, year=2025, by=clerk)
    entries = JournalEntry.objects.count()
    second_clerk = factories.user_with_role(Role.VILLAGE_CLERK, world.inside.village)
    for who in (world.outside.users[Role.VILLAGE_BOARD], second_clerk):
        with pytest.raises(FundsRuleError) as raised:
            surplus_decide(allocation=allocation, by=who, approve=True, on=D(2026, 1, 15))
        assert raised.value.code == "decider"
    assert JournalEntry.objects.count() == entries
    surplus_decide(
        allocation=allocation,
        by=world.inside.users[Role.VILLAGE_BOARD],
        approve=True,
        on=D(2026, 1, 15),
    )
    assert JournalEntry.objects.count() == entries + 1
