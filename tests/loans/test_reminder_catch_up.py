"""The reminder job catches up: a run sends every reminder whose day fell since the last
successful run (at most REMINDER_CATCH_UP_DAYS back), still once per loan, due date, kind and
person; every run is recorded."""

import datetime

import pytest
import time_machine

from jobs.models import JobRun, RunStatus
from loans.models import Reminder
from loans.services.reminders import reminders_send
from loans.tasks import SEND_REMINDERS, send_reminders

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 1, 15, 9, 0), tick=False) as traveller:
        yield traveller


def test_a_run_after_missed_days_sends_what_fell_due_meanwhile(lent, group):
    # The lump sum falls due on 2027-01-15: 7 days before is 01-08, 1 day before 01-14,
    # overdue 01-16 and 01-22 (with the leaders).
    assert reminders_send(today=D(2027, 1, 7)) == 0
    # The job did not run from 01-08 to 01-15: the run of 01-16 sends 01-08's, 01-14's and
    # 01-16's reminders.
    assert reminders_send(today=D(2027, 1, 16), since=D(2027, 1, 7)) == 3
    kinds = set(Reminder.objects.values_list("kind", flat=True))
    assert kinds == {"before_7", "before_1", "overdue_1"}
    assert set(Reminder.objects.values_list("sent_on", flat=True)) == {D(2027, 1, 16)}
    # Running again over the same days sends nothing twice.
    assert reminders_send(today=D(2027, 1, 16), since=D(2027, 1, 7)) == 0


def test_the_job_catches_up_from_its_last_successful_run_within_the_window(lent, settings):
    settings.REMINDER_CATCH_UP_DAYS = 7
    assert send_reminders("2027-01-07") == 0
    # Nine days without a run: the window keeps seven of them (01-09 .. 01-16), so the
    # reminder of 01-08 (7 days before) is not sent late; 01-14's and 01-16's are.
    assert send_reminders("2027-01-16") == 2
    assert not Reminder.objects.filter(kind="before_7").exists()
    runs = JobRun.objects.filter(job=SEND_REMINDERS).order_by("business_date")
    assert [(r.business_date, r.status, r.counts["sent"]) for r in runs] == [
        (D(2027, 1, 7), RunStatus.SUCCEEDED, 0),
        (D(2027, 1, 16), RunStatus.SUCCEEDED, 2),
    ]
    assert runs.last().counts["days"] == 7 and runs.last().finished_at is not None


def test_without_an_earlier_run_only_today_s_reminders_go_out(lent):
    assert send_reminders("2027-01-16") == 1  # overdue_1, not the missed ones before
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["overdue_1"]
