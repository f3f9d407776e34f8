"""Every link on every member page leads to a page the member may open (issue 12): starting
from the home page, the member login follows each link it is shown (receipts and PDFs too)
and gets neither a 404, a 403 nor a 500; no page it reaches carries a staff menu, a login
name, a division code or another household's loan."""

import datetime
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from associations.models import Role
from funds.services import surplus_decide, surplus_propose
from loans.models import Repayment
from loans.services import money
from tests.loans.conftest import apply_for, to_ready
from tests.loans.test_member_home import household, monthly  # noqa: F401 (shared fixtures)
from tests.loans.test_member_statement import two_repayments  # noqa: F401

D = datetime.date
pytestmark = pytest.mark.today(datetime.datetime(2026, 1, 15, 9, 0))
HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')
FORM = re.compile(r'<form\b[^>]*\bmethod="(\w+)"[^>]*\baction="([^"]+)"')


@pytest.fixture
def neighbour_loan(world, monthly, group, users, purposes):  # noqa: F811
    """A loan of 4,321 yuan to another household of the member's own group, paid out the same
    day: its amount and name must appear on none of the member's pages."""
    neighbour = group.memberships.filter(role="household").first().member
    loan = to_ready(apply_for(world, neighbour, group, users, purposes, amount="4321"), users)
    return money.loan_disburse(loan=loan, by=users[Role.TOWNSHIP_STATION], on=D(2026, 1, 15))


@pytest.fixture
def approved_year(neighbour_loan, two_repayments, book, users, _today):  # noqa: F811
    """The association's year 2026 allocated and approved in January 2027, so the notices and
    the statement show it (and link its PDF)."""
    _today.move_to(datetime.datetime(2027, 1, 10, 9, 0))
    allocation = surplus_propose(book=book, year=2026, by=users[Role.VILLAGE_CLERK])
    return surplus_decide(
        allocation=allocation, by=users[Role.VILLAGE_BOARD], approve=True, on=D(2027, 1, 10)
    )


def test_every_link_on_every_member_page_opens(client, world, approved_year, neighbour_loan):
    login = world.inside.users[Role.MEMBER]
    client.force_login(login)
    queue = ["/"]
    found_on = {"/": "(start)"}
    status: dict[str, int] = {}
    html_pages: list[str] = []
    while queue:
        url = queue.pop(0)
        if url in status:
            continue
        response = client.get(url, follow=True)  # a redirect counts by where it lands
        status[url] = response.status_code
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        html_pages.append(url)
        page = re.sub(r"<[^>]+>", " ", html)
        assert login.username not in html, url
        assert world.inside.village.code not in html, url
        assert "pico" not in html and "4321" not in page, url
        assert neighbour_loan.member.name not in page, url
        for href in HREF.findall(html):
            parts = urlsplit(href)
            assert not parts.netloc, f"{url} links away: {href}"
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            found_on.setdefault(target, url)
            queue.append(target)
        for method, action in FORM.findall(html):
            assert method.lower() == "post", f"{url}: a {method} form to {action}"
            resolve(urlsplit(action).path)  # an action the site answers (POSTs not sent)
    refused = {(url, found_on[url]): code for url, code in status.items() if code != 200}
    assert not refused, refused
    # Every member page was reached, each receipt and each PDF too.
    repayments = Repayment.objects.filter(loan__member__user=login)
    receipts = [reverse("loans:member_receipt", args=[r.pk]) for r in repayments]
    for name in (
        "loans:member_schedule",
        "loans:member_repayments",
        "loans:member_statement",
        "loans:member_notices",
        "loans:member_account",
        "loans:member_statement_pdf",
        "loans:member_yearly_statement_pdf",
    ):
        assert reverse(name) in status, name
    assert set(receipts) <= set(html_pages) and len(receipts) == 2
    assert len([u for u in status if u.startswith("/loans/")]) == 2  # the receipts as PDF
    # The approved year is on the statement page, as in the PDF.
    statement = client.get(reverse("loans:member_statement")).content.decode()
    assert "2026年结余" in statement and str(approved_year.surplus) in statement


def test_the_surplus_is_the_years_usage_fees(approved_year):
    # 2026's income: the usage fees of both loans' repayments; the member paid 53.59 of it and
    # the neighbour nothing; no costs were booked.
    assert approved_year.surplus == Decimal("53.59")
