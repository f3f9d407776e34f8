import pytest
from django.core.management import call_command

from associations.models import Area, Association, RoleAssignment, User


@pytest.mark.django_db
def test_demo_loads_twice_without_duplicates(capsys, settings):
    settings.DEMO_HISTORY = False  # the loans history is tested in tests/loans/test_demo_loans.py
    call_command("load_demo")
    first = capsys.readouterr().out
    counts = (
        Area.objects.count(),
        Association.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )
    call_command("load_demo")
    assert (
        Area.objects.count(),
        Association.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    ) == counts
    assert counts[:2] == (20, 12)
    assert Area.objects.filter(level="county").count() == 2
    for role in (
        "clerk_sanjiaocheng",
        "committee_chengguan",
        "county_yuzhong",
        "city_lanzhou",
        "station_chengguan",
        "board_sanjiaocheng",
        "auditor_yuzhong",
        "member_sanjiaocheng",
    ):
        assert role in first
    clerk = User.objects.get(username="clerk_sanjiaocheng")
    assert [a.name for a in Association.objects.visible_to(clerk)] == [
        "榆中县城关镇三角城村发展互助资金协会"
    ]
