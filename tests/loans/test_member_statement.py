"""The member's statement page carries the member statement PDF's content (issue 12): the
household, each loan with its schedule and repayments, the contribution the books hold and the
association's approved year, read by the PDF's own selector and checked by hand on a loan with
two repayments; as cards on a phone, states in Chinese, linking the PDF."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from associations.services.members import contribution_receive
from loans.services import money
from reports import documents
from reports.selectors.statements import member_statement_document
from tests.loans.test_member_home import household, monthly  # noqa: F401 (shared fixtures)

D = datetime.date
pytestmark = pytest.mark.today(datetime.datetime(2026, 1, 15, 9, 0))


@pytest.fixture
def two_repayments(monthly, household, users, _today):  # noqa: F811
    """The 6,000 monthly loan with its first two instalments paid on their due dates, and a
    contribution of 300 received on the day it was paid out."""
    clerk = users[Role.VILLAGE_CLERK]
    contribution_receive(member=household, amount=Decimal("300"), on=D(2026, 1, 15), by=clerk)
    # 02-15: the usage fee on 6,000 for 31 days, 6000 × 0.06 × 31/365 = 30.575… → 30.58.
    _today.move_to(datetime.datetime(2026, 2, 15, 9, 0))
    money.repayment_record(
        loan=monthly, amount=Decimal("1030.58"), paid_on=D(2026, 2, 15), by=clerk, token="a"
    )
    # 03-15: on 5,000 for 28 days, 5000 × 0.06 × 28/365 = 23.013… → 23.01.
    _today.move_to(datetime.datetime(2026, 3, 15, 9, 0))
    money.repayment_record(
        loan=monthly, amount=Decimal("1023.01"), paid_on=D(2026, 3, 15), by=clerk, token="b"
    )
    _today.move_to(datetime.datetime(2026, 4, 20, 9, 0))  # the third instalment 5 days overdue
    return monthly


def _page(client, world):
    client.force_login(world.inside.users[Role.MEMBER])
    response = client.get(reverse("loans:member_statement"))
    assert response.status_code == 200
    return response


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_shows_the_selectors_figures(client, world, household, two_repayments):  # noqa: F811
    response = _page(client, world)
    doc = response.context["doc"]
    st = doc.statement
    # Hand-checked: 2 repayments, 2,000 principal, 30.58 + 23.01 = 53.59 usage fee, no overdue fee.
    assert st.contribution == Decimal("300.00")
    assert st.repayments == 2
    assert st.paid_principal == Decimal("2000.00")
    assert st.paid_usage_fee == Decimal("53.59")
    assert st.paid_overdue_fee == Decimal("0")
    [part] = doc.loans
    assert part.loan.principal_outstanding == Decimal("4000.00")
    assert [(c.number, c.status, c.paid, c.unpaid) for c in part.cards] == [
        (1, "paid", Decimal("1000.00"), Decimal("0.00")),
        (2, "paid", Decimal("1000.00"), Decimal("0.00")),
        (3, "overdue", Decimal("0.00"), Decimal("1000.00")),
        (4, "upcoming", Decimal("0.00"), Decimal("1000.00")),
        (5, "upcoming", Decimal("0.00"), Decimal("1000.00")),
        (6, "upcoming", Decimal("0.00"), Decimal("1000.00")),
    ]
    assert part.cards[2].days_overdue == 5
    assert [(r.paid_on, r.amount, r.usage_fee) for r in part.repayments] == [
        (D(2026, 2, 15), Decimal("1030.58"), Decimal("30.58")),
        (D(2026, 3, 15), Decimal("1023.01"), Decimal("23.01")),
    ]
    # One source of figures: the page's document is the one the PDF is built from.
    pdf_doc = member_statement_document(household, on=D(2026, 4, 20))
    assert pdf_doc.statement == st
    assert [(p.loan.pk, p.cards, [r.pk for r in p.repayments]) for p in pdf_doc.loans] == [
        (part.loan.pk, part.cards, [r.pk for r in part.repayments])
    ]
    # ... and the page prints them, in Chinese.
    page = _text(response.content.decode())
    for figure in ("300.00", "2000.00", "53.59", "4000.00", "6000.00", "1030.58", "1023.01"):
        assert figure in page, figure
    assert "本金 1000.00 已还 1000.00 未还 0.00" in page
    assert "第 3 期 · 2026-04-15 逾期 5 天" in page
    assert "2026-03-15 · 1023.01" in page and "占用费 23.01" in page
    assert "已还清" in page and "未到期" in page and "6.00%" in page
    assert household.masked_id_number in page and household.id_number not in page
    assert "还没有批准的年度收支情况" in page
    # The PDF carries the same figures (its HTML, before WeasyPrint).
    pdf = _text(documents.member_statement_html(household, on=D(2026, 4, 20)))
    for figure in ("300.00", "2,000.00", "53.59", "4,000.00", "1,030.58", "1,023.01"):
        assert figure in pdf, figure


def test_a_phone_page_with_receipts_and_the_pdf_linked(client, world, two_repayments):
    html = _page(client, world).content.decode()
    assert "<table" not in html
    assert reverse("loans:member_statement_pdf") in html
    for repayment in two_repayments.repayments.all():
        assert reverse("loans:member_receipt", args=[repayment.pk]) in html


def test_no_loan_yet(client, world, household):  # noqa: F811
    response = _page(client, world)
    assert response.context["doc"].loans == []
    assert "还没有借款" in response.content.decode()
