"""Dashboards of the hand-built county: the figures of test_indicators on the page, drill-down
links, the township's and the village's lists, scope, Excel export and query counts."""

import io
import json
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Role
from tests.reports.world import TODAY, at, build_county, extra_village


@pytest.fixture
def county(db):
    world = build_county()
    with at(TODAY):
        yield world


def _get(client, user, code, **params):
    client.force_login(user)
    return client.get(reverse("reports:dashboard", args=[code]), params)


def test_county_dashboard_shows_the_hand_computed_figures(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    page = _get(client, office, "620123", on="2026-06-30", start="2026-01-01")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("29,117.04", "102,000.00", "34.34%", "28.55%", "10.53%", "12.50%", "8,000.00"):
        assert text in html, text
    # One row per township, each a drill-down to its own dashboard.
    assert reverse("reports:dashboard", args=["620123100"]) in html
    assert reverse("reports:dashboard", args=["620123101"]) in html
    assert "39.81%" in html and "25,117.04" in html  # 城关镇's PAR30 and outstanding
    # The charts' data: a JSON script tag; the script itself is a static file.
    data = json.loads(
        re.search(
            r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert data["children"] == ["城关镇", "夏官营镇"]
    assert data["outstanding"] == ["25117.04", "4000.00"]
    assert len(data["months"]) == 24 and data["months"][-1] == "2026-06"
    assert "vendor/echarts/echarts.min.js" in html
    assert "<script>" not in html  # no inline script (Content-Security-Policy)


def test_children_sort_by_a_column(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]

    def order(**params):
        html = _get(client, office, "620123", **params).content.decode()
        return html.index("城关镇</a></th>") < html.index("夏官营镇</a></th>")

    # Outstanding: 城关镇 25,117.04, 夏官营镇 4,000; unmet demand: 0 and 8,000.
    assert order(sort="outstanding_principal", order="desc")
    assert not order(sort="outstanding_principal")
    assert not order(sort="unmet_demand", order="desc")


def test_township_dashboard_lists_overdue_loans_with_group_leaders(client, county):
    committee = county.branches["A1"].users[Role.TOWNSHIP_COMMITTEE]
    html = _get(client, committee, "620123100").content.decode()
    overdue = html[html.index('id="overdue"') :]
    # L1 (李一, 31 days) before L3 (王一, 29 days); their group leaders.
    assert overdue.index("李一") < overdue.index("王一")
    assert "马队长" in overdue and "王队长" in overdue
    assert re.search(r"<td>31</td>", overdue) and re.search(r"<td>29</td>", overdue)
    # Villages drill down to their dashboards, loans and books.
    assert reverse("reports:dashboard", args=["620123100201"]) in html
    assert "?area=620123100201" in html
    assert "/funds/books/" in html


def test_village_dashboard_has_cash_overdue_and_waitlist(client, county):
    clerk = county.branches["B1"].users[Role.VILLAGE_CLERK]
    html = _get(client, clerk, "620123101201").content.decode()
    assert "钱二" in html  # L7, waiting for funds
    assert "3,000.00" in html  # cash: 12,000 - 5,000 - 4,000


def test_out_of_scope_and_members_get_404(client, county):
    a1_clerk = county.branches["A1"].users[Role.VILLAGE_CLERK]
    assert _get(client, a1_clerk, "620123101201").status_code == 404
    assert _get(client, a1_clerk, "620123").status_code == 404
    member = county.branches["A1"].users[Role.MEMBER]
    assert _get(client, member, "620123100201").status_code == 404


def test_bad_dates_keep_the_page(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    page = _get(client, office, "620123", on="2026-02-30", start="2026-07-01")
    assert page.status_code == 200


def test_children_export(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    client.force_login(office)
    response = client.get(
        reverse("reports:children_export", args=["620123"]),
        {"on": "2026-06-30", "start": "2026-01-01"},
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["区划代码", "名称", "社员户数", "互助资金总额"]
    assert rows[1][:2] == ["620123100", "城关镇"]
    assert float(rows[1][4]) == 25117.04
    assert sheet.cell(row=2, column=4).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=9).number_format == "0.00%"


DASHBOARDS = [
    (Role.COUNTY_OFFICE, "620123"),
    (Role.TOWNSHIP_COMMITTEE, "620123101"),
    (Role.VILLAGE_CLERK, "620123100201"),
]


def _queries(client, user, code) -> int:
    client.force_login(user)
    with at(TODAY), CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reports:dashboard", args=[code])).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_world(client, db):
    world = build_county()
    extra_village(0)  # township B gets an overdue loan: its list is not empty in either world
    users = {role: world.branches["A1"].users[role] for role, _code in DASHBOARDS}
    users[Role.TOWNSHIP_COMMITTEE] = world.branches["B1"].users[Role.TOWNSHIP_COMMITTEE]
    small = {code: _queries(client, users[role], code) for role, code in DASHBOARDS}
    for n in (1, 2, 3):  # three more villages of township B, each with two loans
        extra_village(n)
    big = {code: _queries(client, users[role], code) for role, code in DASHBOARDS}
    assert small == big, (small, big)
    print("dashboard queries", small)


def test_area_pages_link_the_dashboards_and_show_figures(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    client.force_login(office)
    html = client.get(reverse("associations:area_detail", args=["620123"])).content.decode()
    assert reverse("reports:dashboard", args=["620123"]) in html
    assert "25,117.04" in html and "39.81%" in html  # 城关镇 outstanding and PAR30
    association = county.branches["A1"].association
    html = client.get(
        reverse("associations:association_detail", args=[association.pk])
    ).content.decode()
    assert reverse("reports:dashboard", args=["620123100201"]) in html


def test_a_member_sees_no_figures_on_the_area_page(client, county):
    client.force_login(county.branches["A1"].users[Role.MEMBER])
    page = client.get(reverse("associations:area_detail", args=["620123100201"]))
    assert reverse("reports:dashboard", args=["620123100201"]) not in page.content.decode()
