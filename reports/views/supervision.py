"""The supervision report archive per office, one report's page (with its progress while it is
being generated), its download, and "generate now" from the dashboard. Scoped like every page:
a report outside the user's office answers 404."""

import datetime
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import Area, Role, User
from associations.scoping import get_visible_or_404, visible_prefixes
from reports.models import ReportStatus, SupervisionReport
from reports.services import GENERATE_ROLES, ReportError, report_request
from reports.tasks import generate_report

# Who reads the archive: the offices and the auditors.
REPORT_ROLES = (*GENERATE_ROLES, Role.AUDITOR)


class MonthForm(forms.Form):
    month = forms.DateField(
        label=gettext_lazy("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


def _reports(request: HttpRequest):
    return SupervisionReport.objects.visible_to(request.user, roles=REPORT_ROLES)


@login_required
def archive(request: HttpRequest) -> HttpResponse:
    if visible_prefixes(request.user, REPORT_ROLES) == []:
        raise Http404
    reports = _reports(request).select_related("area", "generated_by").order_by("-month", "area")
    return render(request, "reports/supervision_archive.html", {"reports": reports})


@login_required
def detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_visible_or_404(
        SupervisionReport.objects.select_related("area", "generated_by"),
        request.user,
        roles=REPORT_ROLES,
        pk=report_id,
    )
    return render(
        request,
        "reports/supervision_detail.html",
        {"report": report, "working": report.status == ReportStatus.GENERATING},
    )


@login_required
def download(request: HttpRequest, report_id: int) -> FileResponse:
    report = get_visible_or_404(
        SupervisionReport.objects.select_related("area"),
        request.user,
        roles=REPORT_ROLES,
        pk=report_id,
    )
    if report.status != ReportStatus.READY or not report.file:
        raise Http404
    return FileResponse(
        report.file.open("rb"),
        content_type="application/pdf",
        filename=f"supervision-{report.area_id}-{report.month:%Y-%m}.pdf",
    )


@login_required
def generate(request: HttpRequest, area_code: str) -> HttpResponse:
    area = get_visible_or_404(
        Area.objects.all(), request.user, roles=GENERATE_ROLES, code=area_code
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = reverse("reports:dashboard", args=[area.code])
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month."))
        return redirect(back)
    month: datetime.date = form.cleaned_data["month"]
    try:
        claimed = report_request(
            area=area,
            month=month,
            by=cast(User, request.user),  # login_required
            today=timezone.localdate(),
        )
    except ReportError as error:
        messages.error(request, error.message)
        return redirect(back)
    if claimed is None:
        messages.info(request, _("This report is being generated already."))
        existing = SupervisionReport.objects.get(area=area, month=month.replace(day=1))
        return redirect("reports:supervision_detail", existing.pk)
    report, token = claimed
    transaction.on_commit(lambda: generate_report.delay(report.pk, token))
    messages.success(request, _("The report is being generated."))
    return redirect("reports:supervision_detail", report.pk)
