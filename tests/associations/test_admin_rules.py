"""Issue 9, admin: role assignments only at their levels (the service's check); policies and
other ruled objects are read-only there (they change through their services)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from associations.admin import RoleAssignmentForm
from associations.models import RoleAssignment, User
from loans.models import LoanPolicy
from loans.services.policy import policy_save
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    admin = User.objects.create_superuser("root", password="x" * 12)
    client.force_login(admin)
    return client


def test_village_clerk_at_a_county_code_is_refused_with_a_message(admin_client, world):
    user = factories.UserFactory()
    before = RoleAssignment.objects.count()
    response = admin_client.post(
        reverse("admin:associations_roleassignment_add"),
        {"user": user.pk, "role": "village_clerk", "area": world.inside.county.code},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "村级" in response.content.decode()  # "…assigned at village level, not county"
    assert RoleAssignment.objects.count() == before


def test_role_at_its_level_is_accepted(admin_client, world):
    user = factories.UserFactory()
    response = admin_client.post(
        reverse("admin:associations_roleassignment_add"),
        {"user": user.pk, "role": "village_clerk", "area": world.inside.village.code},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=user, area=world.inside.village).exists()


def test_user_page_inline_uses_the_same_check(world):
    """The role inline of the user page uses the same form."""
    form = RoleAssignmentForm(
        {"user": factories.UserFactory().pk, "role": "county_office", "area": world.inside.village}
    )
    assert not form.is_valid()
    assert form.errors["__all__"]


def test_policy_is_read_only_in_the_admin(admin_client, world):
    office = world.inside.users["county_office"]
    policy_save(target=world.inside.county, by=office, values={"max_amount": Decimal("8000")})
    policy = LoanPolicy.objects.get(area=world.inside.county)

    assert admin_client.get(reverse("admin:loans_loanpolicy_add")).status_code == 403
    change = reverse("admin:loans_loanpolicy_change", args=[policy.pk])
    response = admin_client.post(
        change, {"max_amount": "99999", "updated_by": factories.UserFactory().pk}
    )
    assert response.status_code == 403
    policy.refresh_from_db()
    assert (policy.max_amount, policy.updated_by) == (Decimal("8000.00"), office)
    assert 'name="updated_by"' not in admin_client.get(change).content.decode()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:associations_member_add",
        "admin:guarantees_guaranteegroup_add",
        "admin:loans_loan_add",
        "admin:loans_loanpolicy_add",
        "admin:associations_authevent_add",
        "admin:associations_exportrecord_add",
        "admin:associations_importjob_add",
    ],
)
def test_ruled_objects_cannot_be_added_in_the_admin(admin_client, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 403
