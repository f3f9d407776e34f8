import datetime
from decimal import Decimal

import pytest

from associations.models import Role
from funds.journal import book_for_association
from funds.services import capital_receive
from loans.models import LoanPurpose
from loans.services import applications, money
from tests import factories

D = datetime.date


@pytest.fixture
def office(world):
    return world.inside.users[Role.COUNTY_OFFICE]


@pytest.fixture
def purposes(world):
    return {p.code: p for p in LoanPurpose.objects.all()}


@pytest.fixture
def users(world):
    return world.inside.users


@pytest.fixture
def book(world):
    book = book_for_association(world.inside.association)
    capital_receive(
        book=book,
        source="government",
        contributor="县财政局",
        into="cash",
        amount=Decimal("50000"),
        received_on=D(2026, 1, 2),
        by=factories.clerk_of(book.association),
    )
    return book


@pytest.fixture
def group(world):
    return factories.scoped_group(world)


@pytest.fixture
def borrower(group):
    return group.memberships.filter(role="household").first().member


def apply_for(world, borrower, group, users, purposes, amount="10000", **extra):
    fields = {
        "association": world.inside.association,
        "member": borrower,
        "amount": Decimal(amount),
        "term_months": 12,
        "purpose": purposes["livestock"],
        "schedule_kind": "lump_sum",
        "guarantee_kind": "group",
        "group": group,
        "by": users[Role.VILLAGE_CLERK],
    }
    fields.update(extra)
    return applications.loan_apply(**fields)


def to_ready(loan, users):
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    applications.loan_approve(loan=loan, by=users[Role.TOWNSHIP_COMMITTEE], on=D(2026, 1, 10))
    applications.notices_expire(today=D(2026, 1, 13))
    loan.refresh_from_db()
    return loan


@pytest.fixture
def lent(world, book, borrower, group, users, purposes):
    loan = to_ready(apply_for(world, borrower, group, users, purposes), users)
    return money.loan_disburse(loan=loan, by=users[Role.TOWNSHIP_STATION], on=D(2026, 1, 15))
