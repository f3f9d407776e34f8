"""Scheduled loan jobs. Thin: they call a service, are idempotent, and each run is recorded
(jobs.runs) with its business date and counts, so people see what ran and a failed run can be
run again."""

import datetime
import logging
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from associations.models import Association
from jobs.runs import job_run, last_success, scheduled_job, scoped_job, scoped_name
from loans.models import Loan
from loans.services.applications import notices_expire, waitlist_release
from loans.services.reminders import reminder_counties, reminder_deliver, reminders_send
from loans.workflow import LoanStatus
from mutualaid.messaging import TemporaryFailure

log = logging.getLogger(__name__)

EXPIRE_NOTICES = "loans.expire_notices"
SEND_REMINDERS = "loans.send_reminders"
RELEASE_WAITLISTS = "loans.release_waitlists"


def _day(business_date: str | None) -> datetime.date:
    return datetime.date.fromisoformat(business_date) if business_date else timezone.localdate()


@scheduled_job(EXPIRE_NOTICES)
def _expire_notices(day: datetime.date) -> dict[str, int]:
    moved = notices_expire(today=day)
    log.info("public notices expired: %s loans ready for disbursement", moved)
    return {"moved": moved}


def _since(job: str, day: datetime.date, fallback: datetime.date | None = None) -> datetime.date:
    """Catch up from the job's last successful run, at most REMINDER_CATCH_UP_DAYS back."""
    window = day - datetime.timedelta(days=settings.REMINDER_CATCH_UP_DAYS)
    last = last_success(job, before=day)
    if last is not None:
        return max(last.business_date, window)
    return max(fallback, window) if fallback else day - datetime.timedelta(days=1)


@scheduled_job(SEND_REMINDERS)
def _send_reminders(day: datetime.date) -> dict[str, int]:
    """With REMINDER_FAN_OUT, one task per county that has reminders to record (workers take
    them side by side; each county's run is recorded, caught up and run again on its own);
    otherwise every county here, in batches."""
    since = _since(SEND_REMINDERS, day)
    counties = reminder_counties(
        today=day, since=day - datetime.timedelta(days=settings.REMINDER_CATCH_UP_DAYS)
    )
    if settings.REMINDER_FAN_OUT and len(counties) > 1:
        for county in counties:
            transaction.on_commit(partial(send_county_reminders.delay, county, day.isoformat()))
        log.info("repayment reminders: one task for each of %s counties", len(counties))
        return {"counties": len(counties), "days": (day - since).days}
    sent = reminders_send(today=day, since=since, enqueue=deliver_reminder.delay)
    log.info("repayment reminders sent: %s (days %s to %s)", sent, since, day)
    return {"sent": sent, "days": (day - since).days}


@scoped_job(SEND_REMINDERS)
def _send_county_reminders(day: datetime.date, county: str) -> dict[str, int]:
    """One county's reminders, caught up from its own last successful run (or, the first
    time, from the whole job's last run before this day)."""
    before = last_success(SEND_REMINDERS, before=day)
    since = _since(
        scoped_name(SEND_REMINDERS, county), day, before.business_date if before else None
    )
    sent = reminders_send(today=day, since=since, enqueue=deliver_reminder.delay, area_code=county)
    log.info("repayment reminders of %s sent: %s (days %s to %s)", county, sent, since, day)
    return {"sent": sent, "days": (day - since).days}


@scheduled_job(RELEASE_WAITLISTS)
def _release_waitlists(day: datetime.date) -> dict[str, int]:
    moved = 0
    waiting = (
        Loan.objects.filter(status=LoanStatus.WAITLISTED)
        .values_list("association", flat=True)
        .distinct()
    )
    for association_id in waiting:
        moved += waitlist_release(association=Association.objects.get(pk=association_id))
    log.info("waiting applications moved on: %s", moved)
    return {"moved": moved}


@shared_task
def expire_notices(business_date: str | None = None) -> int:
    """Daily: loans whose public notice has ended become ready for disbursement."""
    return job_run(job=EXPIRE_NOTICES, business_date=_day(business_date)).counts.get("moved", 0)


@shared_task
def send_reminders(business_date: str | None = None) -> int:
    """Daily: repayment reminders to borrowers (and group leaders once overdue), catching up
    the days since the last successful run."""
    return job_run(job=SEND_REMINDERS, business_date=_day(business_date)).counts.get("sent", 0)


@shared_task
def send_county_reminders(county: str, business_date: str | None = None) -> int:
    """One county's share of the daily reminders, queued by send_reminders."""
    job = scoped_name(SEND_REMINDERS, county)
    return job_run(job=job, business_date=_day(business_date)).counts.get("sent", 0)


@shared_task
def release_waitlists(business_date: str | None = None) -> int:
    """Hourly: where lendable cash came back (capital, transfers, repayments), waiting
    applications move on in order."""
    run = job_run(job=RELEASE_WAITLISTS, business_date=_day(business_date))
    return run.counts.get("moved", 0)


@shared_task(
    bind=True,
    autoretry_for=(TemporaryFailure,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=settings.SMS_RETRIES,
)
def deliver_reminder(self, reminder_id: int) -> str:
    """One reminder to one phone. A timeout or gateway error is retried with exponential
    back-off; after the last retry the reminder is recorded as failed. Its delivery state."""
    last_try = self.request.retries >= self.max_retries
    return reminder_deliver(reminder_id=reminder_id, last_try=last_try).delivery
