import datetime

import time_machine

from loans.models import LoanTransition
from loans.tasks import expire_notices
from mutualaid.celery import app
from tests import factories


def test_notice_expiry_job_is_scheduled():
    entry = app.conf.beat_schedule["loans-expire-notices"]
    assert entry["task"] == expire_notices.name


def test_notice_expiry_job_moves_loans_once(world, book, borrower, group, users, purposes):
    from loans.services import applications
    from tests.loans.conftest import apply_for

    with time_machine.travel(datetime.datetime(2026, 1, 10, 9, 0), tick=False):
        loan = apply_for(world, borrower, group, users, purposes)
        applications.loan_submit(loan=loan, by=users["village_clerk"])
        applications.loan_board_review(loan=loan, by=users["village_board"])
        applications.loan_approve(loan=loan, by=users["township_committee"])
        assert expire_notices.delay().get() == 0  # the 3-day notice runs to 01-13
    with time_machine.travel(datetime.datetime(2026, 1, 13, 9, 0), tick=False):
        assert expire_notices.delay().get() == 1
        assert expire_notices.delay().get() == 0
    loan.refresh_from_db()
    assert loan.status == "ready"
    assert LoanTransition.objects.filter(loan=loan, to_status="ready").count() == 1


def test_waitlists_are_released_by_the_hourly_job(world, book, borrower, group, users, purposes):
    from decimal import Decimal

    from funds.journal import Cr, Dr, journal_post
    from funds.services import capital_receive
    from loans.services import applications
    from loans.tasks import release_waitlists
    from tests.loans.conftest import apply_for

    with time_machine.travel(datetime.datetime(2026, 1, 10, 9, 0), tick=False):
        journal_post(
            book=book,
            date=datetime.date(2026, 1, 3),
            memo="支出",
            kind="other",
            by=None,
            lines=[Dr("running_costs", Decimal("48000")), Cr("cash", Decimal("48000"))],
        )
        loan = apply_for(world, borrower, group, users, purposes, amount="5000")
        applications.loan_submit(loan=loan, by=users["village_clerk"])
        loan.refresh_from_db()
        assert loan.status == "waitlisted"
        assert release_waitlists.delay().get() == 0
        capital_receive(
            book=book,
            source="social",
            contributor="捐赠",
            into="cash",
            amount=Decimal("3000"),
            received_on=datetime.date(2026, 1, 9),
            by=factories.clerk_of(book.association),
        )
        assert release_waitlists.delay().get() == 1
    loan.refresh_from_db()
    assert loan.status == "submitted"
    assert app.conf.beat_schedule["loans-release-waitlists"]["task"] == release_waitlists.name


def test_an_exited_member_cannot_submit(world, book, borrower, group, users, purposes):
    from decimal import Decimal

    from associations.models import Member
    from loans.exceptions import LoanRuleError
    from loans.services import applications
    from tests.loans.conftest import apply_for

    loan = apply_for(world, borrower, group, users, purposes)
    Member.objects.filter(pk=borrower.pk).update(
        status="exited",
        exited_on=datetime.date(2026, 1, 1),
        exit_reason="迁出",
        refund_amount=Decimal("0.00"),
    )
    loan.member.refresh_from_db()
    try:
        applications.loan_submit(loan=loan, by=users["village_clerk"])
    except LoanRuleError as error:
        assert error.code == "not_member"
    else:
        raise AssertionError("an exited household was allowed to submit")
    loan.refresh_from_db()
    assert loan.status == "draft" and not LoanTransition.objects.filter(loan=loan).exists()
