"""Long member imports, off the web process. Thin: load the job, call the service."""

from celery import shared_task

from associations.models import ImportJob
from associations.services.import_jobs import import_job_run
from associations.services.member_import import members_import


@shared_task
def member_import_job(job_id: int, write: bool) -> str:
    """Check (write=False) or import (write=True) an uploaded roster; idempotent."""
    job = ImportJob.objects.select_related("association", "by").get(pk=job_id)
    job, _report = import_job_run(
        job=job,
        write=write,
        run=lambda association, rows, dry_run, progress: members_import(
            association=association, rows=rows, by=job.by, dry_run=dry_run, progress=progress
        ),
        count=lambda report: len(report.good),
    )
    return job.state
