import pytest
from django.core.management import call_command

from associations.models import Member, User
from guarantees.models import GroupMembership, GuaranteeGroup, Placement

pytestmark = pytest.mark.django_db


def test_demo_members_and_groups_load_twice_without_duplicates(settings):
    settings.DEMO_HISTORY = False  # the loans history is tested in tests/loans/test_demo_loans.py
    call_command("load_demo")
    counts = (Member.objects.count(), GuaranteeGroup.objects.count(), Placement.objects.count())
    call_command("load_demo")
    assert (Member.objects.count(), GuaranteeGroup.objects.count(), Placement.objects.count()) == (
        counts
    )
    # One current placement with a cooperative, of a household in no group.
    placement = Placement.objects.get()
    assert placement.is_active and placement.partner_kind == "cooperative"
    assert not GroupMembership.objects.filter(member=placement.member, left_on__isnull=True)
    demo = Member.objects.filter(association__area_id="620123100201")
    assert demo.count() == 48  # the 16 named households and 32 more of the county's history
    assert GroupMembership.objects.filter(group__name__endswith="组联保小组").count() == 4 + 6
    for group in GuaranteeGroup.objects.all():  # 1–2 leaders who may lead, 3–5 households
        leaders = group.memberships.filter(role="leader")
        assert 1 <= leaders.count() <= 2 and all(m.member.can_lead_group for m in leaders)
        assert 3 <= group.memberships.filter(role="household").count() <= 5
    login = User.objects.get(username="member_sanjiaocheng")
    assert Member.objects.get(user=login).name == "马福海"
    clerk = User.objects.get(username="clerk_sanjiaocheng")
    assert Member.objects.visible_to(clerk).count() == 48
    other_clerk = User.objects.get(username="clerk_shidong")
    assert not Member.objects.visible_to(other_clerk).exists()
