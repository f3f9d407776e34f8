"""The loan ledger (借款台账) and repayment ledger (还款台账) of the hand-built county as Excel:
a Chinese sheet name and headers, typed cells with number formats, IDs masked, a total line,
scoped by the area's code prefix, a fixed number of queries, linked from the dashboard."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Role
from tests.reports.world import TODAY, at, build_county

D = datetime.date
PERIOD = {"on": "2026-06-30", "start": "2026-01-01"}


@pytest.fixture
def county(db):
    world = build_county()
    with at(TODAY):
        yield world


def _sheet(client, user, name, code):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"reports:{name}", args=[code]), PERIOD)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return sheet, len(queries)


def _rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]


def test_the_county_loan_ledger(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    sheet, queries = _sheet(client, office, "loan_ledger", "620123")
    assert sheet.title == "借款台账"
    assert "借款台账" in sheet["A1"].value and "2026-06-30" in sheet["A1"].value
    headers = [c.value for c in sheet[2]]
    assert headers[:5] == ["村", "借款人", "身份证号", "村民小组", "金额（元）"]
    assert "借款余额" in headers and "逾期天数" in headers
    *rows, total = _rows(sheet)
    assert len(rows) == 7  # L1-L6 and L8; L7 waits for funds
    assert total[0] == "合计" and total[4] == 40000
    l2 = county.loans["L2"]
    [row] = [r for r in rows if r[1] == l2.member.name]
    assert row[2] == l2.member.masked_id_number and "*" in row[2]
    assert Decimal(str(row[4])) == Decimal("8000") and row[9] == datetime.datetime(2026, 2, 1)
    assert Decimal(str(row[11])) + Decimal(str(row[12])) == Decimal("8000")
    [l1] = [r for r in rows if r[1] == county.loans["L1"].member.name]
    assert l1[13] == 31  # due 2026-05-30, unpaid on 2026-06-30
    assert sheet.cell(row=3, column=5).number_format == "#,##0.00"
    assert sheet.cell(row=3, column=10).number_format == "yyyy-mm-dd"
    assert sheet.cell(row=3, column=9).number_format == "0.00%"
    # A township reads its own villages only, in as many queries.
    township, township_queries = _sheet(client, office, "loan_ledger", "620123100")
    assert len(_rows(township)) == 5 + 1 and township_queries == queries  # and the total


def test_the_repayment_ledger_of_the_period(client, county):
    station = county.branches["A2"].users[Role.TOWNSHIP_STATION]
    sheet, _queries = _sheet(client, station, "repayment_ledger", "620123100")
    assert sheet.title == "还款台账"
    *rows, total = _rows(sheet)
    assert [r[3].date() for r in rows] == [
        D(2026, 5, 1),
        D(2026, 2, 10),
        D(2026, 3, 10),
        D(2026, 4, 20),
    ]  # by village, then date
    assert Decimal(str(total[4])) == Decimal("6032.07")
    row = rows[0]
    assert Decimal(str(row[5])) + Decimal(str(row[6])) + Decimal(str(row[7])) == Decimal(
        str(row[4])
    )


def test_the_dashboard_links_the_ledgers(client, county):
    office = county.branches["A1"].users[Role.COUNTY_OFFICE]
    client.force_login(office)
    page = client.get(reverse("reports:dashboard", args=["620123"])).content.decode()
    assert reverse("reports:loan_ledger", args=["620123"]) in page
    assert reverse("reports:repayment_ledger", args=["620123"]) in page


def test_a_village_clerk_gets_no_other_villages_ledger(client, county):
    client.force_login(county.branches["A1"].users[Role.VILLAGE_CLERK])
    other = reverse("reports:loan_ledger", args=["620123100202"])
    assert client.get(other).status_code == 404
