import pytest
from django.core.management import call_command

from associations.models import Member, User
from guarantees.models import GroupMembership, GuaranteeGroup

pytestmark = pytest.mark.django_db


def test_demo_members_and_groups_load_twice_without_duplicates():
    call_command("load_demo")
    counts = (Member.objects.count(), GuaranteeGroup.objects.count())
    call_command("load_demo")
    assert (Member.objects.count(), GuaranteeGroup.objects.count()) == counts == (16, 2)
    assert GroupMembership.objects.count() == 4 + 6
    login = User.objects.get(username="member_sanjiaocheng")
    assert Member.objects.get(user=login).name == "马福海"
    clerk = User.objects.get(username="clerk_sanjiaocheng")
    assert Member.objects.visible_to(clerk).count() == 16
    other_clerk = User.objects.get(username="clerk_shidong")
    assert not Member.objects.visible_to(other_clerk).exists()
