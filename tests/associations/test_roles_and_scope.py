import pytest

from associations.exceptions import AssociationRuleError
from associations.models import Area, Association, Role
from associations.scoping import visible_prefixes
from associations.services.associations import role_assign
from tests import factories


def test_each_role_sees_exactly_its_subtree(world):
    inside = world.inside
    expected = {
        Role.VILLAGE_CLERK: {inside.village.code},
        Role.TOWNSHIP_COMMITTEE: {inside.township.code, inside.village.code},
        Role.COUNTY_OFFICE: {inside.county.code, inside.township.code, inside.village.code},
        Role.CITY_OFFICE: {
            inside.city.code,
            inside.county.code,
            inside.township.code,
            inside.village.code,
        },
    }
    for role, codes in expected.items():
        user = inside.users[role]
        assert set(Area.objects.visible_to(user).values_list("code", flat=True)) == codes
        assert list(Association.objects.visible_to(user)) == [inside.association]


def test_a_user_sees_the_union_of_their_areas(world):
    user = world.inside.users[Role.AUDITOR]
    role_assign(user=user, role=Role.AUDITOR, area=world.outside.village)
    visible = set(Association.objects.visible_to(user))
    assert visible == {world.inside.association, world.outside.association}


def test_prefixes_are_minimal_and_can_be_narrowed_by_role(world):
    user = world.inside.users[Role.COUNTY_OFFICE]
    role_assign(user=user, role=Role.AUDITOR, area=world.inside.village)
    role_assign(user=user, role=Role.AUDITOR, area=world.outside.county)
    assert visible_prefixes(user) == ["620123", "620502"]
    assert visible_prefixes(user, roles=[Role.AUDITOR]) == ["620123100201", "620502"]


def test_inactive_and_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    user = world.inside.users[Role.CITY_OFFICE]
    user.is_active = False
    assert not Association.objects.visible_to(user).exists()
    assert not Association.objects.visible_to(AnonymousUser()).exists()


def test_superuser_sees_everything(world):
    admin = factories.UserFactory(is_superuser=True)
    assert Association.objects.visible_to(admin).count() == 2


@pytest.mark.parametrize(
    ("role", "level"),
    [
        (Role.VILLAGE_CLERK, "township"),
        (Role.TOWNSHIP_COMMITTEE, "village"),
        (Role.COUNTY_OFFICE, "city"),
        (Role.MEMBER, "county"),
    ],
)
def test_roles_are_assigned_at_their_level(world, role, level):
    user = factories.UserFactory()
    with pytest.raises(AssociationRuleError) as raised:
        role_assign(user=user, role=role, area=getattr(world.inside, level))
    assert raised.value.code == "role_level"
    assert not user.role_assignments.exists()


def test_home_shows_scope_and_only_scoped_associations(client, world):
    client.force_login(world.inside.users[Role.TOWNSHIP_STATION])
    body = client.get("/").content.decode()
    assert "城关镇" in body and world.inside.association.name in body
    assert world.outside.association.name not in body


def test_area_search_finds_by_name_and_code_within_scope(client, world):
    client.force_login(world.inside.users[Role.CITY_OFFICE])
    by_name = client.get("/areas/", {"q": "三角"}).content.decode()
    assert "三角城村" in by_name and "城关镇</a>" not in by_name
    by_code = client.get("/areas/", {"q": "620502"}).content.decode()
    assert "大城村" not in by_code


def test_area_page_lists_children_and_breadcrumbs_in_scope(client, world):
    client.force_login(world.inside.users[Role.TOWNSHIP_COMMITTEE])
    body = client.get(f"/areas/{world.inside.township.code}/").content.decode()
    assert "三角城村" in body
    assert "榆中县" not in body  # the county is above this user's scope: no breadcrumb link
