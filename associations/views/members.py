"""Pages for member households. Clerks write; township and above read within their scope."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from associations import selectors
from associations.exceptions import AssociationRuleError
from associations.forms import (
    ContributionReceiveForm,
    MemberCreateForm,
    MemberExitForm,
    MemberFilterForm,
    MemberForm,
    OtherLoanForm,
    VillageGroupForm,
)
from associations.idempotency import idempotent
from associations.models import (
    Member,
    MemberStatus,
    OtherLoan,
    PovertyStatus,
    Role,
    VillageGroup,
)
from associations.scoping import get_visible_or_404, user_roles
from associations.services import members
from mutualaid.money import format_yuan

CLERK = [Role.VILLAGE_CLERK]


def clerk_association(request):
    """The association a clerk writes to: the one of their village (or the one chosen)."""
    associations = selectors.clerk_associations(user=request.user)
    chosen = request.POST.get("association") or request.GET.get("association")
    if chosen:
        digits = chosen.isascii() and chosen.isdigit()  # "¹" is a digit to isdigit(), not to int()
        return get_object_or_404(associations, pk=chosen) if digits else None
    first_two = list(associations[:2])
    if not first_two:
        raise Http404
    return first_two[0] if len(first_two) == 1 else None


def _is_clerk_of(user, member) -> bool:
    return Member.objects.visible_to(user, roles=CLERK).filter(pk=member.pk).exists()


@login_required
def member_list(request):
    form = MemberFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    party = {"yes": True, "no": False}.get(data.get("party") or "")
    members = selectors.member_search(
        user=request.user,
        query=data.get("q") or "",
        poverty_status=data.get("poverty_status") or "",
        party_member=party,
        village_group=data.get("village_group"),
        status=data.get("status") or "",
    )
    page = Paginator(members, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("q", None)
    return render(
        request,
        "associations/member_list.html",
        {
            "page": page,
            "q": data.get("q") or "",
            "filters": data,
            "extra_query": params.urlencode() + "&" if params else "",
            "poverty_choices": PovertyStatus.choices,
            "status_choices": MemberStatus.choices,
            "village_groups": selectors.village_groups_of(user=request.user)[:200],
            "is_clerk": Role.VILLAGE_CLERK in user_roles(request.user),
        },
    )


def _detail(request, member: Member, contribution_form: ContributionReceiveForm | None = None):
    may_see_full = selectors.may_see_full_id(user=request.user, member=member)
    full_id = None
    if may_see_full and request.GET.get("show_id") == "1":
        full_id = members.id_number_reveal(member=member, viewer=request.user)
    may_receive = members.may_receive_contribution(request.user, member)
    if may_receive and contribution_form is None:
        contribution_form = ContributionReceiveForm(initial={"on": timezone.localdate()})
    return render(
        request,
        "associations/member_detail.html",
        {
            "member": member,
            "full_id": full_id,
            "may_see_full": may_see_full,
            "is_clerk": _is_clerk_of(request.user, member),
            # The books' figure: what the journal received from the household, less refunds.
            "contribution": members.contribution_held(member),
            "contribution_form": contribution_form if may_receive else None,
            "contribution_lines": members.contribution_lines(request.user, member),
            # guarantees imports associations, not the reverse: read through the relation.
            "memberships": member.group_memberships.select_related("group").order_by("-joined_on"),
            "other_loans": member.other_loans.all(),
            "history": selectors.member_history(member=member)[:50],
        },
    )


def _visible_member(request, member_id: int) -> Member:
    return get_visible_or_404(
        Member.objects.select_related("association", "village_group", "user"),
        request.user,
        pk=member_id,
    )


@login_required
def member_detail(request, member_id: int):
    return _detail(request, _visible_member(request, member_id))


@login_required
def member_contribution(request, member_id: int):
    """Receive the household's contribution into the books (the form on the member page).
    Who may is the books' rule; anyone else who can see the member gets a 404."""
    member = _visible_member(request, member_id)
    if not members.may_receive_contribution(request.user, member):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ContributionReceiveForm(request.POST)
    if form.is_valid():
        try:
            with idempotent(request.user, form.claim_key) as claim:
                claim.first or claim.created(
                    members.contribution_receive(
                        member=member,
                        amount=form.cleaned_data["amount"],
                        on=form.cleaned_data["on"],
                        by=request.user,
                    )
                )
        except AssociationRuleError as error:
            form.add_error(None, error.message)
        else:
            claim.tell(
                request,
                _("Received %(amount)s yuan from %(name)s; the books now hold %(held)s yuan.")
                % {
                    "amount": format_yuan(form.cleaned_data["amount"]),
                    "name": member.name,
                    "held": format_yuan(members.contribution_held(member)),
                },
            )
            return redirect("associations:member_detail", member_id=member.pk)
    return _detail(request, member, contribution_form=form)


def _member_fields(form) -> dict:
    return {key: form.cleaned_data[key] for key in members.MEMBER_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request):
    association = clerk_association(request)
    if association is None:
        raise Http404
    form = MemberCreateForm(request.POST or None, association=association)
    if request.method == "POST" and form.is_valid():
        try:
            with idempotent(request.user, form.claim_key) as claim:
                member = claim.first_as(Member) or claim.created(
                    members.member_create(
                        association=association, by=request.user, **_member_fields(form)
                    )
                )
        except AssociationRuleError as error:
            form.add_error(None, error.message)
        else:
            claim.tell(request, _("Member %(name)s registered.") % {"name": member.name})
            return redirect("associations:member_detail", member_id=member.pk)
    return render(
        request,
        "associations/member_form.html",
        {"form": form, "association": association, "member": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, member_id: int):
    member = get_visible_or_404(Member.objects, request.user, roles=CLERK, pk=member_id)
    initial = {key: getattr(member, key) for key in members.MEMBER_FIELDS}
    form = MemberForm(request.POST or None, initial=initial, association=member.association)
    if request.method == "POST" and form.is_valid():
        try:
            members.member_update(member=member, by=request.user, **_member_fields(form))
        except AssociationRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("associations:member_detail", member_id=member.pk)
    return render(
        request,
        "associations/member_form.html",
        {"form": form, "association": member.association, "member": member},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_exit(request, member_id: int):
    member = get_visible_or_404(Member.objects, request.user, roles=CLERK, pk=member_id)
    form = MemberExitForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            # The debt check and the journal posting arrive with the loans and funds apps.
            members.member_exit(
                member=member,
                by=request.user,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                refund=form.cleaned_data["refund"],
            )
        except AssociationRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The exit is recorded."))
            return redirect("associations:member_detail", member_id=member.pk)
    return render(
        request,
        "associations/member_exit.html",
        {"form": form, "member": member, "contribution": members.contribution_held(member)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_other_loans(request, member_id: int):
    member = get_visible_or_404(Member.objects, request.user, roles=CLERK, pk=member_id)
    form = OtherLoanForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                loan = get_object_or_404(OtherLoan, member=member, pk=request.POST.get("loan"))
                members.other_loan_remove(loan=loan, by=request.user)
                messages.success(request, _("The loan record is removed."))
                return redirect("associations:member_other_loans", member_id=member.pk)
            if form.is_valid():
                with idempotent(request.user, form.claim_key) as claim:
                    claim.first or claim.created(
                        members.other_loan_add(member=member, by=request.user, **form.cleaned_data)
                    )
                claim.tell(request, _("The loan is recorded."))
                return redirect("associations:member_other_loans", member_id=member.pk)
        except AssociationRuleError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "associations/member_other_loans.html",
        {"form": form, "member": member, "loans": member.other_loans.all()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def village_groups(request):
    association = clerk_association(request)
    if association is None:
        raise Http404
    form = VillageGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with idempotent(request.user, form.claim_key) as claim:
                claim.first or claim.created(
                    members.village_group_create(
                        association=association, name=form.cleaned_data["name"], by=request.user
                    )
                )
        except AssociationRuleError as error:
            form.add_error("name", error.message)
        else:
            claim.tell(request, _("Village group added."))
            return redirect("associations:village_groups")
    groups = VillageGroup.objects.filter(association=association)
    return render(
        request,
        "associations/village_groups.html",
        {"form": form, "groups": groups, "association": association},
    )
