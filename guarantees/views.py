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
from guarantees.forms import GroupChangeForm, GroupFormForm, PlacementEndForm, PlacementForm
from guarantees.models import GroupRole, GroupStatus, GuaranteeGroup, PartnerKind, Placement
from guarantees.rules import composition_gaps, group_rules_for
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


MARK_KEYS = {"mark_party": "party", "mark_wealth": "wealth"}


def _mark_leader(request, association) -> bool:
    """A "mark as party member / wealth leader" button was pressed: set the flag through the
    roster's service and stay on the page (what was typed and picked is carried by the form).
    Returns whether such a button was pressed."""
    key = next((k for k in MARK_KEYS if k in request.POST), None)
    if key is None:
        return False
    ids = _ids([request.POST.get(key, "")])
    member = Member.objects.filter(association=association, pk__in=ids).first()
    try:
        if member is None:
            raise GuaranteeRuleError(_("Choose a member of this association."), "unknown_member")
        services.leader_flag_set(member=member, flag=MARK_KEYS[key], by=request.user)
    except (GuaranteeRuleError, AssociationRuleError) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s can now lead a group.") % {"name": member.name})
    return True


def _forming_context(association, *, query: str, chosen: set[int], counts=None):
    """What the clerk needs before picking: the limits in force, who can lead, who cannot join
    and why, and what the chosen members still lack."""
    rules = group_rules_for(association)
    return {
        "rules": rules,
        "leader_candidates": [
            m for m in selectors.leader_candidates(association=association) if m.pk not in chosen
        ],
        # The group's own members (on the change page) are listed above, not as "cannot join".
        "unavailable": [
            u
            for u in selectors.unavailable_members(association=association, query=query)
            if u.member.pk not in chosen
        ],
        "gaps": composition_gaps(leaders=counts[0], households=counts[1], rules=rules)
        if counts is not None
        else [],
    }


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
    if data is not None:
        _mark_leader(request, association)
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
            **_forming_context(
                association,
                query=query,
                chosen=chosen_ids,
                counts=(len(leaders), len(households)),
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_change(request, group_id: int):
    group = get_visible_or_404(GuaranteeGroup.objects, request.user, roles=CLERK, pk=group_id)
    if group.status != GroupStatus.ACTIVE:
        raise Http404
    data = request.POST if request.method == "POST" else None
    if data is not None:
        _mark_leader(request, group.association)
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
            **_forming_context(group.association, query=query, chosen=set(current)),
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


# --- placements with an enterprise or cooperative (带资入股/入社) --------------------------


@login_required
def placement_list(request):
    query = request.GET.get("q", "").strip()[:50]
    status = request.GET.get("status", "")
    if status not in ("active", "ended"):
        status = ""
    placements = selectors.placement_list(user=request.user, query=query, status=status)
    page = Paginator(placements, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "guarantees/placement_list.html",
        {
            "page": page,
            "q": query,
            "status": status,
            "extra_query": f"status={status}&",
            "is_clerk": Role.VILLAGE_CLERK in user_roles(request.user),
            "clerk_ids": set(
                Placement.objects.visible_to(request.user, roles=CLERK)
                .filter(pk__in=[p.pk for p in page.object_list])
                .values_list("pk", flat=True)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_create(request):
    association = clerk_association(request)
    if association is None:
        raise Http404
    data = request.POST if request.method == "POST" else None
    # The search button re-renders the form with what was typed, without complaining.
    submitting = data is not None and "save" in data
    preset = parse_id(request.GET.get("member", ""))
    initial = {"agreed_on": timezone.localdate(), "member": preset, **(data.dict() if data else {})}
    form = PlacementForm(data if submitting else None, initial=initial)
    if submitting and form.is_valid():
        fields = form.cleaned_data
        member = Member.objects.filter(association=association, pk=fields["member"]).first()
        try:
            if member is None:
                raise GuaranteeRuleError(
                    _("Choose the household from the search results."), "unknown_member"
                )
            with idempotent(request.user, form.claim_key) as claim:
                placement = claim.first_as(Placement) or claim.created(
                    services.placement_create(
                        member=member,
                        partner_kind=fields["partner_kind"],
                        partner_name=fields["partner_name"],
                        agreed_on=fields["agreed_on"],
                        dividend_terms=fields["dividend_terms"],
                        by=request.user,
                    )
                )
        except (GuaranteeRuleError, AssociationRuleError) as error:
            form.add_error(None, error.message)
        else:
            claim.tell(
                request,
                _("The placement of %(name)s with %(partner)s is recorded.")
                % {"name": placement.member.name, "partner": placement.partner_name},
            )
            return redirect("guarantees:placement_list")
    query = (data or request.GET).get("q", "").strip()[:50]
    chosen = parse_id(str(form["member"].value() or ""))
    found = selectors.active_members(association=association, query=query)
    if chosen and chosen not in {m.pk for m in found}:
        found = [
            *Member.objects.filter(
                association=association, status=MemberStatus.ACTIVE, pk=chosen
            ).select_related("village_group"),
            *found,
        ]
    return render(
        request,
        "guarantees/placement_form.html",
        {
            "form": form,
            "association": association,
            "members": found,
            "chosen": chosen,
            "q": query,
            "kinds": PartnerKind.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_end(request, placement_id: int):
    placement = get_visible_or_404(
        Placement.objects.select_related("member", "association"),
        request.user,
        roles=CLERK,
        pk=placement_id,
    )
    if placement.ended_on is not None:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = PlacementEndForm(data, initial={"on": timezone.localdate()})
    if data is not None and form.is_valid():
        try:
            services.placement_end(
                placement=placement,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except (GuaranteeRuleError, AssociationRuleError) as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "The placement of %(name)s with %(partner)s has ended: it no longer "
                    "guarantees a new loan."
                )
                % {"name": placement.member.name, "partner": placement.partner_name},
            )
            return redirect("guarantees:placement_list")
    return render(request, "guarantees/placement_end.html", {"placement": placement, "form": form})
