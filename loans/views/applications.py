"""The clerk's application: a new draft and the draft's edit page. Both show the limits in force,
keep what was typed across a guarantor search, and show each broken rule beside its field."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from associations.idempotency import idempotent
from associations.models import Member, MemberStatus, OtherLoan
from associations.scoping import get_visible_or_404
from associations.selectors import member_query, member_search
from guarantees.models import GroupStatus, GuaranteeGroup, Placement
from loans import workflow
from loans.domain.fees import FeeMethod
from loans.exceptions import LoanDraftError
from loans.forms import ApplicationForm
from loans.models import GuaranteeKind, Loan
from loans.selectors.policy import effective_policy
from loans.services import applications
from loans.views.actions import may_enter_applications
from loans.workflow import LoanStatus
from mutualaid.errors import RuleError
from mutualaid.forms import IDEMPOTENCY_KEY

CLERK = workflow.ACTIONS["apply"].roles
# The fields a draft is made of: what the edit page starts from and what a search carries.
TERMS = (
    "amount",
    "term_months",
    "purpose",
    "schedule_kind",
    "custom_rows",
    "guarantee_kind",
    "group",
    "guarantor",
    "placement",
    "expected_income",
)


@login_required
def loan_new(request) -> HttpResponse:
    """The clerk picks a member by name or pinyin, then fills the application."""
    if not may_enter_applications(request.user):
        raise Http404
    members = Member.objects.visible_to(request.user, roles=CLERK).filter(
        status=MemberStatus.ACTIVE
    )
    member = None
    chosen = request.GET.get("member", "")
    if chosen.isascii() and chosen.isdigit():
        member = members.filter(pk=chosen).select_related("association").first()
    if member is None:
        query = request.GET.get("q", "").strip()
        found = (
            member_search(user=request.user, query=query, status=MemberStatus.ACTIVE, roles=CLERK)[
                :20
            ]
            if query
            else []
        )
        return render(request, "loans/loan_pick_member.html", {"q": query, "found": found})
    form, searching = _application_form(request, member, members, initial={})
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        try:
            with idempotent(request.user, form.claim_key) as claim:
                loan = claim.first or claim.created(
                    applications.loan_apply(
                        association=member.association,
                        member=member,
                        by=request.user,
                        **{name: data[name] for name in TERMS},
                    )
                )
        except RuleError as error:
            show_rule_error(form, error)
        else:
            claim.tell(
                request, _("The application is saved as a draft; submit it when it is complete.")
            )
            return redirect("loans:loan_detail", loan_id=loan.pk)
    return _render(request, member, form, loan=None)


@login_required
def loan_draft_edit(request, loan_id: int) -> HttpResponse:
    """A draft stays editable until it is submitted; the service checks the clerk's village."""
    loan = get_visible_or_404(
        Loan.objects.select_related("member__association", "association"),
        request.user,
        roles=CLERK,
        pk=loan_id,
    )
    if loan.status != LoanStatus.DRAFT:
        return _render(request, loan.member, None, loan=loan)
    members = Member.objects.visible_to(request.user, roles=CLERK).filter(
        status=MemberStatus.ACTIVE
    )
    initial = {name: getattr(loan, name) for name in TERMS if name != "custom_rows"}
    initial["custom_rows"] = "\n".join(f"{day} {amount}" for day, amount in loan.custom_rows)
    form, searching = _application_form(request, loan.member, members, initial=initial)
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        try:
            applications.loan_draft_update(
                loan=loan, by=request.user, **{name: data[name] for name in TERMS}
            )
        except RuleError as error:
            show_rule_error(form, error)
        else:
            messages.success(request, _("The draft is saved; submit it when it is complete."))
            return redirect("loans:loan_detail", loan_id=loan.pk)
    return _render(request, loan.member, form, loan=loan)


def show_rule_error(form: ApplicationForm, error: RuleError) -> None:
    """Each rule a draft breaks beside its field; any other refusal above the form."""
    if isinstance(error, LoanDraftError):
        for field, message in error.problems.items():
            form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error.message)


def _application_form(
    request: HttpRequest, member: Member, members: QuerySet[Member], *, initial: dict[str, Any]
) -> tuple[ApplicationForm, bool]:
    """The application form for `member`, and whether this request is a guarantor search.

    A search is the form's own "find" button: it posts what was typed, and the page comes back
    with it all kept, unsaved and without errors, the guarantor list narrowed to the matches."""
    searching = request.method == "POST" and "find" in request.POST
    groups = GuaranteeGroup.objects.filter(
        status=GroupStatus.ACTIVE, memberships__member=member, memberships__left_on__isnull=True
    )
    candidates = members.filter(association=member.association).exclude(pk=member.pk)
    query = (request.POST if searching else request.GET).get("gq", "").strip()
    # The guarantor already chosen stays choosable while another is searched.
    chosen = request.POST.get("guarantor") if searching else initial.get("guarantor")
    kwargs: dict[str, Any] = {
        "groups": groups,
        # An ended placement (guarantees.services.placement_end) guarantees no new loan.
        "placements": Placement.objects.filter(member=member, ended_on__isnull=True),
        "guarantors": (
            candidates
            if request.method == "POST" and not searching
            else _guarantors(candidates, query, chosen=getattr(chosen, "pk", chosen))
        ),
    }
    if searching:
        typed = {k: v for k, v in request.POST.items() if k in TERMS or k == IDEMPOTENCY_KEY}
        found = list(kwargs["guarantors"])
        if query and not typed.get("guarantor") and len(found) == 1:
            typed["guarantor"] = str(found[0].pk)
        if query:
            typed["guarantee_kind"] = GuaranteeKind.PERSONAL
        return ApplicationForm(initial=typed, **kwargs), True
    if request.method == "POST":
        return ApplicationForm(request.POST, **kwargs), False
    return ApplicationForm(initial={"group": groups.first(), **initial}, **kwargs), False


def _guarantors(candidates: QuerySet[Member], query: str, *, chosen: object) -> QuerySet[Member]:
    """A personal guarantor is searched by name, pinyin or ID suffix (`gq`), not picked from
    a list of the whole village (a posted choice is checked against every candidate)."""
    found = (
        list(candidates.filter(member_query(query)).values_list("pk", flat=True)[:20])
        if query
        else []
    )
    if str(chosen).isascii() and str(chosen).isdigit():
        found.append(int(str(chosen)))
    return candidates.filter(pk__in=found)


def _render(
    request: HttpRequest, member: Member, form: ApplicationForm | None, *, loan: Loan | None
) -> HttpResponse:
    policy = effective_policy(member.association)
    return render(
        request,
        "loans/loan_new.html",
        {
            "member": member,
            "loan": loan,
            "form": form,
            "gq": request.POST.get("gq", "") or request.GET.get("gq", ""),
            "policy": policy,
            "fee_method": FeeMethod(policy.fee_method).label,
            "other_loans": OtherLoan.objects.filter(member=member),
        },
    )
