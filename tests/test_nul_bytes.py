"""A NUL character in a URL or a form is refused with a clear page, never a server error, and
nothing is written (PostgreSQL cannot store it in text)."""

import pytest
from django.urls import reverse

from associations.models import Member, Role, VillageGroup

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_search_or_a_form_gets_a_clear_400_and_writes_nothing(client, world):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    search = client.get(reverse("associations:member_list"), {"q": "张\x00三"})
    assert search.status_code == 400
    assert "无法保存的字符" in search.content.decode()
    before = (Member.objects.count(), VillageGroup.objects.count())
    posted = client.post(reverse("associations:village_groups"), {"name": "九\x00组"})
    assert posted.status_code == 400
    assert (Member.objects.count(), VillageGroup.objects.count()) == before
    assert client.get(reverse("associations:member_list"), {"q": "张三"}).status_code == 200
