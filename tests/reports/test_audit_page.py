"""Issue 9: the audit page shows the trail of the user's subtree only, searchable by person,
object and date, to the auditor and the county and city offices."""

import datetime

import pytest
from django.urls import reverse

from associations.services.members import member_update
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("reports:audit")


@pytest.fixture
def trail(world):
    clerk = world.inside.users["village_clerk"]
    inside = factories.member(world.inside.association, name="王秀英", by=clerk)
    member_update(member=inside, by=clerk, household_size=7, labourers=3)
    outside_clerk = world.outside.users["village_clerk"]
    factories.member(world.outside.association, name="赵外村", by=outside_clerk)
    return inside


def _rows(response):
    return list(response.context["page"].object_list)


@pytest.mark.parametrize("role", ["auditor", "county_office", "city_office"])
def test_audit_roles_see_their_subtree_only(client, world, trail, role):
    client.force_login(world.inside.users[role])
    response = client.get(URL, {"kind": "member"})
    assert response.status_code == 200
    names = {row.name for row in _rows(response)}
    assert names == {"王秀英"}
    body = response.content.decode()
    assert "赵外村" not in body
    assert "审计记录" in body  # Chinese first


@pytest.mark.parametrize("role", ["village_clerk", "village_board", "township_station", "member"])
def test_other_roles_get_nothing(client, world, trail, role):
    client.force_login(world.inside.users[role])
    assert client.get(URL).status_code == 404


def test_old_and_new_values_are_shown(client, world, trail):
    client.force_login(world.inside.users["auditor"])
    response = client.get(URL, {"kind": "member", "name": "王秀英"})
    changed = [row for row in _rows(response) if row.changes and row.kind == "修改"]
    assert len(changed) == 1
    values = {str(label): (old, new) for label, old, new in changed[0].changes}
    assert values["家庭人口"] == ("4", "7")


def test_search_by_person_object_and_date(client, world, trail):
    client.force_login(world.inside.users["county_office"])
    clerk = world.inside.users["village_clerk"]
    by_person = _rows(client.get(URL, {"person": clerk.username}))
    assert by_person and all(row.who == clerk for row in by_person)
    assert not _rows(client.get(URL, {"person": "no-such-person"}))
    assert not _rows(client.get(URL, {"kind": "member", "name": "不存在"}))
    today = datetime.date.today()
    assert _rows(client.get(URL, {"kind": "member", "start": today.isoformat()}))
    tomorrow = (today + datetime.timedelta(days=2)).isoformat()
    assert not _rows(client.get(URL, {"kind": "member", "start": tomorrow}))


def test_pages_merge_every_source_newest_first(client, world, trail, settings):
    settings.PAGE_SIZE = 3
    client.force_login(world.inside.users["city_office"])
    first = client.get(URL)
    page = first.context["page"]
    assert page.paginator.count > 3
    second = _rows(client.get(URL, {"page": 2}))
    rows = _rows(first) + second
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)


def test_menu_links_the_page_for_audit_roles(client, world):
    client.force_login(world.inside.users["auditor"])
    assert URL in client.get(reverse("home")).content.decode()
    client.force_login(world.inside.users["village_clerk"])
    assert URL not in client.get(reverse("home")).content.decode()
