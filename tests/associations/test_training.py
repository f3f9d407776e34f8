"""Training records and coverage (seed recommendation 5, DESIGN §7), computed by hand."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.exceptions import AssociationRuleError
from associations.models import Role, TrainingAttendance, TrainingSession
from associations.selectors import training_counts
from associations.services.training import training_attendance_add, training_session_create
from reports.selectors.indicators import area_figures
from tests import factories

D = datetime.date
pytestmark = pytest.mark.today(datetime.datetime(2026, 6, 30, 9, 0))


def _session(area, by, held_on, topic="记账培训"):
    return training_session_create(
        area=area,
        held_on=held_on,
        topic=topic,
        trainer="县扶贫办 王老师",
        hours=Decimal("3.5"),
        place="村委会",
        by=by,
    )


@pytest.fixture
def trained(world):
    """Four member households of the inside village: A and B at the village's March training,
    B again and C at the township's April training with the village clerk; D only at a
    training of 2025. Managers: the village clerk and the board member (two)."""
    inside = world.inside
    a, b, c, d = (factories.member(inside.association, name=n) for n in "甲乙丙丁")
    clerk, committee = inside.users[Role.VILLAGE_CLERK], inside.users[Role.TOWNSHIP_COMMITTEE]
    march = _session(inside.village, clerk, D(2026, 3, 1))
    training_attendance_add(session=march, by=clerk, members=[a, b])
    april = _session(inside.township, committee, D(2026, 4, 1), topic="风险防控")
    training_attendance_add(session=april, by=committee, members=[b, c], staff=[clerk])
    old = _session(inside.village, clerk, D(2025, 5, 1), topic="去年的培训")
    training_attendance_add(session=old, by=clerk, members=[d])
    return inside


def test_coverage_by_hand(trained):
    counts = training_counts(prefix=trained.village.prefix, length=12, on=D(2026, 6, 30))
    village = counts[trained.village.code]
    # Members: A, B, C of 4 trained this year (D's training was in 2025); B counts once.
    assert (village.members_trained, village.members) == (3, 4)
    # Managers: the clerk (at the township's training) of the clerk and the board member.
    assert (village.managers_trained, village.managers) == (1, 2)
    assert (village.member_coverage, village.manager_coverage) == (
        Decimal("0.7500"),
        Decimal("0.5000"),
    )


def test_the_indicator_is_members_trained_over_members(trained):
    figures = area_figures(area=trained.county, on=D(2026, 6, 30), start=D(2026, 1, 1))
    assert figures.members == 4 and figures.members_trained == 3
    assert figures.training_coverage == Decimal("0.7500")
    # Before the April training only A and B had been trained.
    march = area_figures(area=trained.county, on=D(2026, 3, 31), start=D(2026, 1, 1))
    assert march.training_coverage == Decimal("0.5000")


def test_pages_show_the_coverage_to_the_clerk_and_the_county(client, world, trained):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    page = client.get(reverse("associations:training_list"))
    assert page.context["total"].members_trained == 3
    assert "3 / 4" in page.content.decode() and "1 / 2" in page.content.decode()
    client.force_login(world.inside.users[Role.COUNTY_OFFICE])
    page = client.get(reverse("associations:training_list"))
    assert [v.code for v, _c in page.context["coverage"]] == [trained.village.code]
    assert {s.topic for s in page.context["sessions"]} == {"记账培训", "风险防控"}
    client.force_login(world.outside.users[Role.COUNTY_OFFICE])
    page = client.get(reverse("associations:training_list")).content.decode()
    assert "风险防控" not in page and trained.village.name not in page


def test_clerk_records_a_session_and_picks_members_from_the_search(client, world):
    inside = world.inside
    member = factories.member(inside.association, name="马福海")
    client.force_login(inside.users[Role.VILLAGE_CLERK])
    form = client.get(reverse("associations:training_new")).context["form"]
    response = client.post(
        reverse("associations:training_new"),
        {
            "idempotency_key": form.initial["idempotency_key"]
            if "idempotency_key" in form.initial
            else form["idempotency_key"].value(),
            "area": inside.village.code,
            "held_on": "2026-06-01",
            "topic": "养殖技术",
            "trainer": "畜牧站",
            "hours": "2",
            "place": "村委会",
        },
    )
    session = TrainingSession.objects.get(topic="养殖技术")
    assert response.status_code == 302 and session.level == "village"
    url = reverse("associations:training_detail", args=[session.pk])
    found = client.get(url, {"q": member.pinyin_initials}).context["found"]
    assert member in found
    client.post(url, {"action": "add_members", "member": [member.pk]})
    assert TrainingAttendance.objects.filter(session=session, member=member).exists()


def test_rules_refuse_and_write_nothing(world):
    inside, outside = world.inside, world.outside
    with pytest.raises(AssociationRuleError) as refused:
        _session(inside.village, inside.users[Role.VILLAGE_BOARD], D(2026, 6, 1))
    assert refused.value.code == "role"
    with pytest.raises(AssociationRuleError) as refused:
        _session(inside.village, inside.users[Role.VILLAGE_CLERK], D(2026, 7, 1))
    assert refused.value.code == "future"
    session = _session(inside.village, inside.users[Role.VILLAGE_CLERK], D(2026, 6, 1))
    stranger = factories.member(outside.association, name="外村人")
    with pytest.raises(AssociationRuleError) as refused:
        training_attendance_add(
            session=session, by=inside.users[Role.VILLAGE_CLERK], members=[stranger]
        )
    assert refused.value.code == "member_scope"
    assert TrainingSession.objects.count() == 1 and not TrainingAttendance.objects.exists()
