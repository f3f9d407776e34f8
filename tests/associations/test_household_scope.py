"""A household's own records join a scoped list only for a household login (role `member`):
for staff the OR with the household's records stopped PostgreSQL reading the subtree by index,
and a village's loan list scanned every loan of the province (issue 14)."""

from importlib import import_module

from django.apps import apps

from associations.models import Member, Role, RoleAssignment, User
from associations.services.members import member_link_login
from loans.models import Loan
from tests import factories


def test_staff_lists_carry_no_household_condition(world):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    sql = str(Loan.objects.visible_to(clerk).query)
    assert '"user_id"' not in sql and "LIKE" in sql.upper()
    household = world.inside.users[Role.MEMBER]
    factories.scoped_member(world)
    assert '"user_id"' in str(Loan.objects.visible_to(household).query)


def test_linking_a_login_gives_it_the_member_role_at_the_village(world):
    login = User.objects.create_user(username="wangwu-household")
    household = factories.member(world.inside.association, name="王五")
    member_link_login(member=household, user=login)
    assert RoleAssignment.objects.filter(
        user=login, role=Role.MEMBER, area=world.inside.association.area
    ).exists()
    assert list(Member.objects.visible_to(login)) == [household]


def test_a_staff_login_linked_to_a_household_gets_no_role_at_its_village(world):
    """A role at the household's village would show the clerk that village's staff pages."""
    clerk = factories.user_with_role(Role.VILLAGE_CLERK, world.outside.village)
    household = factories.member(world.inside.association, name="赵六")
    member_link_login(member=household, user=clerk)
    assert set(RoleAssignment.objects.filter(user=clerk).values_list("role", flat=True)) == {
        Role.VILLAGE_CLERK
    }
    assert not Member.objects.visible_to(clerk).filter(pk=household.pk).exists()


def test_the_migration_gives_linked_logins_the_member_role(world):
    household = factories.scoped_member(world)
    login = household.user
    RoleAssignment.objects.filter(user=login, role=Role.MEMBER).delete()
    give = import_module(
        "associations.migrations.0010_household_logins_hold_member_role"
    ).give_member_role
    give(apps, None)
    assert RoleAssignment.objects.filter(
        user=login, role=Role.MEMBER, area=household.association.area
    ).exists()
