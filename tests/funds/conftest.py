import datetime
from decimal import Decimal

import pytest

from associations.models import Role
from funds.journal import book_for_association, pool_book_open
from funds.models import CapitalSource
from funds.services import capital_receive

TODAY = datetime.date(2026, 6, 15)
# Every funds module stands on this day: `pytestmark = ON_FUNDS_DAY` (tests/conftest.py `_today`).
ON_FUNDS_DAY = pytest.mark.today(datetime.datetime(2026, 6, 15, 10, 0))


@pytest.fixture
def book(world):
    return book_for_association(world.inside.association)


@pytest.fixture
def clerk(world):
    return world.inside.users[Role.VILLAGE_CLERK]


@pytest.fixture
def board(world):
    return world.inside.users[Role.VILLAGE_BOARD]


@pytest.fixture
def station(world):
    return world.inside.users[Role.TOWNSHIP_STATION]


@pytest.fixture
def funded_book(book, clerk):
    capital_receive(
        book=book,
        source=CapitalSource.GOVERNMENT,
        contributor="榆中县财政局",
        amount=Decimal("500000"),
        received_on=datetime.date(2026, 1, 10),
        by=clerk,
    )
    capital_receive(
        book=book,
        source=CapitalSource.MEMBER,
        contributor="社员",
        into="cash",
        amount=Decimal("3000"),
        received_on=datetime.date(2026, 1, 12),
        by=clerk,
    )
    return book


@pytest.fixture
def pool(world):
    return pool_book_open(area=world.inside.county)
