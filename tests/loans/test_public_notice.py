"""The village public notice (公示): the loans in notice with borrower, village group, amount,
term, purpose, guarantee and notice period, ID numbers masked, and how to object; as a page
and an A4 PDF in Chinese, reached from the loan list and the village dashboard. Scoping (out
of the village's tree is 404) is walked by tests/test_scoping.py."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from associations.models import Role
from loans.services import applications
from tests.loans.conftest import apply_for

D = datetime.date


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime.datetime(2026, 1, 10, 9, 0), tick=False):
        yield


@pytest.fixture
def in_notice(world, book, borrower, group, users, purposes):
    loan = apply_for(world, borrower, group, users, purposes, amount="8000")
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    applications.loan_approve(loan=loan, by=users[Role.TOWNSHIP_COMMITTEE], on=D(2026, 1, 10))
    loan.refresh_from_db()
    assert loan.status == "in_notice"
    return loan


def _pdf_text(pdf: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return "\n".join(page.extract_text() for page in reader.pages), fonts


def test_the_notice_page_lists_the_loan_with_the_id_masked(client, world, in_notice):
    member = in_notice.member
    client.force_login(world.inside.users[Role.VILLAGE_BOARD])
    page = client.get(reverse("loans:public_notice", args=[world.inside.village.code]))
    text = page.content.decode()
    assert page.status_code == 200
    assert member.name in text and member.masked_id_number in text
    assert member.id_number not in text
    assert member.village_group.name in text and "8,000.00" in text
    assert str(in_notice.purpose) in text and in_notice.group.name in text
    assert f"2026-01-10 – {in_notice.notice_ends_on:%Y-%m-%d}" in text
    assert "异议" in text and world.inside.township.name in text


def test_the_notice_prints_as_a_chinese_a4_pdf(client, world, in_notice):
    member = in_notice.member
    client.force_login(world.inside.users[Role.TOWNSHIP_STATION])
    response = client.get(reverse("loans:public_notice_pdf", args=[world.inside.village.code]))
    assert response["Content-Type"] == "application/pdf"
    text, fonts = _pdf_text(response.content)
    assert "互助资金借款公示" in text.replace(" ", "")
    assert member.masked_id_number in text and member.id_number not in text
    assert fonts and all("CJK" in name for name in fonts), fonts
    width, height = PdfReader(io.BytesIO(response.content)).pages[0].mediabox.upper_right
    assert (round(float(width)), round(float(height))) == (842, 595)  # A4 landscape, points


def test_the_loan_list_and_the_village_dashboard_link_the_notice(client, world, in_notice):
    village = world.inside.village.code
    url = reverse("loans:public_notice", args=[village])
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    assert url in client.get(reverse("loans:loan_list")).content.decode()
    assert url in client.get(reverse("reports:dashboard", args=[village])).content.decode()
    client.force_login(world.inside.users[Role.COUNTY_OFFICE])
    listed = client.get(reverse("loans:loan_list"), {"area": village}).content.decode()
    assert url in listed


def test_a_township_has_no_notice_page(client, world):
    client.force_login(world.inside.users[Role.COUNTY_OFFICE])
    township = world.inside.township.code
    assert client.get(reverse("loans:public_notice", args=[township])).status_code == 404
