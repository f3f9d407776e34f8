"""The group page up front (issue 13): the limits in force, who can lead, who cannot join and
why, what the chosen members still lack, and marking a leader without leaving the page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from associations.services.members import member_exit
from guarantees.services import group_form
from loans.services.policy import policy_save
from tests import factories

pytestmark = pytest.mark.django_db
NEW = reverse("guarantees:group_create")


@pytest.fixture
def village(world):
    """Five free households (none can lead), one already in a group, one exited."""
    association = world.inside.association
    clerk = world.inside.users["village_clerk"]
    free = [factories.member(association, name=f"农户{i}") for i in range(5)]
    leader = factories.member(association, name="老党员", is_party_member=True)
    others = [factories.member(association, name=f"组员{i}") for i in range(3)]
    group_form(
        association=association,
        name="红旗组",
        formed_on=datetime.date(2025, 1, 1),
        leaders=[leader],
        households=others,
        by=clerk,
    )
    gone = factories.member(association, name="迁出户")
    member_exit(member=gone, by=clerk, on=timezone.localdate(), reason="迁出本村", refund=False)
    return free


def test_the_page_shows_up_front_who_can_lead_and_who_cannot_join(client, world, village):
    policy_save(
        target=world.inside.county,
        by=world.inside.users["county_office"],
        values={"max_households": 4},
    )
    client.force_login(world.inside.users["village_clerk"])
    response = client.get(NEW)
    body = response.content.decode()
    assert response.context["rules"].max_households == 4
    assert "3–4" in body  # the policy's limit, not the default 3–5
    assert response.context["leader_candidates"] == []
    assert "没有空闲的党员或致富带头人" in body
    reasons = {u.member.name: u.reason for u in response.context["unavailable"]}
    assert reasons["组员0"] == "已在联保小组“红旗组”中"
    assert reasons["迁出户"] == "已退出协会"
    assert "老党员" in reasons
    # Exactly those: the free households are offered, not listed as unable to join.
    assert set(reasons) == {"老党员", "组员0", "组员1", "组员2", "迁出户"}
    # Nobody chosen: what is missing is said before anything is added.
    assert response.context["gaps"][0].startswith("还需 1 名组长")


def test_marking_a_leader_keeps_the_form_and_the_picks(client, world, village):
    client.force_login(world.inside.users["village_clerk"])
    chosen, candidate = village[0], village[1]
    data = {
        "name": "新联保组",
        "formed_on": "2025-03-01",
        "idempotency_key": "group-mark",
        "household": [chosen.pk],
        "mark_wealth": candidate.pk,
    }
    response = client.post(NEW, data)
    assert response.status_code == 200
    candidate.refresh_from_db()
    assert candidate.is_wealth_leader
    assert [m.pk for m in response.context["households"]] == [chosen.pk]
    assert response.context["form"]["name"].value() == "新联保组"
    assert [m.pk for m in response.context["leader_candidates"]] == [candidate.pk]
    body = response.content.decode()
    assert "农户1 现在可以担任组长" in body
    # Then the group forms with the newly marked leader.
    formed = client.post(
        NEW,
        {
            **{k: v for k, v in data.items() if k != "mark_wealth"},
            "leader": [candidate.pk],
            "household": [m.pk for m in village[2:5]] + [chosen.pk],
            "form_group": "1",
        },
    )
    assert formed.status_code == 302


def test_the_gaps_follow_the_picks(client, world, village):
    client.force_login(world.inside.users["village_clerk"])
    base = {"name": "组", "formed_on": "2025-03-01", "idempotency_key": "group-gaps"}
    response = client.post(NEW, {**base, "household": [m.pk for m in village[:2]], "search": "1"})
    assert response.context["gaps"] == [
        "还需 1 名组长：每组 1 至 2 名。",
        "还需 1 户成员：除组长外每组 3 至 5 户。",
    ]
    assert "还需 1 户成员" in response.content.decode()
    enough = client.post(NEW, {**base, "household": [m.pk for m in village[:5]], "search": "1"})
    assert enough.context["gaps"] == ["还需 1 名组长：每组 1 至 2 名。"]


def test_a_clerk_of_another_village_cannot_mark_through_the_page(client, world, village):
    client.force_login(world.outside.users["village_clerk"])
    response = client.post(NEW, {"mark_party": village[0].pk})
    village[0].refresh_from_db()
    assert not village[0].is_party_member
    assert response.status_code in (200, 404)


def test_the_change_page_marks_too(client, world, village):
    group = factories.scoped_group(world)
    client.force_login(world.inside.users["village_clerk"])
    url = reverse("guarantees:group_change", args=[group.pk])
    response = client.post(url, {"on": "2025-03-01", "reason": "", "mark_party": village[0].pk})
    assert response.status_code == 200
    village[0].refresh_from_db()
    assert village[0].is_party_member
    assert group.changes.count() == 1  # only its forming: marking changed no membership
    # The group's own members are listed as members, not as unable to join; others are.
    unavailable = {u.member.pk for u in response.context["unavailable"]}
    own = set(group.memberships.values_list("member_id", flat=True))
    assert not unavailable & own
    assert "组员0" in {u.member.name for u in response.context["unavailable"]}
