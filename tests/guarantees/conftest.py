import pytest

from tests import factories


@pytest.fixture
def people(world):
    """Three eligible leaders and seven households of the inside association."""
    association = world.inside.association
    leaders = [
        factories.member(association, name=f"党员{i}", is_party_member=True) for i in range(2)
    ] + [factories.member(association, name="致富带头人", is_wealth_leader=True)]
    households = [factories.member(association, name=f"农户{i}") for i in range(7)]
    return leaders, households
