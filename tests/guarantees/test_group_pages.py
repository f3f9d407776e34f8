"""Group pages: the searchable picker, changes, read-only roles and summaries."""

import pytest
from django.urls import reverse

from guarantees.models import GuaranteeGroup
from tests import factories

pytestmark = pytest.mark.django_db
NEW = reverse("guarantees:group_create")


def test_clerk_forms_a_group_with_the_picker(client, world, people):
    leaders, households = people
    client.force_login(world.inside.users["village_clerk"])
    base = {"name": "红旗联保组", "formed_on": "2025-01-10", "idempotency_key": "group-1"}
    # Search by pinyin initials: the short list, not a dropdown of everyone.
    found = client.post(NEW, {**base, "q": "dy", "search": "1"})
    assert [m.name for m in found.context["candidates"]] == ["党员0", "党员1"]
    assert not found.context["form"].errors
    state = client.post(NEW, {**base, "add_leader": leaders[0].pk})
    assert [m.pk for m in state.context["leaders"]] == [leaders[0].pk]
    chosen = {"leader": [leaders[0].pk], "household": [h.pk for h in households[:3]]}
    response = client.post(NEW, {**base, **chosen, "form_group": "1"})
    group = GuaranteeGroup.objects.get()
    assert response.status_code == 302
    assert group.memberships.count() == 4
    # Members in a group are no longer offered.
    again = client.post(NEW, {**base, "q": "nh", "search": "1"})
    assert {m.pk for m in again.context["candidates"]} == {h.pk for h in households[3:]}


def test_a_refused_group_shows_the_rule_and_writes_nothing(client, world, people):
    leaders, households = people
    client.force_login(world.inside.users["village_clerk"])
    data = {"name": "小组", "formed_on": "2025-01-10", "leader": [leaders[0].pk]}
    data["idempotency_key"] = "group-2"
    data.update(household=[households[0].pk, households[1].pk], form_group="1")
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert "除组长外" in response.content.decode()
    assert not GuaranteeGroup.objects.exists()


def test_changes_through_the_page(client, world, people):
    leaders, households = people
    group = factories.scoped_group(world)
    client.force_login(world.inside.users["village_clerk"])
    url = reverse("guarantees:group_change", args=[group.pk])
    base = {"on": "2025-02-01", "reason": "新户加入"}
    assert client.post(url, {**base, "add_household": households[0].pk}).status_code == 302
    assert group.memberships.filter(left_on__isnull=True).count() == 5
    no_reason = client.post(url, {"on": "2025-02-01", "reason": "", "dissolve": "1"})
    assert no_reason.status_code == 200
    assert client.post(url, {**base, "dissolve": "1"}).status_code == 302
    group.refresh_from_db()
    assert group.status == "dissolved"
    assert client.get(url).status_code == 404


def test_group_page_counts_registered_poor_households(client, world):
    group = factories.scoped_group(world)
    client.force_login(world.inside.users["county_office"])
    response = client.get(reverse("guarantees:group_detail", args=[group.pk]))
    # factories.member defaults to registered poor: the leader and three households.
    assert response.context["summary"] == {"members": 4, "leaders": 1, "registered_poor": 4}
    assert reverse("guarantees:group_change", args=[group.pk]) not in response.content.decode()


def test_group_list_is_scoped(client, world):
    factories.scoped_group(world)
    client.force_login(world.outside.users["village_clerk"])
    assert list(client.get(reverse("guarantees:group_list")).context["page"].object_list) == []
    client.force_login(world.inside.users["village_board"])
    names = [g.name for g in client.get(reverse("guarantees:group_list")).context["page"]]
    assert names == ["联保一组"]
    client.force_login(world.inside.users["member"])  # pages of its own only (issue 12)
    assert client.get(reverse("guarantees:group_list")).status_code == 404
