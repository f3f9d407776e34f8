"""Duplicate funding (重复扶持) on the hand-built county (tests/reports/world.py): households with
a running mutual-aid loan and a running other subsidised loan, or running mutual-aid loans in
two associations under one ID number; the page per area, its scope, its Excel export and its
fixed number of queries."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Area, Member, OtherLoan, Role
from reports.selectors.duplicates import duplicate_funding
from tests.reports.world import TODAY, at, build_county, extra_village

D = datetime.date


@pytest.fixture
def county(db):
    world = build_county()
    loans = world.loans
    li_yi = loans["L1"].member  # A1 三角城村, L1 10,000 running (overdue)
    # 李一 also holds a targeted poverty loan of 50,000 due 2027-03-01 (running on 06-30)
    # and an older women's micro-loan that ended on 2026-05-01 (not running).
    OtherLoan.objects.create(
        member=li_yi,
        kind="targeted_poverty",
        lender="农商银行",
        amount="50000",
        due_on=D(2027, 3, 1),
    )
    OtherLoan.objects.create(
        member=li_yi, kind="women_micro", lender="妇联", amount="30000", due_on=D(2026, 5, 1)
    )
    # L4's borrower (A2) repaid and closed: a running other loan alone is no duplicate.
    OtherLoan.objects.create(
        member=loans["L4"].member,
        kind="shuanglian",
        lender="信用社",
        amount="20000",
        due_on=D(2027, 1, 1),
    )
    # L6's borrower (B1) was written off: not running either.
    OtherLoan.objects.create(
        member=loans["L6"].member,
        kind="other",
        lender="县扶贫办",
        amount="10000",
        due_on=D(2027, 1, 1),
    )
    # 王一 (A2, L3 6,000 running) left A2 with the loan unsettled, as the old ledgers carried
    # over, and borrows in B1 as 钱一 (L8 4,000 running) under the same ID number.
    wang_yi, qian_yi = loans["L3"].member, loans["L8"].member
    Member.objects.filter(pk=wang_yi.pk).update(
        status="exited", exited_on=D(2026, 3, 1), refund_amount=Decimal("0.00")
    )
    Member.objects.filter(pk=qian_yi.pk).update(id_number=wang_yi.id_number)
    with at(TODAY):
        yield world


def _summary(area_code: str) -> list[tuple]:
    rows = duplicate_funding(area=Area.objects.get(code=area_code), on=TODAY)
    return [
        (
            r.village.code,
            r.member.name,
            r.lent,
            r.outstanding,
            [o.amount for o in r.other_loans],
            [loan.amount for loan in r.elsewhere],
            r.other_amount,
        )
        for r in rows
    ]


def test_the_county_lists_both_kinds(county):
    assert _summary("620123") == [
        # 李一: L1 10,000 outstanding; the running 50,000 only (the micro-loan ended 05-01).
        (
            "620123100201",
            "李一",
            Decimal("10000.00"),
            Decimal("10000.00"),
            [Decimal("50000.00")],
            [],
            Decimal("50000.00"),
        ),
        # 王一: L3 6,000 in A2; elsewhere L8 4,000 in B1 (its outstanding 4,000).
        (
            "620123100202",
            "王一",
            Decimal("6000.00"),
            Decimal("6000.00"),
            [],
            [Decimal("4000.00")],
            Decimal("4000.00"),
        ),
        # 钱一: L8 4,000 in B1; elsewhere L3 6,000 in A2.
        (
            "620123101201",
            "钱一",
            Decimal("4000.00"),
            Decimal("4000.00"),
            [],
            [Decimal("6000.00")],
            Decimal("6000.00"),
        ),
    ]


def test_a_township_sees_its_own_households_with_loans_elsewhere(county):
    # 夏官营镇 lists 钱一 only, with the loan in 城关镇's 下庄村 beside it.
    assert [row[:2] for row in _summary("620123101")] == [("620123101201", "钱一")]
    assert _summary("620123101")[0][5] == [Decimal("6000.00")]
    assert [row[1] for row in _summary("620123100")] == ["李一", "王一"]


def test_an_other_loan_due_before_the_day_does_not_count(county):
    assert duplicate_funding(area=Area.objects.get(code="620123100201"), on=D(2027, 3, 2)) == []


def test_the_page_is_scoped_and_linked_from_the_dashboard(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    client.force_login(office)
    url = reverse("reports:duplicates", args=["620123"])
    html = client.get(url).content.decode()
    for text in ("李一", "王一", "钱一", "50,000.00", "红柳沟村", "下庄村"):
        assert text in html, text
    assert county.loans["L1"].member.id_number not in html  # masked
    dashboard = client.get(reverse("reports:dashboard", args=["620123"])).content.decode()
    assert url in dashboard
    # The other township's committee and a member household get nothing.
    client.force_login(county.branches["B1"].users[Role.TOWNSHIP_COMMITTEE])
    assert client.get(reverse("reports:duplicates", args=["620123100"])).status_code == 404
    assert client.get(reverse("reports:duplicates_export", args=["620123100"])).status_code == 404
    client.force_login(county.branches["A1"].users[Role.MEMBER])
    assert client.get(reverse("reports:duplicates", args=["620123100"])).status_code == 404


def test_the_export_has_chinese_headers_and_numbers(client, county):
    client.force_login(county.branches["A1"].users[Role.TOWNSHIP_COMMITTEE])
    response = client.get(reverse("reports:duplicates_export", args=["620123100"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("村", "农户", "身份证号")
    assert [r[1] for r in rows[1:]] == ["李一", "王一"]
    assert rows[1][4] == 10000 and rows[1][6] == 50000
    assert "农商银行" in rows[1][5]
    assert "红柳沟村" in rows[2][5]


def _queries(area: Area) -> int:
    with CaptureQueriesContext(connection) as queries:
        duplicate_funding(area=area, on=TODAY)
    return len(queries)


def test_the_same_queries_whatever_the_size(county):
    area = Area.objects.get(code="620123")
    small = _queries(area)
    for n in range(2):
        extra_village(n)
    with at(TODAY):
        for loan in Area.objects.get(code="620123101300").association.loans.all():
            OtherLoan.objects.create(
                member=loan.member, kind="other", lender="银行", amount="1000", due_on=D(2027, 1, 1)
            )
        assert len(duplicate_funding(area=area, on=TODAY)) == 5
        assert _queries(area) == small == 3


def test_the_supervision_report_lists_them_in_section_six(county):
    """The monthly report's exceptions (DESIGN §9, section 6) read the same list, on the last
    day of the month."""
    from django.utils import translation

    from reports.selectors.supervision import supervision_data

    with translation.override("en"):
        data = supervision_data(area=Area.objects.get(code="620123"), month=TODAY)
    rows = [(e.where, e.text) for e in data.exceptions if e.kind == "Duplicate funding"]
    assert rows == [
        ("三角城村", "李一 holds a mutual-aid loan and another subsidised loan"),
        ("下庄村", "王一 also borrows in 红柳沟村 under the same ID number"),
        ("红柳沟村", "钱一 also borrows in 下庄村 under the same ID number"),
    ]
