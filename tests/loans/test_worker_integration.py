"""A real broker: a Celery worker process on the real Redis runs the reminder and the monthly
report jobs sent through the broker (not eagerly), and their rows appear in the test database:
the job runs, the reminder (delivered by its own task, queued by the job) and the supervision
reports. Runs in CI (.ci/run sets REDIS_URL); skipped only where no Redis is configured."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection

from associations.models import Role
from jobs.models import JobRun, RunStatus
from loans.models import Reminder
from loans.services import money
from loans.tasks import SEND_REMINDERS, send_reminders
from mutualaid.celery import app
from reports.models import SupervisionReport
from reports.tasks import MONTHLY_JOB, monthly_supervision_reports
from tests.loans.conftest import apply_for, to_ready

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 240

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="no Redis configured (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    """The test database (pytest-django's test_ name) as a URL for the worker."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can reach: PostgreSQL")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "TESTING": "0",
        "DEBUG": "1",
        "VAR_DIR": str(tmp_path),
        "MEMBER_MESSAGE_BACKEND": "mutualaid.messaging.LogBackend",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mutualaid", "worker", "--pool=solo"]
        + ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture
def through_the_broker():
    """The tests run tasks eagerly; here the sending side puts them on the broker."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def _until(check, worker, tmp_path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if check():
            return
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
        time.sleep(0.5)
    pytest.fail(f"no rows after {WAIT_SECONDS}s:\n{(tmp_path / 'worker.log').read_text()[-3000:]}")


def test_a_worker_runs_the_reminder_and_report_jobs_from_the_broker(
    world, book, borrower, group, users, purposes, worker, through_the_broker, tmp_path
):
    with time_machine.travel(datetime.datetime(2026, 1, 15, 9, 0), tick=False):
        loan = to_ready(apply_for(world, borrower, group, users, purposes), users)
        money.loan_disburse(
            loan=loan, by=users[Role.TOWNSHIP_STATION], on=datetime.date(2026, 1, 15)
        )

    send_reminders.delay("2027-01-08")  # 7 days before the lump sum falls due
    monthly_supervision_reports.delay("2026-02-02")  # January's reports

    def reminder_delivered() -> bool:
        return Reminder.objects.filter(loan=loan, delivery="delivered", channel="log").exists()

    _until(reminder_delivered, worker, tmp_path)
    run = JobRun.objects.get(job=SEND_REMINDERS)
    assert run.status == RunStatus.SUCCEEDED and run.counts["sent"] == 1

    def reports_done() -> bool:
        return JobRun.objects.filter(job=MONTHLY_JOB, finished_at__isnull=False).exists()

    _until(reports_done, worker, tmp_path)
    run = JobRun.objects.get(job=MONTHLY_JOB)
    assert run.status == RunStatus.SUCCEEDED, run.error
    inside = SupervisionReport.objects.filter(area=world.inside.township, month="2026-01-01")
    assert inside.filter(status="ready").exists()
    assert run.counts["generated"] == SupervisionReport.objects.count() > 0
