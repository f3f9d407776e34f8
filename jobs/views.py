"""The jobs page: each job's last runs and failures, and "run again" for a failed run. For the
township station, the county office and the admin; every other login gets 404."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from associations.models import User
from jobs.models import JobRun, RunStatus
from jobs.runs import JobError, job_rerun_request, may_rerun
from jobs.tasks import rerun

RUNS_SHOWN = 50


class RerunForm(forms.Form):
    run = forms.ModelChoiceField(queryset=JobRun.objects.filter(status=RunStatus.FAILED))


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    if not may_rerun(user):
        raise Http404
    form = RerunForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                job_rerun_request(
                    run=form.cleaned_data["run"], by=user, enqueue=lambda r, u: rerun.delay(r, u)
                )
            except JobError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The job is running again."))
            return redirect("jobs:job_list")
        messages.error(request, _("Choose a failed run."))
    latest = JobRun.objects.values("job").annotate(last=Max("started_at")).order_by("job")
    context = {
        "jobs": [
            JobRun.objects.filter(job=row["job"], started_at=row["last"]).first() for row in latest
        ],
        "runs": JobRun.objects.select_related("started_by", "rerun_of")[:RUNS_SHOWN],
        "failures": JobRun.objects.filter(status=RunStatus.FAILED)
        .exclude(reruns__status=RunStatus.SUCCEEDED)
        .order_by("-started_at")[:RUNS_SHOWN],
    }
    return render(request, "jobs/job_list.html", context)
