"""Scheduled and requested report jobs. Thin: they take ids, call reports.services, and are
idempotent (a claimed or finished report is left alone)."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from jobs.runs import job_run, scheduled_job
from reports.services import (
    areas_to_report,
    previous_month,
    report_generate,
    supervision_report_run,
)

log = logging.getLogger(__name__)

MONTHLY_JOB = "reports.monthly"


@shared_task
def monthly_supervision_reports(business_date: str | None = None) -> dict[str, int]:
    """The 2nd of each month: last month's report of every township, county and city (a
    recorded job run)."""
    day = datetime.date.fromisoformat(business_date) if business_date else timezone.localdate()
    return job_run(job=MONTHLY_JOB, business_date=day).counts


@scheduled_job(MONTHLY_JOB)
def _monthly_reports(day: datetime.date) -> dict[str, int]:
    """A report already made (or being made by another worker) is skipped; one area's failure
    does not stop the others."""
    month = previous_month(day)
    counts = {"generated": 0, "skipped": 0, "failed": 0}
    for area in areas_to_report():
        try:
            report = supervision_report_run(area=area, month=month, job=MONTHLY_JOB, force=False)
        except Exception:
            log.exception("supervision report of %s for %s failed", area.code, month)
            counts["failed"] += 1
            continue
        counts["generated" if report is not None else "skipped"] += 1
    log.info("supervision reports for %s: %s", f"{month:%Y-%m}", counts)
    return counts


@shared_task
def generate_report(report_id: int, token: str) -> bool:
    """A report asked for from the dashboard, claimed by the page with `token`."""
    return report_generate(report_id=report_id, token=token) is not None
