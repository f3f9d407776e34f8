import pytest
from django.core.management import call_command
from django.db.models import Count

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


@pytest.mark.django_db
def test_demo_townships_have_trained_this_year(settings):
    """The training pages and the dashboards' coverage show real figures in the demo: each
    township of the county trained a third of its households and every village's clerk and
    board member this year, once however often the demo loads."""
    from django.utils import timezone

    from associations.models import TrainingAttendance, TrainingSession
    from associations.selectors import training_counts

    settings.DEMO_HISTORY = False
    call_command("load_demo")
    call_command("load_demo")
    sessions = TrainingSession.objects.filter(area__code__startswith="620123")
    assert (
        sessions.count() == Area.objects.filter(code__startswith="620123", level="township").count()
    )
    repeated = (
        TrainingAttendance.objects.values("session", "member", "user")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not repeated.exists()
    (county,) = training_counts(prefix="620123", length=6, on=timezone.localdate()).values()
    assert 0 < county.members_trained < county.members
    assert county.managers_trained == county.managers > 0
