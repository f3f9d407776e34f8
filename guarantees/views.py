"""Pages for joint-liability groups. Clerks form and change groups; others read in scope.

The member picker is server-side: a search box and a short list of matching free members
with buttons, the chosen members carried in hidden fields. No JavaScript, no long dropdown.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from associations.exceptions import AssociationRuleError
from associations.idempotency import idempotent
from associations.models import Member, MemberStatus, PovertyStatus, Role
from associations.scoping import get_visible_or_404, user_roles
from associations.services.audit import export_record
from associations.views.imports import import_page
from associations.views.members import clerk_association
from guarantees import imports, selectors, services
from guarantees.exceptions import GuaranteeRuleError
from guarantees.forms import GroupChangeForm, GroupFormForm
from guarantees.models import GroupRole, GroupStatus, GuaranteeGroup
from mutualaid.forms import parse_id
from mutualaid.http import xlsx_response

CLERK = [Role.VILLAGE_CLERK]


@login_required
def group_list(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in GroupStatus.values:
        status = ""
    groups = selectors.group_list(user=request.user, query=query, status=status)
    page = Paginator(groups, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "guarantees/group_list.html",
        {
            "page": page,
            "q": query,
            "status": status,
            "statuses": GroupStatus.choices,
            "extra_query": f"status={status}&",
            "is_clerk": Role.VILLAGE_CLERK in user_roles(request.user),
        },
    )


@login_required
def group_detail(request, group_id: int):
    group = get_visible_or_404(
        GuaranteeGroup.objects.select_related("association"), request.user, pk=group_id
    )
    memberships = selectors.group_members(group=group)
    return render(
        request,
        "guarantees/group_detail.html",
        {
            "group": group,
            "memberships": memberships,
            "summary": selectors.group_summary(memberships=memberships),
            "changes": group.changes.select_related("member", "replaced_by", "by")[:50],
            "is_clerk": GuaranteeGroup.objects.visible_to(request.user, roles=CLERK)
            .filter(pk=group.pk)
            .exists(),
        },
    )


def _ids(values: list[str]) -> list[int]:
    """Posted member ids, each a real database id (a 20-digit number is no member)."""
    return list(dict.fromkeys(i for i in (parse_id(v) for v in values) if i is not None))


def _picker_state(request, association):
    """Chosen leaders and households after applying the button the clerk pressed."""
    leaders = _ids(request.POST.getlist("leader"))
    households = _ids(request.POST.getlist("household"))
    for key, target in (("add_leader", leaders), ("add_household", households)):
        picked = _ids([request.POST.get(key, "")])
        target.extend(p for p in picked if p not in leaders + households)
    removed = _ids([request.POST.get("unpick", "")])
    leaders = [i for i in leaders if i not in removed]
    households = [i for i in households if i not in removed]
    chosen = {
        m.pk: m
        for m in Member.objects.filter(
            association=association, status=MemberStatus.ACTIVE, pk__in=leaders + households
        ).select_related("village_group")
    }
    return [chosen[i] for i in leaders if i in chosen], [
        chosen[i] for i in households if i in chosen
    ]


def _candidates(request, association, exclude):
    query = request.POST.get("q", request.GET.get("q", "")).strip()
    poverty = request.POST.get("poverty_status", request.GET.get("poverty_status", ""))
    if poverty not in PovertyStatus.values:
        poverty = ""
    found = selectors.free_members(association=association, query=query, poverty_status=poverty)
    return query, poverty, [m for m in found if m.pk not in exclude]


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    association = clerk_association(request)
    if association is None:
        raise Http404
    data = request.POST if request.method == "POST" else None
    # Searching and picking re-render the form without complaining about empty fields.
    submitting = data is not None and "form_group" in data
    initial = {"formed_on": timezone.localdate(), **(data.dict() if data else {})}
    form = GroupFormForm(data if submitting else None, initial=initial)
    leaders, households = _picker_state(request, association) if data else ([], [])
    if submitting and form.is_valid():
        try:
            with idempotent(request.user, form.claim_key) as claim:
                group = claim.first_as(GuaranteeGroup) or claim.created(
                    services.group_form(
                        association=association,
                        name=form.cleaned_data["name"],
                        formed_on=form.cleaned_data["formed_on"],
                        leaders=leaders,
                        households=households,
                        by=request.user,
                    )
                )
        except (GuaranteeRuleError, AssociationRuleError) as error:
            form.add_error(None, error.message)
        else:
            claim.tell(request, _("Group %(name)s formed.") % {"name": group.name})
            return redirect("guarantees:group_detail", group_id=group.pk)
    chosen_ids = {m.pk for m in leaders + households}
    query, poverty, candidates = _candidates(request, association, chosen_ids)
    return render(
        request,
        "guarantees/group_form.html",
        {
            "form": form,
            "association": association,
            "leaders": leaders,
            "households": households,
            "candidates": candidates,
            "q": query,
            "poverty_status": poverty,
            "poverty_choices": PovertyStatus.choices,
            "searched": bool(data),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_change(request, group_id: int):
    group = get_visible_or_404(GuaranteeGroup.objects, request.user, roles=CLERK, pk=group_id)
    if group.status != GroupStatus.ACTIVE:
        raise Http404
    data = request.POST if request.method == "POST" else None
    memberships = selectors.group_members(group=group)
    current = {m.member_id: m.member for m in memberships}
    wants_change = data is not None and any(
        k in data for k in ("add_leader", "add_household", "remove", "replace_with", "dissolve")
    )
    initial = {"on": timezone.localdate(), **(data.dict() if data else {})}
    form = GroupChangeForm(data if wants_change else None, initial=initial)
    if wants_change and form.is_valid():
        try:
            done = _apply_change(request, group, current, form.cleaned_data)
        except (GuaranteeRuleError, AssociationRuleError) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done)
            return redirect("guarantees:group_detail", group_id=group.pk)
    query, poverty, candidates = _candidates(request, group.association, set(current))
    return render(
        request,
        "guarantees/group_change.html",
        {
            "group": group,
            "form": form,
            "memberships": memberships,
            "candidates": candidates,
            "q": query,
            "poverty_status": poverty,
            "poverty_choices": PovertyStatus.choices,
            "searched": bool(data),
        },
    )


def _free_member(group, value) -> Member:
    ids = _ids([value])
    member = Member.objects.filter(association=group.association, pk__in=ids).first()
    if member is None:
        raise GuaranteeRuleError(_("Choose a member of this association."), "unknown_member")
    return member


def _apply_change(request, group, current, cleaned) -> str:
    common = {"group": group, "by": request.user, "on": cleaned["on"], "reason": cleaned["reason"]}
    data = request.POST
    if "dissolve" in data:
        services.group_dissolve(**common)
        return _("The group is dissolved.")
    if "remove" in data:
        services.group_member_remove(member=_free_member(group, data["remove"]), **common)
        return _("The member left the group.")
    if "replace_with" in data:
        old = current.get(next(iter(_ids([data.get("replace", "")])), None))
        if old is None:
            raise GuaranteeRuleError(_("Choose the member to replace."), "not_in_group")
        services.group_member_replace(
            member=old, replacement=_free_member(group, data["replace_with"]), **common
        )
        return _("The member is replaced.")
    role = GroupRole.LEADER if "add_leader" in data else GroupRole.HOUSEHOLD
    value = data.get("add_leader") or data.get("add_household")
    services.group_member_add(member=_free_member(group, value), role=role, **common)
    return _("The member joined the group.")


@login_required
def group_export(request):
    groups = GuaranteeGroup.objects.visible_to(request.user).filter(status=GroupStatus.ACTIVE)
    content = imports.group_export(groups=groups, full_id_numbers=False)
    filename = f"groups-{timezone.localdate():%Y%m%d}.xlsx"
    export_record(by=request.user, kind="groups", filename=filename)
    return xlsx_response(content, filename)


@login_required
def group_template(request):
    if Role.VILLAGE_CLERK not in user_roles(request.user):
        raise Http404
    return xlsx_response(imports.group_template(), "groups-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def group_import(request):
    return import_page(
        request,
        kind="groups",
        run=lambda association, rows, dry_run, _progress: imports.groups_import(
            association=association, rows=list(rows), by=request.user, dry_run=dry_run
        ),
        preview=lambda report: [
            (g.line, f"{g.name} · {len(g.leaders) + len(g.households)}") for g in report.groups
        ],
        count=lambda report: len(report.groups),
        template_url="guarantees:group_template",
        done_url="guarantees:group_list",
        title=_("Import groups"),
        rule_errors=(GuaranteeRuleError, AssociationRuleError),
    )
