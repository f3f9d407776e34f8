"""Group composition: edges of 1–2 leaders + 3–5 households, one active group per person."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from guarantees.exceptions import GuaranteeRuleError
from guarantees.models import GroupChange, GroupMembership, GuaranteeGroup
from guarantees.services import (
    group_dissolve,
    group_form,
    group_member_add,
    group_member_remove,
    group_member_replace,
)
from tests import factories

pytestmark = pytest.mark.django_db
ON = datetime.date(2025, 3, 1)


def _form(world, leaders, households, name="第一联保小组", **kwargs):
    return group_form(
        association=world.inside.association,
        name=name,
        formed_on=ON,
        leaders=leaders,
        households=households,
        by=world.inside.users["village_clerk"],
        **kwargs,
    )


def _nothing_written():
    return not (
        GuaranteeGroup.objects.exists()
        or GroupMembership.objects.exists()
        or GroupChange.objects.exists()
    )


def test_two_leaders_and_five_households_form_a_group(world, people):
    leaders, households = people
    group = _form(world, leaders[:2], households[:5])
    assert group.memberships.filter(role="leader").count() == 2
    assert group.memberships.filter(role="household").count() == 5
    change = group.changes.get()
    assert (change.kind, change.by) == ("formed", world.inside.users["village_clerk"])


def test_one_leader_and_three_households_is_the_smallest_group(world, people):
    leaders, households = people
    group = _form(world, leaders[:1], households[:3])
    assert group.memberships.count() == 4


@pytest.mark.parametrize(
    ("n_leaders", "n_households", "code"),
    [
        (3, 5, "leader_count"),
        (0, 3, "leader_count"),
        (2, 6, "household_count"),
        (2, 2, "household_count"),
    ],
)
def test_too_many_or_too_few_are_refused(world, people, n_leaders, n_households, code):
    leaders, households = people
    with pytest.raises(GuaranteeRuleError) as error:
        _form(world, leaders[:n_leaders], households[:n_households])
    assert error.value.code == code
    assert _nothing_written()


def test_a_leader_must_be_party_member_or_wealth_leader(world, people):
    _leaders, households = people
    with pytest.raises(GuaranteeRuleError) as error:
        _form(world, [households[0]], households[1:4])
    assert error.value.code == "leader_not_eligible"
    assert "不能担任组长" in str(error.value)
    assert _nothing_written()


def test_a_member_of_another_association_is_refused(world, people):
    leaders, households = people
    stranger = factories.member(world.outside.association)
    with pytest.raises(GuaranteeRuleError) as error:
        _form(world, leaders[:1], [*households[:2], stranger])
    assert error.value.code == "other_association"
    assert _nothing_written()


def test_one_person_in_two_groups_is_refused(world, people):
    leaders, households = people
    _form(world, leaders[:1], households[:3])
    with pytest.raises(GuaranteeRuleError) as error:
        _form(world, leaders[1:2], households[2:5], name="第二组")
    assert error.value.code == "in_another_group"
    assert households[2].name in str(error.value)
    assert GuaranteeGroup.objects.count() == 1
    assert GroupMembership.objects.count() == 4


def test_the_database_refuses_a_second_active_membership(world, people):
    leaders, households = people
    group = _form(world, leaders[:1], households[:3])
    other = GuaranteeGroup.objects.create(
        association=world.inside.association, name="旁路", formed_on=ON
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.create(
            group=other, member=households[0], role="household", joined_on=ON
        )
    assert households[0].group_memberships.get().group == group


def test_changes_recheck_the_rule_and_are_recorded(world, people):
    leaders, households = people
    clerk = world.inside.users["village_clerk"]
    group = _form(world, leaders[:1], households[:3])
    with pytest.raises(GuaranteeRuleError) as error:
        group_member_remove(group=group, member=households[0], by=clerk, on=ON, reason="外出务工")
    assert error.value.code == "household_count"
    group_member_add(
        group=group, member=households[3], role="household", by=clerk, on=ON, reason="新加入"
    )
    group_member_remove(group=group, member=households[0], by=clerk, on=ON, reason="外出务工")
    group_member_replace(
        group=group,
        member=households[1],
        replacement=households[4],
        by=clerk,
        on=ON,
        reason="自愿退出",
    )
    active = set(group.memberships.filter(left_on__isnull=True).values_list("member", flat=True))
    assert active == {leaders[0].pk, households[2].pk, households[3].pk, households[4].pk}
    kinds = list(group.changes.order_by("id").values_list("kind", "reason", "by"))
    assert kinds == [
        ("formed", "", clerk.pk),
        ("added", "新加入", clerk.pk),
        ("removed", "外出务工", clerk.pk),
        ("replaced", "自愿退出", clerk.pk),
    ]
    # A household cannot replace a leader: the replacement takes the leader role.
    with pytest.raises(GuaranteeRuleError) as error:
        group_member_replace(
            group=group, member=leaders[0], replacement=households[5], by=clerk, on=ON, reason="x"
        )
    assert error.value.code == "leader_not_eligible"
    with pytest.raises(GuaranteeRuleError) as error:
        group_member_add(
            group=group, member=households[5], role="household", by=clerk, on=ON, reason=""
        )
    assert error.value.code == "reason"
    assert group.changes.count() == 4


def test_dissolving_frees_the_members_for_another_group(world, people):
    leaders, households = people
    clerk = world.inside.users["village_clerk"]
    group = _form(world, leaders[:1], households[:3])
    group_dissolve(group=group, by=clerk, on=ON, reason="贷款全部还清")
    group.refresh_from_db()
    assert (group.status, group.dissolved_on) == ("dissolved", ON)
    second = _form(world, leaders[:1], households[:3])
    assert second.pk != group.pk
    with pytest.raises(GuaranteeRuleError) as error:
        group_member_add(
            group=group, member=households[4], role="household", by=clerk, on=ON, reason="x"
        )
    assert error.value.code == "dissolved"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_one_person_in_two_groups_is_refused_under_concurrent_requests(world, people):
    leaders, households = people
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def form(name, leader):
        try:
            barrier.wait()
            _form(world, [leader], households[:3], name=name)
            outcomes.append("formed")
        except GuaranteeRuleError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=form, args=(f"并发组{i}", leaders[i])) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["formed", "in_another_group"]
    assert GuaranteeGroup.objects.count() == 1
    assert GroupMembership.objects.filter(member__in=households[:3]).count() == 3
