import pytest

from associations.models import Role
from loans.models import LoanPurpose


@pytest.fixture
def office(world):
    return world.inside.users[Role.COUNTY_OFFICE]


@pytest.fixture
def purposes(db):
    return {p.code: p for p in LoanPurpose.objects.all()}
