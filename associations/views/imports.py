"""Roster (台账) downloads and the all-or-nothing Excel import with its preview; the group
import of the guarantees app uses the same page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from associations import selectors, uploads
from associations.exceptions import AssociationRuleError
from associations.forms import (
    ImportForm,
)
from associations.models import ImportJob, ImportState, Role
from associations.scoping import get_visible_or_404, user_roles
from associations.services import import_jobs
from associations.services import member_import as imports
from associations.services.areas import RowError
from associations.services.audit import export_record
from associations.views.members import clerk_association
from mutualaid.http import xlsx_response


@login_required
def member_export(request):
    # Full ID numbers are shown on the member's own page only: the roster file is masked.
    members = selectors.member_search(user=request.user)
    content = imports.member_export(members=members, viewer=request.user, full_id_numbers=False)
    filename = f"members-{timezone.localdate():%Y%m%d}.xlsx"
    export_record(by=request.user, kind="member_roster", filename=filename)
    return xlsx_response(content, filename)


@login_required
def member_template(request):
    if Role.VILLAGE_CLERK not in user_roles(request.user):
        raise Http404
    return xlsx_response(imports.member_template(), "members-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request):
    return import_page(
        request,
        kind="members",
        run=lambda association, rows, dry_run, progress: imports.members_import(
            association=association,
            rows=rows,
            by=request.user,
            dry_run=dry_run,
            progress=progress,
        ),
        preview=lambda report: [(row["line"], row["name"]) for row in report.good[:20]],
        count=lambda report: len(report.good),
        template_url="associations:member_template",
        done_url="associations:member_list",
        title=_("Import members"),
        rule_errors=(AssociationRuleError,),
        large=True,
    )


def import_page(
    request, *, kind, run, preview, count, template_url, done_url, title, rule_errors, large=False
):
    """Upload → dry-run preview listing every bad row → confirm. Shared by members and groups.

    The uploaded file is kept with the import (ImportJob). With `large`, a file over
    LARGE_IMPORT_ROWS rows is checked and imported by a Celery task; its page shows progress.
    `run(association, rows, dry_run, progress)` checks or writes the rows.
    """
    association = clerk_association(request)
    if association is None:
        raise Http404
    context = {"title": title, "template_url": template_url, "association": association}
    form = ImportForm()
    action = request.POST.get("action")
    if action == "preview":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > uploads.MAX_UPLOAD_BYTES:
                context["failure"] = _("The file is larger than 10 MB.")
            else:
                try:
                    job = import_jobs.import_job_create(
                        association=association, kind=kind, upload=upload, by=request.user
                    )
                except rule_errors as error:
                    context["failure"] = str(error)
                else:
                    if large and import_jobs.import_job_is_large(job):
                        import_jobs.import_job_queue(job=job, write=False)
                        return redirect("associations:import_job", job_id=job.pk)
                    job, report = import_jobs.import_job_run(
                        job=job, write=False, run=run, count=count
                    )
                    context.update(_outcome(job, report, preview))
    elif action == "confirm":
        pending = _pending_job(request, association, kind)
        if pending is None:
            messages.error(request, _("Nothing to confirm: upload the file again."))
        elif large and import_jobs.import_job_is_large(pending):
            import_jobs.import_job_queue(job=pending, write=True)
            return redirect("associations:import_job", job_id=pending.pk)
        else:
            job, report = import_jobs.import_job_run(job=pending, write=True, run=run, count=count)
            if job.state == ImportState.DONE:
                messages.success(
                    request, _("Imported %(count)s rows.") % {"count": job.created_count}
                )
                return redirect(done_url)
            context.update(_outcome(job, report, preview))
    context["form"] = form
    return render(request, "associations/import.html", context)


def _pending_job(request, association, kind) -> ImportJob | None:
    """The user's own checked upload for this association, or None."""
    token = request.POST.get("token", "")
    if not (token.isascii() and token.isdigit()) or len(token) > 18:
        return None
    return ImportJob.objects.filter(
        pk=int(token),
        association=association,
        kind=kind,
        by=request.user,
        state=ImportState.CHECKED,
    ).first()


def _outcome(job: ImportJob, report, preview) -> dict:
    if job.state == ImportState.REFUSED:
        errors = [RowError(e["line"], e["message"]) for e in job.errors]
        return {"errors": errors, "failure": job.failure}
    if job.state != ImportState.CHECKED or report is None:
        return {"failure": _("Nothing to confirm: upload the file again.")}
    return {
        "token": job.pk,
        "preview": preview(report),
        "good_count": job.good_count,
        # The member roster's extras: the village groups confirming will create, and the
        # columns of the file that are not read.
        "new_groups": getattr(report, "new_groups", []),
        "ignored_columns": getattr(report, "ignored_columns", []),
    }


@login_required
def import_job(request, job_id: int):
    """A long import's progress; the page reloads itself (no script) until the task is done."""
    job = get_visible_or_404(
        ImportJob.objects.filter(kind="members", by=request.user),
        request.user,
        [Role.VILLAGE_CLERK],
        pk=job_id,
    )
    return render(
        request,
        "associations/import_job.html",
        {"job": job, "title": _("Import members"), "refresh": job.running},
    )
