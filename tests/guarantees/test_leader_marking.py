"""Marking a household as a party member or wealth leader while forming a group goes through
the roster's service: the same authority and history, and the household can then lead."""

import pytest

from associations.exceptions import AssociationRuleError
from associations.models import MemberEvent
from guarantees.exceptions import GuaranteeRuleError
from guarantees.selectors import leader_candidates
from guarantees.services import leader_flag_set
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_clerk_marks_a_wealth_leader_who_can_then_lead(world):
    association = world.inside.association
    member = factories.member(association, name="王富")
    assert leader_candidates(association=association) == []
    events = MemberEvent.objects.filter(member=member).count()
    marked = leader_flag_set(member=member, flag="wealth", by=world.inside.users["village_clerk"])
    member.refresh_from_db()
    assert member.is_wealth_leader and not member.is_party_member
    assert marked.can_lead_group
    assert [m.pk for m in leader_candidates(association=association)] == [member.pk]
    # Recorded in the household's history like any roster edit.
    assert MemberEvent.objects.filter(member=member).count() == events + 1


def test_party_member_flag(world):
    member = factories.member(world.inside.association)
    leader_flag_set(member=member, flag="party", by=world.inside.users["village_clerk"])
    member.refresh_from_db()
    assert member.is_party_member


@pytest.mark.parametrize("role", ["village_board", "township_committee", "county_office"])
def test_only_the_villages_clerk_marks(world, role):
    member = factories.member(world.inside.association)
    with pytest.raises(AssociationRuleError):
        leader_flag_set(member=member, flag="party", by=world.inside.users[role])
    member.refresh_from_db()
    assert not member.is_party_member


def test_a_clerk_of_another_village_cannot_mark(world):
    member = factories.member(world.inside.association)
    with pytest.raises(AssociationRuleError):
        leader_flag_set(member=member, flag="party", by=world.outside.users["village_clerk"])
    member.refresh_from_db()
    assert not member.is_party_member


def test_an_unknown_flag_is_refused(world):
    member = factories.member(world.inside.association)
    with pytest.raises(GuaranteeRuleError) as error:
        leader_flag_set(member=member, flag="is_staff", by=world.inside.users["village_clerk"])
    assert error.value.code == "leader_flag"
    member.refresh_from_db()
    assert not member.can_lead_group
