import datetime
import logging

import pytest
import time_machine

from loans.models import Reminder
from loans.services.reminders import reminders_send
from loans.tasks import send_reminders
from mutualaid.celery import app

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 1, 15, 9, 0), tick=False) as traveller:
        yield traveller


def test_before_the_due_date_the_borrower_is_reminded_once(lent, caplog):
    # The lump sum of 10,000 falls due on 2027-01-15.
    caplog.set_level(logging.INFO, logger="mutualaid.messages")
    assert reminders_send(today=D(2027, 1, 7)) == 0  # 8 days before: nothing
    assert reminders_send(today=D(2027, 1, 8)) == 1
    assert reminders_send(today=D(2027, 1, 8)) == 0  # the job runs again: nothing twice
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.member) == ("before_7", lent.member)
    assert "10000.00" in caplog.text and "2027-01-15" in caplog.text


def test_from_seven_days_overdue_the_group_leaders_hear_too(lent, group):
    assert reminders_send(today=D(2027, 1, 16)) == 1  # 1 day overdue: the borrower
    leaders = {m.member for m in group.memberships.filter(role="leader")}
    assert reminders_send(today=D(2027, 1, 22)) == 1 + len(leaders)
    to = set(Reminder.objects.filter(kind="overdue_7").values_list("member_id", flat=True))
    assert to == {lent.member.pk} | {m.pk for m in leaders}


def test_a_paid_instalment_gets_no_reminder(lent, users, _today):
    from decimal import Decimal

    from loans.selectors import loans as loan_selectors
    from loans.services import money

    _today.move_to(datetime.datetime(2027, 1, 5, 9, 0))
    owed = loan_selectors.owed_today(lent, D(2027, 1, 5))
    money.repayment_record(
        loan=lent, amount=owed.payoff, paid_on=D(2027, 1, 5), by=users["village_clerk"], token="all"
    )
    assert owed.payoff > Decimal("10000")
    assert reminders_send(today=D(2027, 1, 8)) == 0


def test_the_reminder_job_is_scheduled():
    assert app.conf.beat_schedule["loans-send-reminders"]["task"] == send_reminders.name
