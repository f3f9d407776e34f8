import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from associations.models import Role
from funds.journal import book_for_association
from funds.services import capital_receive
from loans.models import LoanPurpose
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
    """`factories.loan_applied` for the inside branch, as the modules of this folder call it."""
    fields = {"purpose": purposes["livestock"], "by": users[Role.VILLAGE_CLERK], **extra}
    return factories.loan_applied(world.inside, borrower, group=group, amount=amount, **fields)


def to_ready(loan, users):
    """`factories.loan_ready`: approved on 2026-01-10, the notice over on 2026-01-13."""
    return factories.loan_ready(
        loan,
        SimpleNamespace(users=users),  # the branch, as far as the steps need it
        approved_on=D(2026, 1, 10),
        notices_expire_on=D(2026, 1, 13),
    )


@pytest.fixture
def lent(world, book, borrower, group):
    """A 10,000 lump-sum loan of the scoped group's first household, paid out on 2026-01-15."""
    return factories.loan_disbursed(
        world.inside,
        borrower,
        group=group,
        approved_on=D(2026, 1, 10),
        notices_expire_on=D(2026, 1, 13),
        on=D(2026, 1, 15),
    )
