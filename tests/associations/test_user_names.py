"""People are shown by their names, never by their login names (issue 13, item 7)."""

import pytest
from django.urls import reverse

from associations.models import Role

pytestmark = pytest.mark.django_db


def test_the_header_names_the_person_not_the_login(client, world):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    clerk.last_name, clerk.first_name = "马", "文清"
    clerk.save(update_fields=["last_name", "first_name"])
    client.force_login(clerk)
    page = client.get(reverse("associations:member_list")).content.decode()
    assert "马文清" in page
    assert clerk.username not in page
    assert str(clerk) == "马文清"
