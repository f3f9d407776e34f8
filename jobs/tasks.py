"""Running a failed job again, through the broker like the scheduled runs."""

from celery import shared_task

from associations.models import User
from jobs.models import JobRun
from jobs.runs import job_run


@shared_task
def rerun(run_id: int, user_id: int) -> int:
    """Run the failed run's job again for its business date; the new run's id."""
    failed = JobRun.objects.get(pk=run_id)
    by = User.objects.filter(pk=user_id).first()
    return job_run(job=failed.job, business_date=failed.business_date, rerun_of=failed, by=by).pk
