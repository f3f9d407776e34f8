"""Statements as documents (DESIGN §9) on the hand-built county: the monthly table (月报表) of a
village, township and county as Excel against the indicators; the association's yearly
financial statement as a page and a PDF against the books; the member statement as a PDF,
the member's own only. Each PDF is rendered once for the module."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from associations.models import Area, ExportRecord, Role
from associations.services.members import contribution_held, member_link_login
from funds.journal import book_for_association
from funds.selectors import balances_by_key
from funds.services import surplus_decide, surplus_propose, surplus_shares, year_surplus
from loans import documents as loan_documents
from reports.selectors.indicators import area_figures, child_figures
from reports.selectors.monthly import MonthError, parse_month
from reports.selectors.yearly import yearly_statement
from reports.views.statements import MONTHLY_COLUMNS
from tests.reports.world import TODAY, at, build_county, repay

D = datetime.date
JUNE = D(2026, 6, 1)
JUNE_END = D(2026, 6, 30)


@pytest.fixture(scope="module")
def _county(django_db_setup, django_db_blocker):
    """The county, with a repayment in 2025 in 下庄村 (A2) so its year 2025 has a surplus, that
    surplus allocated and approved, and two member logins linked to their households."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_county()
            a1, a2 = world.branches["A1"], world.branches["A2"]
            repay(a2, world.loans["L5"], "500", D(2025, 12, 20))
            book = book_for_association(a2.association)
            with at(D(2026, 2, 1)):
                allocation = surplus_propose(book=book, year=2025, by=a2.users[Role.VILLAGE_CLERK])
                surplus_decide(
                    allocation=allocation,
                    by=a2.users[Role.VILLAGE_BOARD],
                    approve=True,
                    on=D(2026, 2, 1),
                )
            member_link_login(member=world.loans["L5"].member, user=a2.users[Role.MEMBER])
            member_link_login(member=world.loans["L2"].member, user=a1.users[Role.MEMBER])
            world.book = book
            world.allocation = allocation
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def county(_county, db):
    with at(TODAY):
        yield _county


@pytest.fixture(scope="module", autouse=True)
def _each_pdf_rendered_once():
    real, made = loan_documents.to_pdf, {}

    def to_pdf(html: str) -> bytes:
        if html not in made:
            made[html] = real(html)
        return made[html]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loan_documents, "to_pdf", to_pdf)
        yield


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _workbook(response):
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _number(cell) -> Decimal | None:
    return None if cell is None else Decimal(str(cell))


def col(key: str) -> int:
    """The column (from 0) of a figure in the monthly table: code, name, then the figures."""
    return 2 + [k for k, _h, _kind in MONTHLY_COLUMNS].index(key)


# --- the monthly table ------------------------------------------------------------------------


def test_parse_month():
    today = D(2026, 6, 30)
    assert parse_month("2026-03", today=today) == D(2026, 3, 1)
    assert parse_month("", today=today) == D(2026, 5, 1)
    assert parse_month(None, today=D(2026, 1, 5)) == D(2025, 12, 1)
    assert parse_month("2026-06", today=today) == JUNE  # the current month, so far
    for bad in ("2026-13", "2026-00", "junk", "2026/03", "1999-12", "2026-07", "99999-1"):
        with pytest.raises(MonthError):
            parse_month(bad, today=today)


def test_the_township_table_has_a_row_per_village_with_the_indicators(client, county):
    client.force_login(county.branches["A1"].users[Role.TOWNSHIP_STATION])
    url = reverse("reports:monthly_table", args=["620123100"])
    book = _workbook(client.get(url, {"month": "2026-06"}))
    assert book.sheetnames == ["月报表"]
    sheet = book.active
    assert sheet["A1"].value == "城关镇 月报表，2026年6月"
    headers = [c.value for c in sheet[2]]
    with translation.override("zh-hans"):
        assert headers == ["区划代码", "名称", *(str(h) for _k, h, _kind in MONTHLY_COLUMNS)]
    assert "月末借款余额" in headers and "资金使用率" in headers
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    township = Area.objects.get(code="620123100")
    expected = child_figures(area=township, on=JUNE_END, start=JUNE)
    *villages, total = rows
    assert [r[:2] for r in villages] == [[a.code, a.name] for a, _f in expected]
    for row, (_area, figures) in zip(villages, expected, strict=True):
        for key, _header, _kind in MONTHLY_COLUMNS:
            value = getattr(figures, key)
            assert row[col(key)] == value or _number(row[col(key)]) == value, key
    whole = area_figures(area=township, on=JUNE_END, start=JUNE)
    assert total[1] == "合计" and total[col("members")] == whole.members == 9
    assert _number(total[col("outstanding_principal")]) == whole.outstanding_principal
    assert _number(total[col("on_time_repayment_rate")]) == whole.on_time_repayment_rate
    # The figures are real: 下庄村 has the overdue 6,000 of L3 (L5 was extended).
    assert _number(villages[1][col("overdue_principal")]) == Decimal("6000.00")
    assert sheet.cell(row=3, column=col("outstanding_principal") + 1).number_format == "#,##0.00"
    assert sheet.cell(row=3, column=col("par30") + 1).number_format == "0.00%"


def test_the_county_table_has_a_row_per_township(client, county):
    client.force_login(county.branches["B1"].users[Role.COUNTY_OFFICE])
    sheet = _workbook(
        client.get(reverse("reports:monthly_table", args=["620123"]), {"month": "2026-03"})
    ).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [r[1] for r in rows] == ["城关镇", "夏官营镇", "合计"]
    march = area_figures(
        area=Area.objects.get(code="620123101"), on=D(2026, 3, 31), start=D(2026, 3, 1)
    )
    assert (
        _number(rows[1][col("disbursed")]) == march.disbursed == Decimal("4000.00")
    )  # L8 paid out 03-10


def test_the_village_table_is_its_own_row_and_its_loans(client, county):
    client.force_login(county.branches["A1"].users[Role.VILLAGE_CLERK])
    book = _workbook(
        client.get(reverse("reports:monthly_table", args=["620123100201"]), {"month": "2026-05"})
    )
    assert book.sheetnames == ["月报表", "月末借款"]
    rows = [[c.value for c in row] for row in book["月报表"].iter_rows(min_row=3)]
    assert [r[1] for r in rows] == ["三角城村", "合计"]
    may = area_figures(
        area=Area.objects.get(code="620123100201"), on=D(2026, 5, 31), start=D(2026, 5, 1)
    )
    # L2 paid 3,000 on 05-01, its usage fee first.
    assert _number(rows[0][col("repaid_principal")]) == may.repaid_principal > Decimal("2800")
    assert _number(rows[0][col("usage_fee_income")]) == may.usage_fee_income
    assert may.repaid_principal + may.usage_fee_income == Decimal("3000.00")
    loans = [[c.value for c in row] for row in book["月末借款"].iter_rows(min_row=3)]
    names = {county.loans["L1"].member.name, county.loans["L2"].member.name}
    assert {row[1] for row in loans} == names
    assert sum(_number(row[12]) for row in loans) == may.outstanding_principal


def test_the_current_month_runs_to_today(county):
    from reports.selectors.monthly import monthly_table

    village = Area.objects.get(code="620123100201")
    may = D(2026, 5, 1)
    table = monthly_table(area=village, month=may, today=D(2026, 5, 15))
    assert table.partial and table.end == D(2026, 5, 15)
    assert table.total == area_figures(area=village, on=D(2026, 5, 15), start=may)
    # L1 falls due on 05-30: on 05-15 it is not overdue, at the month's end it is.
    assert table.total.overdue_principal == 0
    assert area_figures(area=village, on=D(2026, 5, 31), start=may).overdue_principal == Decimal(
        "10000.00"
    )
    assert not monthly_table(area=village, month=may, today=D(2026, 6, 15)).partial


@pytest.mark.parametrize("month", ["2026-13", "abc", "2027-01", "2026-06-01"])
def test_a_bad_month_is_a_clear_message(client, county, month):
    client.force_login(county.branches["A1"].users[Role.TOWNSHIP_STATION])
    url = reverse("reports:monthly_table", args=["620123100"])
    response = client.get(url, {"month": month}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("reports:dashboard", args=["620123100"])
    page = response.content.decode()
    assert "2026-03" in page or "has not begun" in page or "尚未开始" in page


def test_the_monthly_table_is_scoped(client, county):
    client.force_login(county.branches["A1"].users[Role.TOWNSHIP_STATION])
    other = reverse("reports:monthly_table", args=["620123101"])
    assert client.get(other, {"month": "2026-06"}).status_code == 404
    client.force_login(county.branches["A1"].users[Role.MEMBER])
    assert client.get(reverse("reports:monthly_table", args=["620123100201"])).status_code == 404


def test_every_dashboard_offers_the_monthly_table(client, county):
    client.force_login(county.branches["A1"].users[Role.COUNTY_OFFICE])
    for code in ("620123", "620123100", "620123100201"):
        page = client.get(reverse("reports:dashboard", args=[code])).content.decode()
        assert reverse("reports:monthly_table", args=[code]) in page
        assert 'type="month"' in page


# --- the association's yearly statement -------------------------------------------------------


def test_the_yearly_statement_balances_and_matches_the_books(county):
    book = county.book
    statement = yearly_statement(book=book, year=2025)
    assert statement.surplus == year_surplus(book, 2025) == county.allocation.surplus > 0
    closing = balances_by_key(book=book, through=D(2025, 12, 31))
    assert statement.assets.closing == closing["cash"] + closing.get("bank", 0) + closing[
        "loans_receivable"
    ] + closing.get("fee_receivable", 0)
    for section_start, section_end in (("opening", "closing"),):
        assets = getattr(statement.assets, section_end)
        assert assets == statement.liabilities.closing + statement.net_assets.closing
        assert statement.assets.opening == (
            statement.liabilities.opening + statement.net_assets.opening
        ), section_start
    # In 2026 the approved allocation closed 2025's income into the funds (dated 2026-02-01).
    later = yearly_statement(book=book, year=2026)
    funds = {line.key: line.closing for line in later.net_assets.lines}
    shares = dict(surplus_shares(county.allocation))
    assert funds["accumulation"] == shares["accumulation"]
    assert later.surplus == year_surplus(book, 2026)
    assert later.assets.closing == later.liabilities.closing + later.net_assets.closing


@pytest.fixture(scope="module")
def yearly_pdf(_county, django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock(), at(TODAY):
        client = Client()
        client.force_login(_county.branches["A2"].users[Role.VILLAGE_CLERK])
        response = client.get(
            reverse("reports:yearly_statement_pdf", args=[_county.book.pk]), {"year": "2025"}
        )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_the_yearly_pdf_shows_the_books_figures_in_chinese(county, yearly_pdf):
    text = _text(yearly_pdf)
    statement = yearly_statement(book=county.book, year=2025)
    for heading in ("年度财务报告", "一、资产负债表", "二、收入支出", "三、结余分配"):
        assert heading in text, heading
    assert _money(statement.assets.closing) in text
    assert _money(statement.surplus) in text
    for _key, amount in surplus_shares(county.allocation):
        assert _money(amount) in text
    fonts = _fonts(yearly_pdf)
    assert fonts and all("CJK" in name for name in fonts), fonts  # no box for a missing glyph


def test_the_yearly_page_and_its_links(client, county):
    clerk = county.branches["A2"].users[Role.VILLAGE_CLERK]
    client.force_login(clerk)
    url = reverse("reports:yearly_statement", args=[county.book.pk])
    page = client.get(url, {"year": "2025"}).content.decode()
    statement = yearly_statement(book=county.book, year=2025)
    assert _money(statement.surplus) in page
    assert reverse("reports:yearly_statement_pdf", args=[county.book.pk]) + "?year=2025" in page
    assert url in client.get(reverse("funds:book_detail", args=[county.book.pk])).content.decode()
    dashboard = client.get(reverse("reports:dashboard", args=["620123100202"])).content.decode()
    assert url in dashboard
    # A bad year is a message on the page, and the PDF sends back to the page.
    response = client.get(url, {"year": "20x5"})
    assert response.status_code == 200
    assert "2000" in response.content.decode()
    pdf = client.get(
        reverse("reports:yearly_statement_pdf", args=[county.book.pk]), {"year": "3000"}
    )
    assert pdf.status_code == 302 and pdf["Location"] == url


def test_the_yearly_statement_is_scoped(client, county):
    client.force_login(county.branches["A1"].users[Role.VILLAGE_CLERK])
    assert client.get(reverse("reports:yearly_statement", args=[county.book.pk])).status_code == 404
    client.force_login(county.branches["A2"].users[Role.MEMBER])
    assert client.get(reverse("reports:yearly_statement", args=[county.book.pk])).status_code == 404


def test_the_member_reads_the_approved_yearly_statement_from_the_notices(client, county):
    client.force_login(county.branches["A2"].users[Role.MEMBER])
    notices = client.get(reverse("loans:member_notices")).content.decode()
    url = reverse("loans:member_yearly_statement_pdf")
    assert url in notices
    response = client.get(url)
    assert response.status_code == 200
    assert _money(county.allocation.surplus) in _text(response.content)
    # 三角城村 has no approved year: no link, and the address shows the notices saying so.
    client.force_login(county.branches["A1"].users[Role.MEMBER])
    assert url not in client.get(reverse("loans:member_notices")).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "还没有批准的年度收支情况" in response.content.decode()


# --- the member statement ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def member_pdf(_county, django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock(), at(TODAY):
        client = Client()
        client.force_login(_county.branches["A2"].users[Role.MEMBER])
        response = client.get(reverse("loans:member_statement_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    return response.content


def test_the_member_statement_pdf_has_the_pages_figures(county, member_pdf):
    text = _text(member_pdf)
    loan = county.loans["L5"]
    member = loan.member
    assert "社员对账单" in text and member.name in text
    assert member.masked_id_number in text and member.id_number not in text
    assert _money(loan.amount) in text and "2025-12-20" in text  # the repayment
    assert _money(loan.principal_outstanding) in text
    assert _money(contribution_held(member)) in text
    repayment = loan.repayments.get()
    assert _money(repayment.principal) in text and _money(repayment.usage_fee) in text
    assert _money(county.allocation.surplus) in text  # the association's approved year
    for heading in ("一、", "二、", "三、借款", "四、"):
        assert heading in text, heading
    fonts = _fonts(member_pdf)
    assert fonts and all("CJK" in name for name in fonts), fonts


def test_the_statement_page_links_the_pdf(client, county):
    client.force_login(county.branches["A2"].users[Role.MEMBER])
    page = client.get(reverse("loans:member_statement")).content.decode()
    assert reverse("loans:member_statement_pdf") in page


def test_a_member_gets_only_their_own_statement(client, county, member_pdf):
    other = county.loans["L5"].member
    client.force_login(county.branches["A1"].users[Role.MEMBER])
    own = client.get(reverse("loans:member_statement_pdf"))
    assert own.status_code == 200
    text = _text(own.content)
    assert county.loans["L2"].member.name in text and other.name not in text
    # The staff address with another household's id, or its own, is not for a member login.
    for member in (other, county.loans["L2"].member):
        url = reverse("reports:member_statement_pdf", args=[member.pk])
        assert client.get(url).status_code == 404


def test_the_clerk_downloads_a_members_statement_in_scope_only(client, county, member_pdf):
    member = county.loans["L5"].member
    url = reverse("reports:member_statement_pdf", args=[member.pk])
    client.force_login(county.branches["A2"].users[Role.VILLAGE_CLERK])
    page = client.get(reverse("associations:member_detail", args=[member.pk])).content.decode()
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response.content == member_pdf  # the same document the member downloads
    assert ExportRecord.objects.filter(
        kind="member_statement", by__username__endswith="_a2"
    ).exists()
    client.force_login(county.branches["A1"].users[Role.VILLAGE_CLERK])
    assert client.get(url).status_code == 404
    client.force_login(county.branches["A1"].users[Role.TOWNSHIP_STATION])
    assert client.get(url).status_code == 200
