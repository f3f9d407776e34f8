"""Issue 9, audit trail: history rows with old and new values and their author (django-simple-
history), login/failed-login/logout records, and a record of every export."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import AuthEvent, AuthEventKind, ExportRecord, Member
from loans.models import LoanPolicy
from loans.services.policy import policy_save
from tests import factories

pytestmark = pytest.mark.django_db


def test_member_edit_keeps_old_and_new_values_and_who(world):
    clerk = world.inside.users["village_clerk"]
    household = factories.member(world.inside.association, name="张三", by=clerk)
    from associations.services.members import member_update

    member_update(member=household, by=clerk, household_size=6, labourers=3)

    newest, created = Member.history.filter(id=household.pk).order_by("-history_id")[:2]
    assert created.history_type == "+" and created.history_user == clerk
    assert newest.history_type == "~" and newest.history_user == clerk
    changes = {c.field: (c.old, c.new) for c in newest.diff_against(created).changes}
    assert changes == {"household_size": (4, 6), "labourers": (2, 3)}


def test_policy_history_names_the_service_by_outside_a_request(world):
    """No request (a task or the shell): the author is the service's `by`."""
    office = world.inside.users["county_office"]
    policy_save(target=world.inside.county, by=office, values={"max_amount": Decimal("8000")})
    policy_save(target=world.inside.county, by=office, values={"max_amount": Decimal("6000")})

    policy = LoanPolicy.objects.get(area=world.inside.county)
    newest, first = policy.history.order_by("-history_id")[:2]
    assert {newest.history_user, first.history_user} == {office}
    changes = {c.field: (c.old, c.new) for c in newest.diff_against(first).changes}
    assert changes["max_amount"] == (Decimal("8000.00"), Decimal("6000.00"))


def test_group_dissolution_records_each_membership_leaving(world):
    from guarantees.models import GroupMembership
    from guarantees.services import group_dissolve

    group = factories.scoped_group(world)
    clerk = factories.clerk_of(world.inside.association)
    group_dissolve(group=group, by=clerk, on=datetime.date(2025, 6, 1), reason="解散")

    left = GroupMembership.history.filter(group_id=group.pk, left_on=datetime.date(2025, 6, 1))
    assert left.exists()
    assert {row.history_user for row in left} == {clerk}


def test_role_assignment_history(world):
    from associations.services.associations import role_assign

    user = factories.UserFactory()
    assignment = role_assign(user=user, role="auditor", area=world.inside.county)
    assert assignment.history.get().history_type == "+"


def test_login_failed_login_and_logout_are_recorded(client, world):
    user = world.inside.users["village_clerk"]
    user.set_password("correct horse 42")
    user.save()
    login = reverse("account_login")

    client.post(login, {"login": user.username, "password": "wrong"})
    client.post(login, {"login": "nobody-here", "password": "wrong"})
    client.post(login, {"login": user.username, "password": "correct horse 42"})
    client.post(reverse("account_logout"))

    events = list(AuthEvent.objects.order_by("id").values_list("kind", "username", "user"))
    assert events == [
        (AuthEventKind.LOGIN_FAILED, user.username, user.pk),
        (AuthEventKind.LOGIN_FAILED, "nobody-here", None),
        (AuthEventKind.LOGIN, user.username, user.pk),
        (AuthEventKind.LOGOUT, user.username, user.pk),
    ]
    assert AuthEvent.objects.filter(ip="127.0.0.1").count() == 4


@pytest.mark.parametrize(
    ("role", "url_name", "kwargs", "kind"),
    [
        ("village_clerk", "associations:member_export", {}, "member_roster"),
        ("village_clerk", "guarantees:group_export", {}, "groups"),
        ("county_office", "reports:children_export", {"area_code": "620123"}, "indicators"),
    ],
)
def test_exports_are_recorded(client, world, role, url_name, kwargs, kind):
    user = world.inside.users[role]
    client.force_login(user)
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert (record.kind, record.by) == (kind, user)
    assert record.area_code.startswith(world.inside.county.code[:4])


def test_book_exports_are_recorded_with_the_books_area(client, world):
    from tests.funds.scoped import scoped_funds

    book = scoped_funds(world).book
    client.force_login(world.inside.users["auditor"])
    url = reverse("funds:book_export", kwargs={"book_id": book.pk, "report": "trial_balance"})
    assert client.get(url).status_code == 200
    record = ExportRecord.objects.get()
    assert (record.kind, record.area_code) == ("trial_balance", book.area_id)
