"""Home pages as work queues: each role sees what waits for it in its own area, and the
clerk's page costs the same number of queries whatever the number of loans."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from associations.models import Role
from funds.journal import book_for_association
from funds.services import capital_receive
from guarantees.services import group_form
from loans.services import applications, money
from tests import factories
from tests.loans.conftest import apply_for

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)


def _borrower(world, name: str):
    """A household in a group of its own (a leader and three households), so that one
    borrower's overdue loan stops no one else's application."""
    association = world.inside.association
    borrower = factories.member(association, name=name)
    group = group_form(
        association=association,
        name=f"{name}小组",
        formed_on=D(2024, 1, 1),
        leaders=[factories.member(association, name=f"{name}组长", is_party_member=True)],
        households=[borrower, *(factories.member(association, name=f"{name}{i}") for i in (1, 2))],
        by=factories.clerk_of(association),
    )
    return borrower, group


def _apply(world, users, purposes, name, amount="5000", term=1):
    borrower, group = _borrower(world, name)
    return apply_for(world, borrower, group, users, purposes, amount=amount, term_months=term)


def _to(loan, users, stage: str, on: datetime.date | None = None):
    on = on or timezone.localdate()
    loan = applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    if stage == "submitted":
        return loan
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    if stage == "board_reviewed":
        return loan
    applications.loan_approve(
        loan=loan,
        by=users[Role.TOWNSHIP_COMMITTEE],
        on=on - 6 * DAY if stage != "in_notice" else on,
    )
    if stage == "in_notice":
        return loan
    applications.notices_expire(today=on)
    loan.refresh_from_db()
    if stage == "ready":
        return loan
    return money.loan_disburse(loan=loan, by=users[Role.TOWNSHIP_STATION], on=on, into="cash")


def _lent(world, users, purposes, name, *, due_in_days: int, amount="5000"):
    """A one-month lump-sum loan falling due `due_in_days` from today (negative: overdue)."""
    today = timezone.localdate()
    due = today + due_in_days * DAY
    disbursed = due - datetime.timedelta(days=31)
    # The schedule falls due one calendar month after the disbursement.
    return _to(_apply(world, users, purposes, name, amount=amount), users, "lent", on=disbursed)


@pytest.fixture
def capital(world):
    book = book_for_association(world.inside.association)
    capital_receive(
        book=book,
        source="government",
        contributor="县财政局",
        into="cash",
        amount=Decimal("30000"),
        received_on=D(2025, 6, 1),
        by=factories.clerk_of(world.inside.association),
    )
    return book


@pytest.fixture
def queues(world, capital, users, purposes):
    """One item of every queue, then the overdue loans (their groups are stopped after)."""
    today = timezone.localdate()
    items = {
        "due": _lent(world, users, purposes, "将到期", due_in_days=3),
        "draft": _apply(world, users, purposes, "草稿户"),
        "submitted": _to(_apply(world, users, purposes, "待初审"), users, "submitted"),
        "reviewed": _to(_apply(world, users, purposes, "待审批"), users, "board_reviewed"),
        "notice": _to(_apply(world, users, purposes, "公示户"), users, "in_notice"),
        "ready": _to(_apply(world, users, purposes, "待放款"), users, "ready"),
    }
    # 30,000 less 5,000 lent, 5,000 in notice, 5,000 ready and the two overdue loans below
    # (10,000): 5,000 left, so an application of 8,000 waits for funds.
    items["overdue"] = _lent(world, users, purposes, "逾期户", due_in_days=-40)
    old = _apply(world, users, purposes, "核销户")
    old = _to(old, users, "lent", on=D(2025, 7, 1))
    items["write_off"] = money.write_off_propose(
        loan=old, by=users[Role.VILLAGE_BOARD], reason="外出失联", on=today
    )
    waiting = _apply(world, users, purposes, "等资金", amount="8000")
    items["waitlisted"] = _to(waiting, users, "submitted")
    return items


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_clerk_sees_due_overdue_drafts_and_waitlist(client, world, users, queues):
    assert queues["waitlisted"].status == "waitlisted"
    page = _home(client, users[Role.VILLAGE_CLERK])
    for name in ("将到期", "逾期户", "核销户", "草稿户", "等资金"):
        assert name in page
    for name in ("待初审", "待审批", "待放款"):  # other roles' queues
        assert name not in page


def test_board_sees_applications_to_review(client, world, users, queues):
    page = _home(client, users[Role.VILLAGE_BOARD])
    assert "待初审" in page
    assert "待审批" not in page and "草稿户" not in page


def test_committee_sees_decisions_write_offs_and_notices_apart(client, world, users, queues):
    page = _home(client, users[Role.TOWNSHIP_COMMITTEE])
    decisions, _rest = page.split("待审批", 1)
    assert "公示户" not in decisions  # notices are their own panel, after the decisions
    assert "公示户" in page and "核销户" in page and "外出失联" in page
    assert "待初审" not in page


def test_station_sees_loans_ready_and_books_to_close(client, world, users, queues, capital):
    page = _home(client, users[Role.TOWNSHIP_STATION])
    assert "待放款" in page
    assert reverse("funds:book_detail", args=[capital.pk]) in page
    assert "公示户" not in page


def test_county_office_sees_its_dashboard_with_unmet_demand_and_par30(client, world, users, queues):
    page = _home(client, users[Role.COUNTY_OFFICE])
    assert reverse("reports:dashboard", args=[world.inside.county.code]) in page
    assert "8,000.00" in page  # the application waiting for funds
    assert "待放款" not in page


def test_out_of_scope_staff_see_none_of_it(client, world, queues):
    page = _home(client, world.outside.users[Role.VILLAGE_CLERK])
    assert "将到期" not in page and "逾期户" not in page


def test_clerk_home_queries_do_not_grow_with_the_loans(client, world, users, capital, purposes):
    clerk = users[Role.VILLAGE_CLERK]
    _lent(world, users, purposes, "甲", due_in_days=2, amount="2000")
    _apply(world, users, purposes, "乙", amount="2000")
    _lent(world, users, purposes, "丙", due_in_days=-35, amount="2000")
    _home(client, clerk)  # warm the session and the scope cache
    with CaptureQueriesContext(connection) as small:
        _home(client, clerk)
    for name in ("丁", "戊", "己"):
        _lent(world, users, purposes, f"{name}到期", due_in_days=4, amount="2000")
        _apply(world, users, purposes, f"{name}草稿", amount="2000")
    for name in ("庚", "辛"):
        _lent(world, users, purposes, f"{name}逾期", due_in_days=-33, amount="2000")
    _home(client, clerk)
    with CaptureQueriesContext(connection) as large:
        page = _home(client, clerk)
    assert "丁到期" in page and "辛逾期" in page
    assert len(large) == len(small)
