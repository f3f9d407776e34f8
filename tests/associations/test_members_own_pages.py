"""A login holding only the member role opens the member's own pages; typing a staff address
gives a 404 (issue 12: a group's page showed the other members' loan statuses)."""

import pytest
from django.urls import reverse

from associations.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_member_gets_its_pages_and_no_staff_page(client, world):
    group = factories.scoped_group(world)
    client.force_login(world.inside.users[Role.MEMBER])
    for name in ("home", "loans:member_schedule", "loans:member_statement"):
        assert client.get(reverse(name)).status_code == 200, name
    for url in (reverse("guarantees:group_detail", args=[group.pk]), reverse("loans:loan_list"),
                reverse("associations:member_list")):  # fmt: skip
        assert client.get(url).status_code == 404, url


def test_a_member_who_is_also_staff_keeps_the_staff_pages(client, world):
    group = factories.scoped_group(world)
    member = factories.role_assign_extra(
        world.inside.users[Role.MEMBER], Role.VILLAGE_BOARD, world.inside.village
    )
    client.force_login(member)
    assert client.get(reverse("guarantees:group_detail", args=[group.pk])).status_code == 200
