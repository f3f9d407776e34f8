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
from associations.models import (
    Role,
)
from associations.scoping import user_roles
from associations.services import member_import as imports
from associations.views.members import clerk_association
from mutualaid.http import xlsx_response


@login_required
def member_export(request):
    # Full ID numbers are shown on the member's own page only: the roster file is masked.
    members = selectors.member_search(user=request.user)
    content = imports.member_export(members=members, viewer=request.user, full_id_numbers=False)
    return xlsx_response(content, f"members-{timezone.localdate():%Y%m%d}.xlsx")


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
        run=lambda association, rows, dry_run: imports.members_import(
            association=association, rows=rows, by=request.user, dry_run=dry_run
        ),
        preview=lambda report: [(row["line"], row["name"]) for row in report.good[:20]],
        count=lambda report: len(report.good),
        template_url="associations:member_template",
        done_url="associations:member_list",
        title=_("Import members"),
        rule_errors=(AssociationRuleError,),
    )


def import_page(request, *, kind, run, preview, count, template_url, done_url, title, rule_errors):
    """Upload → dry-run preview listing every bad row → confirm. Shared by members and groups."""
    association = clerk_association(request)
    if association is None:
        raise Http404
    context = {"title": title, "template_url": template_url, "association": association}
    form = ImportForm()
    action = request.POST.get("action")
    if action == "preview":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            content = form.cleaned_data["file"].read(uploads.MAX_UPLOAD_BYTES + 1)
            context.update(
                _dry_run(request, kind, association, content, run, preview, count, rule_errors)
            )
    elif action == "confirm":
        pending = uploads.load(request, kind=kind, token=request.POST.get("token", ""))
        if pending is None or pending[0] != association.pk:
            messages.error(request, _("Nothing to confirm: upload the file again."))
        else:
            try:
                report = run(association, imports.read_rows(pending[1]), False)
            except rule_errors as error:
                context["errors"] = getattr(getattr(error, "report", None), "errors", [])
                context["failure"] = str(error)
            else:
                uploads.discard(request, kind=kind)
                messages.success(request, _("Imported %(count)s rows.") % {"count": count(report)})
                return redirect(done_url)
    context["form"] = form
    return render(request, "associations/import.html", context)


def _dry_run(request, kind, association, content, run, preview, count, rule_errors) -> dict:
    if len(content) > uploads.MAX_UPLOAD_BYTES:
        return {"failure": _("The file is larger than 10 MB.")}
    try:
        report = run(association, imports.read_rows(content), True)
    except rule_errors as error:
        return {
            "errors": getattr(getattr(error, "report", None), "errors", []),
            "failure": str(error),
        }
    token = uploads.stash(request, kind=kind, association_id=association.pk, content=content)
    return {"token": token, "preview": preview(report), "good_count": count(report)}
