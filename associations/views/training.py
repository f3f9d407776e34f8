"""Training pages (seed recommendation 5): the sessions of the user's areas with the coverage
by village, a new session, and a session's attendance (members from the roster search or an
Excel list, staff of the area)."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from associations import selectors, uploads
from associations.authority import STAFF_ROLES, may_act
from associations.exceptions import AssociationRuleError
from associations.forms import ImportForm
from associations.idempotency import idempotent
from associations.models import Area, Member, MemberStatus, RoleAssignment, TrainingSession, User
from associations.scoping import get_visible_or_404, user_roles
from associations.services import training, training_import
from associations.services.member_import import read_rows
from associations.views import AuthedRequest
from mutualaid.forms import IdempotentForm, parse_id
from mutualaid.http import xlsx_response


class TrainingForm(IdempotentForm):
    area = forms.ModelChoiceField(label=gettext_lazy("Organised by"), queryset=Area.objects.none())
    held_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200)
    trainer = forms.CharField(label=gettext_lazy("Trainer"), max_length=100)
    hours = forms.DecimalField(
        label=gettext_lazy("Hours"), max_digits=4, decimal_places=1, min_value=0.5, max_value=100
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)

    def __init__(self, *args, areas: list[Area], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Area.objects.filter(code__in=[a.code for a in areas])
        if len(areas) == 1:
            self.initial.setdefault("area", areas[0].code)


def _staff_or_404(user: User) -> None:
    if not (user.is_superuser or user_roles(user) & STAFF_ROLES):
        raise Http404


def _organiser_areas(user: User) -> list[Area]:
    """The areas where the user may hold and record trainings (their office's level)."""
    assignments = RoleAssignment.objects.filter(user=user).select_related("area")
    return [a.area for a in assignments if a.role in training.organiser_roles(a.area)]


@login_required
def training_list(request: AuthedRequest) -> HttpResponse:
    _staff_or_404(request.user)
    today = timezone.localdate()
    year = parse_id(request.GET.get("year")) or today.year
    if not 2000 <= year <= today.year:
        year = today.year
    on = today if year == today.year else datetime.date(year, 12, 31)
    coverage = selectors.training_coverage_by_village(user=request.user, on=on)
    total = selectors.TrainingCounts()
    for _village, counts in coverage:
        total += counts
    return render(
        request,
        "associations/training_list.html",
        {
            "sessions": selectors.training_sessions(user=request.user, year=year)[:200],
            "coverage": coverage,
            "total": total,
            "year": year,
            "years": range(today.year, today.year - 5, -1),
            "can_add": bool(_organiser_areas(request.user)),
        },
    )


@login_required
def training_new(request: AuthedRequest) -> HttpResponse:
    areas = _organiser_areas(request.user)
    if not areas:
        raise Http404
    form = TrainingForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with idempotent(request.user, form.claim_key) as claim:
                session = claim.first or claim.created(
                    training.training_session_create(
                        area=data["area"],
                        held_on=data["held_on"],
                        topic=data["topic"],
                        trainer=data["trainer"],
                        hours=data["hours"],
                        place=data["place"],
                        by=request.user,
                    )
                )
        except AssociationRuleError as error:
            form.add_error(None, error.message)
        else:
            claim.tell(request, _("The training is recorded; now add who attended."))
            return redirect("associations:training_detail", session_id=session.pk)
    return render(request, "associations/training_form.html", {"form": form})


@login_required
def training_detail(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = get_visible_or_404(
        TrainingSession.objects.select_related("area"), request.user, STAFF_ROLES, pk=session_id
    )
    may_edit = may_act(request.user, training.organiser_roles(session.area), session.area.code)
    if request.method == "POST":
        if not may_edit:
            raise Http404
        try:
            _change_attendance(request, session)
        except AssociationRuleError as error:
            messages.error(request, error.message)
        return redirect("associations:training_detail", session_id=session.pk)
    query = request.GET.get("q", "").strip()
    found = []
    if may_edit and query:
        found = list(
            selectors.member_search(user=request.user, query=query, status=MemberStatus.ACTIVE)
            .filter(association__area__code__startswith=session.area.prefix)
            .exclude(trainings__session=session)[:20]
        )
    attendances = session.attendances.select_related("member", "member__association", "user")
    return render(
        request,
        "associations/training_detail.html",
        {
            "session": session,
            "may_edit": may_edit,
            "q": query,
            "found": found,
            "attendances": attendances,
            "staff": _staff_candidates(session) if may_edit else [],
        },
    )


def _staff_candidates(session: TrainingSession) -> list[User]:
    return list(
        User.objects.filter(
            role_assignments__area__code__startswith=session.area.prefix,
            role_assignments__role__in=sorted(STAFF_ROLES),
        )
        .exclude(trainings__session=session)
        .distinct()
        .order_by("last_name", "username")[:200]
    )


def _change_attendance(request: AuthedRequest, session: TrainingSession) -> None:
    action = request.POST.get("action")
    if action == "add_members":
        ids = [i for i in (parse_id(v) for v in request.POST.getlist("member")) if i]
        members = Member.objects.filter(pk__in=ids).select_related("association")
        added = training.training_attendance_add(session=session, by=request.user, members=members)
        messages.success(request, _("%(n)s added.") % {"n": added})
    elif action == "add_staff":
        user = User.objects.filter(pk=parse_id(request.POST.get("user")) or 0).first()
        if user is None:
            raise Http404
        training.training_attendance_add(session=session, by=request.user, staff=[user])
    elif action == "remove":
        attendance = session.attendances.filter(
            pk=parse_id(request.POST.get("attendance")) or 0
        ).first()
        if attendance is None:
            raise Http404
        training.training_attendance_remove(attendance=attendance, by=request.user)
    else:
        raise Http404


# --- attendance from an Excel list ----------------------------------------------------------


class AttendanceConfirmForm(IdempotentForm):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _organised_session_or_404(request: AuthedRequest, session_id: int) -> TrainingSession:
    """The session, for the office that may record its attendance; 404 for everyone else."""
    session = get_visible_or_404(
        TrainingSession.objects.select_related("area"), request.user, STAFF_ROLES, pk=session_id
    )
    if not may_act(request.user, training.organiser_roles(session.area), session.area.code):
        raise Http404
    return session


@login_required
def training_template(request: AuthedRequest) -> HttpResponse:
    if not _organiser_areas(request.user):
        raise Http404
    return xlsx_response(training_import.attendance_template(), "training-attendance.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def training_import_page(request: AuthedRequest, session_id: int) -> HttpResponse:
    """Upload → a preview saying what becomes of every row → confirm (all rows or none). The
    file is kept between the two steps for this user's login session only (associations.uploads)."""
    session = _organised_session_or_404(request, session_id)
    kind = f"training_{session.pk}"
    context: dict = {"session": session, "form": ImportForm()}
    action = request.POST.get("action")
    if action == "preview":
        context.update(_preview(request, session, kind))
    elif action == "confirm":
        confirm = AttendanceConfirmForm(request.POST)
        pending = None
        if confirm.is_valid():
            pending = uploads.load(request, kind=kind, token=confirm.cleaned_data["token"])
        if pending is None or pending[0] != session.pk:
            messages.error(request, _("Nothing to confirm: upload the file again."))
            return redirect("associations:training_import", session_id=session.pk)
        try:
            with idempotent(request.user, confirm.claim_key) as claim:
                added = 0
                if not claim.repeated:
                    added = training_import.attendance_import(
                        session=session, rows=read_rows(pending[1]), by=request.user
                    ).added
                    claim.created(session)
        except training_import.AttendanceImportError as error:
            context.update({"check": error.check, "failure": error.message})
        except AssociationRuleError as error:
            context["failure"] = error.message
        else:
            uploads.discard(request, kind=kind)
            claim.tell(request, _("%(n)s attendances recorded.") % {"n": added})
            return redirect("associations:training_detail", session_id=session.pk)
    return render(request, "associations/training_import.html", context)


def _preview(request: AuthedRequest, session: TrainingSession, kind: str) -> dict:
    form = ImportForm(request.POST, request.FILES)
    context: dict = {"form": form}
    if not form.is_valid():
        return context
    upload = form.cleaned_data["file"]
    if upload.size > uploads.MAX_UPLOAD_BYTES:
        return {**context, "failure": _("The file is larger than 10 MB.")}
    content = upload.read()
    try:
        check = training_import.attendance_check(
            session=session, rows=read_rows(content), by=request.user
        )
    except AssociationRuleError as error:
        return {**context, "failure": error.message}
    context["check"] = check
    if check.failure:
        context["failure"] = check.failure
    elif check.errors:
        context["failure"] = _(
            "%(count)s rows name no household of this area; correct them and upload the file "
            "again. Nothing is recorded until every row is good."
        ) % {"count": len(check.errors)}
    elif check.new_members:
        token = uploads.stash(request, kind=kind, association_id=session.pk, content=content)
        context["confirm"] = AttendanceConfirmForm(initial={"token": token})
    return context
