"""An import's source file, kept with who sent it, when, for which association and how it
ended; and the run of one check or write over it, the same in the web process (small files)
and in a Celery task (files over LARGE_IMPORT_ROWS rows), which reports its progress on the job.
"""

from collections.abc import Callable, Iterator
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from associations.authority import require_role
from associations.exceptions import AssociationRuleError
from associations.models import Association, ImportJob, ImportState, Role, User
from associations.services.member_import import BadFile, count_rows, iter_rows
from mutualaid.errors import RuleError

# Above this many rows an import runs as a Celery task and the page shows its progress.
LARGE_IMPORT_ROWS = 5000
# The rows to correct kept with a refused job (the message says how many there are in all).
KEPT_ERRORS = 500

# run(association, rows, dry_run, progress) -> the import's report; raises a RuleError.
Runner = Callable[[Association, Iterator[tuple[int, dict]], bool, Callable[[int], None]], Any]


def import_job_create(
    *, association: Association, kind: str, upload: UploadedFile, by: User
) -> ImportJob:
    """Keep the uploaded file (streamed to storage under VAR_DIR, never read whole) and count
    its rows. A file that is no workbook is kept too, refused, and the error raised."""
    require_role(by, {Role.VILLAGE_CLERK}, association.area_id, error=AssociationRuleError)
    job = ImportJob(association=association, kind=kind, by=by, original_name=upload.name or "")
    job.file.save(upload.name or "upload.xlsx", upload, save=False)
    try:
        with job.file.open("rb") as source:
            job.rows_total = count_rows(source)
    except BadFile as error:
        job.state, job.failure, job.finished_at = ImportState.REFUSED, str(error), timezone.now()
        job.save()
        raise
    job.save()
    return job


def import_job_is_large(job: ImportJob) -> bool:
    return job.rows_total > LARGE_IMPORT_ROWS


def import_job_run(
    *, job: ImportJob, write: bool, run: Runner, count: Callable[[Any], int]
) -> tuple[ImportJob, Any]:
    """Check (write=False) or import (write=True) the job's file; the job and the run's report
    (None when refused). Idempotent: a job not in the state this step starts from (a second
    click, a task delivered twice) is left as it is."""
    start, running = (
        (ImportState.CHECKED, ImportState.WRITING)
        if write
        else (ImportState.UPLOADED, ImportState.CHECKING)
    )
    jobs = ImportJob.objects.filter(pk=job.pk)
    if not jobs.filter(state=start).update(state=running, rows_done=0):
        job.refresh_from_db()
        return job, None

    def progress(done: int) -> None:
        jobs.update(rows_done=done)

    try:
        with job.file.open("rb") as source:
            report = run(job.association, iter_rows(source), not write, progress)
    except RuleError as error:
        report = None
        errors = getattr(getattr(error, "report", None), "errors", [])
        jobs.update(
            state=ImportState.REFUSED,
            failure=str(error)[:500],
            errors=[{"line": e.line, "message": e.message} for e in errors[:KEPT_ERRORS]],
            finished_at=timezone.now(),
        )
    except Exception:
        jobs.update(state=ImportState.REFUSED, finished_at=timezone.now())
        raise
    else:
        done = count(report)
        jobs.update(
            state=ImportState.DONE if write else ImportState.CHECKED,
            notes={
                "new_groups": list(getattr(report, "new_groups", [])),
                "ignored_columns": list(getattr(report, "ignored_columns", [])),
            },
            good_count=done,
            created_count=done if write else 0,
            rows_done=job.rows_total,
            finished_at=timezone.now() if write else None,
        )
    job.refresh_from_db()
    return job, report


def import_job_queue(*, job: ImportJob, write: bool) -> None:
    """Run the member import's check or write as a Celery task once the job row is saved."""
    from associations.tasks import member_import_job

    transaction.on_commit(lambda: member_import_job.delay(job.pk, write))
