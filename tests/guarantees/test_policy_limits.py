"""Groups are formed and changed under the group limits of the loan policy in force for the
village (issue 13): a group that the loans would refuse as a guarantee is never formed."""

import datetime

import pytest

from guarantees.exceptions import GuaranteeRuleError
from guarantees.models import GroupMembership, GuaranteeGroup
from guarantees.rules import DEFAULT_GROUP_RULES, GroupRules, group_rules_for
from guarantees.services import group_form, group_member_add, group_member_remove
from loans.selectors.policy import effective_policy
from loans.services.policy import policy_save

pytestmark = pytest.mark.django_db
ON = datetime.date(2025, 3, 1)


def _county_policy(world, **values):
    return policy_save(
        target=world.inside.county, by=world.inside.users["county_office"], values=values
    )


def _form(world, leaders, households, name="第一联保小组"):
    return group_form(
        association=world.inside.association,
        name=name,
        formed_on=ON,
        leaders=leaders,
        households=households,
        by=world.inside.users["village_clerk"],
    )


def test_without_a_policy_the_defaults_hold(world):
    assert group_rules_for(world.inside.association) == DEFAULT_GROUP_RULES


def test_the_group_limits_are_the_loan_policys(world):
    _county_policy(world, min_households=4, max_households=4)
    policy = effective_policy(world.inside.association)
    assert group_rules_for(world.inside.association) == GroupRules(
        policy.min_leaders, policy.max_leaders, 4, 4
    )
    # The other county keeps the defaults.
    assert group_rules_for(world.outside.association) == DEFAULT_GROUP_RULES


def test_a_group_too_large_for_the_policy_is_refused_and_nothing_written(world, people):
    leaders, households = people
    _county_policy(world, max_households=4)
    with pytest.raises(GuaranteeRuleError) as error:
        _form(world, leaders[:1], households[:5])  # 5 is fine by default, not under this policy
    assert error.value.code == "household_count"
    assert "3 至 4" in str(error.value)
    assert not GuaranteeGroup.objects.exists()
    assert not GroupMembership.objects.exists()
    group = _form(world, leaders[:1], households[:4])
    assert group.memberships.count() == 5


def test_a_group_too_small_for_the_policy_is_refused(world, people):
    leaders, households = people
    _county_policy(world, min_households=4)
    with pytest.raises(GuaranteeRuleError) as error:
        _form(world, leaders[:1], households[:3])  # 3 is fine by default
    assert error.value.code == "household_count"
    assert not GuaranteeGroup.objects.exists()


def test_changes_keep_to_the_policy_limits(world, people):
    leaders, households = people
    group = _form(world, leaders[:1], households[:4])
    _county_policy(world, min_households=4, max_households=4)
    clerk = world.inside.users["village_clerk"]
    with pytest.raises(GuaranteeRuleError) as added:
        group_member_add(
            group=group, member=households[4], role="household", by=clerk, on=ON, reason="新户"
        )
    assert added.value.code == "household_count"
    with pytest.raises(GuaranteeRuleError) as removed:
        group_member_remove(group=group, member=households[0], by=clerk, on=ON, reason="外出")
    assert removed.value.code == "household_count"
    assert group.memberships.filter(left_on__isnull=True).count() == 5
