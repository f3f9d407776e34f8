"""Running a scheduled job and recording it. A job is a function of its business date that
returns what it did as counts; `job_run` records the run, its counts or its error. The registry
`JOBS` is filled by the apps' task modules (`@scheduled_job("loans.send_reminders")`), so a
failed run can be run again by name."""

import datetime
import logging
import traceback
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Role, User
from jobs.models import JobRun, RunStatus
from mutualaid.errors import RuleError

log = logging.getLogger(__name__)

JobFunction = Callable[[datetime.date], dict[str, int]]
ScopedJobFunction = Callable[[datetime.date, str], dict[str, int]]
JOBS: dict[str, JobFunction] = {}
# Jobs run for one area at a time, recorded as "<job>@<area code>" (e.g. the reminders of one
# county): each area's runs, failures and catch-up are its own.
SCOPED_JOBS: dict[str, ScopedJobFunction] = {}
# Who may run a failed job again (the admin too): the township station and the county office.
RERUN_ROLES = (Role.TOWNSHIP_STATION, Role.COUNTY_OFFICE)


class JobError(RuleError):
    pass


def scheduled_job(name: str) -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        JOBS[name] = function
        return function

    return register


def scoped_job(name: str) -> Callable[[ScopedJobFunction], ScopedJobFunction]:
    def register(function: ScopedJobFunction) -> ScopedJobFunction:
        SCOPED_JOBS[name] = function
        return function

    return register


def scoped_name(name: str, scope: str) -> str:
    return f"{name}@{scope}"


def _function(job: str) -> JobFunction:
    if "@" in job:
        name, scope = job.split("@", 1)
        scoped = SCOPED_JOBS[name]
        return lambda day: scoped(day, scope)
    return JOBS[job]


def job_run(
    *,
    job: str,
    business_date: datetime.date,
    rerun_of: JobRun | None = None,
    by: User | None = None,
) -> JobRun:
    """Run `job` for `business_date` and record it; an error is recorded (and logged), not
    raised, so the row is the record of what happened."""
    run = JobRun.objects.create(
        job=job, business_date=business_date, rerun_of=rerun_of, started_by=by
    )
    try:
        counts = _function(job)(business_date)
    except Exception:
        log.exception("job %s for %s failed", job, business_date)
        run.status, run.error = RunStatus.FAILED, traceback.format_exc()[-4000:]
    else:
        run.status, run.counts = RunStatus.SUCCEEDED, counts
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "counts", "finished_at"])
    return run


def last_success(job: str, *, before: datetime.date | None = None) -> JobRun | None:
    runs = JobRun.objects.filter(job=job, status=RunStatus.SUCCEEDED)
    if before is not None:
        runs = runs.filter(business_date__lt=before)
    return runs.order_by("-business_date", "-started_at").first()


def may_rerun(user: User) -> bool:
    """Jobs run for every area at once: any station or county office, or the admin."""
    return user.is_superuser or user.role_assignments.filter(role__in=RERUN_ROLES).exists()


def job_rerun_check(*, run: JobRun, by: User) -> None:
    """A failed run, not yet run again, by the station, the county office or the admin."""
    if not may_rerun(by):
        raise JobError(
            _("Only the township station, the county office or the admin may run a job again."),
            "role",
        )
    if run.status != RunStatus.FAILED:
        raise JobError(_("Only a failed run can be run again."), "not_failed")
    if run.reruns.filter(status__in=[RunStatus.RUNNING, RunStatus.SUCCEEDED]).exists():
        raise JobError(_("This run was run again already."), "done")


def job_rerun_request(*, run: JobRun, by: User, enqueue: Callable[[int, int], object]) -> None:
    """Check, then queue the run again (after the commit) through `enqueue(run_id, user_id)`."""
    job_rerun_check(run=run, by=by)
    transaction.on_commit(lambda: enqueue(run.pk, by.pk))
