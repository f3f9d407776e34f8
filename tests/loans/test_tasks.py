import datetime

import time_machine

from loans.models import LoanTransition
from loans.tasks import expire_notices
from mutualaid.celery import app


def test_notice_expiry_job_is_scheduled():
    entry = app.conf.beat_schedule["loans-expire-notices"]
    assert entry["task"] == expire_notices.name


def test_notice_expiry_job_moves_loans_once(world, book, borrower, group, users, purposes):
    from loans import lending
    from tests.loans.conftest import apply_for

    with time_machine.travel(datetime.datetime(2026, 1, 10, 9, 0), tick=False):
        loan = apply_for(world, borrower, group, users, purposes)
        lending.loan_submit(loan=loan, by=users["village_clerk"])
        lending.loan_board_review(loan=loan, by=users["village_board"])
        lending.loan_approve(loan=loan, by=users["township_committee"])
        assert expire_notices.delay().get() == 0  # the 3-day notice runs to 01-13
    with time_machine.travel(datetime.datetime(2026, 1, 13, 9, 0), tick=False):
        assert expire_notices.delay().get() == 1
        assert expire_notices.delay().get() == 0
    loan.refresh_from_db()
    assert loan.status == "ready"
    assert LoanTransition.objects.filter(loan=loan, to_status="ready").count() == 1
