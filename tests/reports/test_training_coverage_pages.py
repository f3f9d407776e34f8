"""Training coverage on the area pages and the dashboards of the village, the township and the
county (issue 12), computed by hand; the children's column takes the same queries whatever
their number."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Role
from associations.services.training import training_attendance_add, training_session_create
from reports.views.dashboards import TILES
from tests import factories

D = datetime.date
pytestmark = pytest.mark.today(datetime.datetime(2026, 6, 30, 9, 0))


def _session(area, by, held_on, topic="记账培训"):
    return training_session_create(
        area=area,
        held_on=held_on,
        topic=topic,
        trainer="县扶贫办",
        hours=Decimal("3"),
        place="村委会",
        by=by,
    )


def _village(township, code, name):
    village = factories.area(code, name, "village", township)
    return village, factories.association(village)


@pytest.fixture
def township(world):
    """Under 城关镇: 三角城村 with A, B, C, D (A and B at the village's March training, C at the
    township's April one, D only at a training of 2025) and its clerk (at the township's
    training) and board member; 新庄村 with E (at the township's training), F and its clerk.

    By hand, on 2026-06-30: 三角城村 members 3/4 = 75.00 %, managers 1/2 = 50.00 %;
    新庄村 members 1/2 = 50.00 %, managers 0/1 = 0.00 %;
    城关镇 and 榆中县 members 4/6 = 66.67 %, managers 1/3 = 33.33 %."""
    inside = world.inside
    a, b, c, d = (factories.member(inside.association, name=n) for n in "甲乙丙丁")
    _second, second_association = _village(inside.township, "620123100202", "新庄村")
    e, _f = (factories.member(second_association, name=n) for n in "戊己")
    clerk = inside.users[Role.VILLAGE_CLERK]
    committee = inside.users[Role.TOWNSHIP_COMMITTEE]
    march = _session(inside.village, clerk, D(2026, 3, 1))
    training_attendance_add(session=march, by=clerk, members=[a, b])
    april = _session(inside.township, committee, D(2026, 4, 1), topic="风险防控")
    training_attendance_add(session=april, by=committee, members=[c, e], staff=[clerk])
    old = _session(inside.village, clerk, D(2025, 5, 1), topic="去年的培训")
    training_attendance_add(session=old, by=clerk, members=[d])
    return inside


def _dashboard(client, user, code):
    client.force_login(user)
    return client.get(reverse("reports:dashboard", args=[code]))


def _tile(page, key):
    """A tile's value: an indicator's by its key, the managers' (the last tile) by "managers"."""
    tiles = page.context["tiles"]
    if key == "managers":
        return tiles[-1][2]
    return tiles[[k for k, _kind in TILES].index(key)][2]


def _column(page, key="training_coverage"):
    return {
        row["area"].name: next(value for k, _kind, value in row["cells"] if k == key)
        for row in page.context["rows"]
    }


def test_township_dashboard_tiles_and_village_column(client, township):
    page = _dashboard(client, township.users[Role.TOWNSHIP_STATION], township.township.code)
    assert _tile(page, "training_coverage") == Decimal("0.6667")
    assert _tile(page, "managers") == Decimal("0.3333")
    assert _column(page) == {"三角城村": Decimal("0.7500"), "新庄村": Decimal("0.5000")}
    html = page.content.decode()
    assert "66.67%" in html and "33.33%" in html and "75.00%" in html and "50.00%" in html


def test_county_and_village_dashboards(client, township):
    county = _dashboard(client, township.users[Role.COUNTY_OFFICE], township.county.code)
    assert _column(county) == {"城关镇": Decimal("0.6667")}
    assert _tile(county, "training_coverage") == Decimal("0.6667")
    village = _dashboard(client, township.users[Role.VILLAGE_CLERK], township.village.code)
    assert _tile(village, "training_coverage") == Decimal("0.7500")
    assert _tile(village, "managers") == Decimal("0.5000")
    # The Excel export of the children carries the column too.
    client.force_login(township.users[Role.COUNTY_OFFICE])
    export = client.get(reverse("reports:children_export", args=[township.township.code]))
    from tests.xlsx import read

    sheet = read(export.content)
    column = sheet[0].index("培训覆盖率")
    assert [row[column] for row in sheet[1:]] == [Decimal("0.75"), Decimal("0.5")]


def test_area_pages_show_coverage_of_the_area_and_each_child(client, township):
    client.force_login(township.users[Role.COUNTY_OFFICE])
    page = client.get(reverse("associations:area_detail", args=[township.township.code]))
    training = page.context["training"]
    assert (training.members_trained, training.members) == (4, 6)
    assert (training.managers_trained, training.managers) == (1, 3)
    children = {c.name: c.training for c in page.context["children"]}
    assert (children["三角城村"].members_trained, children["三角城村"].members) == (3, 4)
    assert (children["新庄村"].members_trained, children["新庄村"].members) == (1, 2)
    html = page.content.decode()
    for text in ("4 / 6 (66.67%)", "1 / 3 (33.33%)", "3 / 4 (75.00%)", "1 / 2 (50.00%)"):
        assert text in html, text
    county = client.get(reverse("associations:area_detail", args=[township.county.code]))
    assert "4 / 6 (66.67%)" in county.content.decode()
    client.force_login(township.users[Role.VILLAGE_CLERK])
    village = client.get(reverse("associations:area_detail", args=[township.village.code]))
    assert "3 / 4 (75.00%)" in village.content.decode()
    assert "1 / 2 (50.00%)" in village.content.decode()
    # A member household's login sees no staff figures.
    client.force_login(township.users[Role.MEMBER])
    mine = client.get(reverse("associations:area_detail", args=[township.village.code]))
    assert mine.status_code == 404 or mine.context["training"] is None


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_coverage_column_takes_the_same_queries_for_more_villages(client, township):
    client.force_login(township.users[Role.TOWNSHIP_STATION])
    urls = [
        reverse("reports:dashboard", args=[township.township.code]),
        reverse("associations:area_detail", args=[township.township.code]),
    ]
    before = [_queries(client, url) for url in urls]
    committee = township.users[Role.TOWNSHIP_COMMITTEE]
    for serial in range(3, 6):
        _village_area, association = _village(
            township.township, f"62012310020{serial}", f"新村{serial}"
        )
        member = factories.member(association, name=f"社员{serial}")
        session = _session(township.township, committee, D(2026, 5, serial), topic=f"第{serial}期")
        training_attendance_add(session=session, by=committee, members=[member])
    after = [_queries(client, url) for url in urls]
    assert after == before
    page = client.get(urls[0])
    assert len(page.context["rows"]) == 5
    assert _column(page)["新村3"] == Decimal("1.0000")
