"""Pages of the loans: list, application, loan page with its actions, repayment, committee
inbox. Views find the loan in scope (or 404), parse the form and call one lending service."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import Member, MemberStatus, OtherLoan, Role
from associations.scoping import get_visible_or_404, user_roles
from associations.selectors import member_query, member_search
from funds.models import JournalEntry
from guarantees.models import GroupStatus, GuaranteeGroup, Placement
from loans import documents, lending, loan_selectors
from loans.fees import FeeMethod
from loans.lifecycle import instalment_rows
from loans.loan_forms import ActionForm, ApplicationForm, RepaymentForm
from loans.models import Loan, LoanPurpose, WriteOff
from loans.selectors import effective_policy
from loans.workflow import LENT_STATUSES, LoanStatus
from mutualaid.errors import RuleError

S = LoanStatus
CLERK = {Role.VILLAGE_CLERK}
STAFF = {r for r in Role.values if r != Role.MEMBER}

# action -> (roles that may take it, function(loan, user, form data) -> None)
ACTIONS = {
    "submit": (CLERK, lambda loan, user, d: lending.loan_submit(loan=loan, by=user)),
    "withdraw": (
        CLERK,
        lambda loan, user, d: lending.loan_withdraw(loan=loan, by=user, reason=d["reason"]),
    ),
    "review": (
        {Role.VILLAGE_BOARD},
        lambda loan, user, d: lending.loan_board_review(loan=loan, by=user, reason=d["reason"]),
    ),
    "approve": (
        {Role.TOWNSHIP_COMMITTEE},
        lambda loan, user, d: lending.loan_approve(loan=loan, by=user),
    ),
    "reject": (
        {Role.TOWNSHIP_COMMITTEE, Role.VILLAGE_BOARD},
        lambda loan, user, d: lending.loan_reject(loan=loan, by=user, reason=d["reason"]),
    ),
    "object": (
        {Role.VILLAGE_BOARD, Role.TOWNSHIP_COMMITTEE, Role.VILLAGE_CLERK},
        lambda loan, user, d: lending.loan_object(loan=loan, by=user, reason=d["reason"]),
    ),
    "disburse": (
        {Role.TOWNSHIP_STATION},
        lambda loan, user, d: lending.loan_disburse(
            loan=loan, by=user, on=d["on"] or timezone.localdate(), into=d["into"] or "cash"
        ),
    ),
    "extend": (
        {Role.TOWNSHIP_COMMITTEE},
        lambda loan, user, d: lending.loan_extend(
            loan=loan, by=user, on=timezone.localdate(), new_maturity=d["new_maturity"]
        ),
    ),
    "write_off_propose": (
        {Role.VILLAGE_BOARD},
        lambda loan, user, d: lending.write_off_propose(
            loan=loan, by=user, reason=d["reason"], on=timezone.localdate()
        ),
    ),
    "write_off_approve": (
        {Role.TOWNSHIP_COMMITTEE},
        lambda loan, user, d: lending.write_off_approve(
            write_off=loan.write_off, by=user, on=timezone.localdate()
        ),
    ),
    "recovery": (
        CLERK,
        lambda loan, user, d: lending.recovery_record(
            loan=loan, amount=d["amount"] or 0, on=timezone.localdate(), by=user
        ),
    ),
}


# Which actions a loan's page offers in each status (the services still check everything).
OFFERED = {
    S.DRAFT: ["submit", "withdraw"],
    S.SUBMITTED: ["review", "reject", "withdraw"],
    S.BOARD_REVIEWED: ["approve", "reject"],
    S.IN_NOTICE: ["object"],
    S.READY: ["disburse"],
    S.DISBURSED: ["extend", "write_off_propose", "write_off_approve"],
    S.REPAYING: ["extend", "write_off_propose", "write_off_approve"],
    S.WRITTEN_OFF: ["recovery"],
}
ACTION_LABELS = {
    "submit": gettext_lazy("Submit"),
    "withdraw": gettext_lazy("Withdraw"),
    "review": gettext_lazy("Board review done"),
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject (give the reason)"),
    "object": gettext_lazy("Record an objection"),
    "disburse": gettext_lazy("Disburse"),
    "extend": gettext_lazy("Extend to the new maturity"),
    "write_off_propose": gettext_lazy("Propose a write-off"),
    "write_off_approve": gettext_lazy("Approve the write-off"),
    "recovery": gettext_lazy("Record a recovery"),
}


def offered_actions(loan: Loan, roles: set[str]) -> list[tuple[str, str]]:
    return [(a, ACTION_LABELS[a]) for a in OFFERED.get(loan.status, []) if roles & ACTIONS[a][0]]


def _roles(request) -> set[str]:
    return set(Role.values) if request.user.is_superuser else user_roles(request.user)


@login_required
def loan_list(request):
    today = timezone.localdate()
    status = request.GET.get("status", "")
    purpose = request.GET.get("purpose", "")
    loans = loan_selectors.loan_list(
        user=request.user,
        today=today,
        status=status if status in S.values else "",
        purpose=purpose,
        overdue=request.GET.get("overdue") == "1",
        due_this_month=request.GET.get("due") == "month",
    )
    page = Paginator(loans, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "loans/loan_list.html",
        {
            "page": page,
            "statuses": S.choices,
            "status": status,
            "purpose": purpose,
            "purposes": LoanPurpose.objects.all(),
            "can_apply": bool(_roles(request) & CLERK),
            "overdue": request.GET.get("overdue") == "1",
            "due": request.GET.get("due", ""),
        },
    )


@login_required
def loan_new(request):
    """The clerk picks a member by name or pinyin, then fills the application."""
    if not _roles(request) & CLERK:
        raise Http404
    members = Member.objects.visible_to(request.user, roles=CLERK).filter(
        status=MemberStatus.ACTIVE
    )
    member = None
    if request.GET.get("member", "").isdigit():
        member = members.filter(pk=request.GET["member"]).select_related("association").first()
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
    groups = GuaranteeGroup.objects.filter(
        status=GroupStatus.ACTIVE, memberships__member=member, memberships__left_on__isnull=True
    )
    form = ApplicationForm(
        request.POST or None,
        groups=groups,
        placements=Placement.objects.filter(member=member),
        guarantors=_guarantors(
            request, members.filter(association=member.association).exclude(pk=member.pk)
        ),
        initial={"group": groups.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            loan = lending.loan_apply(
                association=member.association,
                member=member,
                amount=data["amount"],
                term_months=data["term_months"],
                purpose=data["purpose"],
                schedule_kind=data["schedule_kind"],
                custom_rows=data["custom_rows"],
                guarantee_kind=data["guarantee_kind"],
                group=data["group"],
                guarantor=data["guarantor"],
                placement=data["placement"],
                expected_income=data["expected_income"],
                by=request.user,
            )
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The application is saved as a draft; submit it when it is complete.")
            )
            return redirect("loans:loan_detail", loan_id=loan.pk)
    policy = effective_policy(member.association)
    return render(
        request,
        "loans/loan_new.html",
        {
            "member": member,
            "form": form,
            "gq": request.GET.get("gq", ""),
            "policy": policy,
            "fee_method": FeeMethod(policy.fee_method).label,
            "other_loans": OtherLoan.objects.filter(member=member),
        },
    )


def _guarantors(request, candidates):
    """A personal guarantor is searched by name, pinyin or ID suffix (`gq`), not picked from
    a list of the whole village; a posted choice is checked against every candidate."""
    if request.method == "POST":
        return candidates
    query = request.GET.get("gq", "").strip()
    if not query:
        return candidates.none()
    return candidates.filter(
        pk__in=list(candidates.filter(member_query(query)).values_list("pk", flat=True)[:20])
    )


@login_required
def loan_detail(request, loan_id: int):
    loan = get_visible_or_404(
        Loan.objects.select_related(
            "member", "association", "purpose", "group", "guarantor", "placement"
        ),
        request.user,
        pk=loan_id,
    )
    today = timezone.localdate()
    context = {
        "loan": loan,
        "today": today,
        "form": ActionForm(),
        "roles": _roles(request),
        "transitions": loan.transitions.select_related("by"),
        "repayments": loan.repayments.select_related("recorded_by", "reversed_by"),
        "entries": JournalEntry.objects.filter(
            source_type="loans.loan", source_id=loan.pk
        ).order_by("date", "pk"),
        "other_loans": OtherLoan.objects.filter(member=loan.member),
        "write_off": WriteOff.objects.filter(loan=loan).first(),
        "actions": offered_actions(loan, _roles(request)),
    }
    if loan.disbursed_on:
        terms, state = lending.loan_state(loan)
        context["rows"] = instalment_rows(terms, state, today)
        if loan.status in LENT_STATUSES:
            context["owed"] = lending.owed_today(loan, today)
    return render(request, "loans/loan_detail.html", context)


@login_required
def loan_action(request, loan_id: int):
    loan = get_visible_or_404(Loan.objects, request.user, roles=STAFF, pk=loan_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    action = request.POST.get("action", "")
    if action not in ACTIONS or not _roles(request) & ACTIONS[action][0]:
        raise Http404
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors})
        return redirect("loans:loan_detail", loan_id=loan.pk)
    try:
        ACTIONS[action][1](loan, request.user, form.cleaned_data)
    except (RuleError, WriteOff.DoesNotExist) as error:
        messages.error(request, getattr(error, "message", _("Nothing to approve.")))
    else:
        messages.success(request, _("Done."))
    return redirect("loans:loan_detail", loan_id=loan.pk)


@login_required
def loan_repay(request, loan_id: int):
    loan = get_visible_or_404(
        Loan.objects.select_related("member"), request.user, roles=CLERK, pk=loan_id
    )
    today = timezone.localdate()
    form = RepaymentForm(
        request.POST or None, initial={"paid_on": today, "token": uuid.uuid4().hex}
    )
    on = today
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lending.repayment_record(
                loan=loan,
                amount=data["amount"],
                paid_on=data["paid_on"],
                by=request.user,
                token=data["token"],
            )
        except RuleError as error:
            form.add_error(None, error.message)
            on = data["paid_on"]
        else:
            messages.success(request, _("The repayment is recorded."))
            return redirect("loans:loan_detail", loan_id=loan.pk)
    owed = lending.owed_today(loan, on) if loan.status in LENT_STATUSES else None
    return render(request, "loans/loan_repay.html", {"loan": loan, "form": form, "owed": owed})


@login_required
def repayment_reverse(request, loan_id: int):
    loan = get_visible_or_404(Loan.objects, request.user, roles={Role.TOWNSHIP_STATION}, pk=loan_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    repayment = loan.repayments.filter(pk=request.POST.get("repayment") or 0).first()
    if repayment is None:
        raise Http404
    try:
        lending.repayment_reverse(
            repayment=repayment,
            by=request.user,
            reason=request.POST.get("reason", ""),
            on=timezone.localdate(),
        )
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The repayment is reversed."))
    return redirect("loans:loan_detail", loan_id=loan.pk)


@login_required
def committee_inbox(request):
    """Each waiting application with the result of every eligibility rule and the warnings."""
    if not _roles(request) & {Role.TOWNSHIP_COMMITTEE}:
        raise Http404
    today = timezone.localdate()
    rows = []
    for loan in loan_selectors.committee_inbox(user=request.user, today=today):
        try:
            lending.eligibility_check(loan, on=today)
            problem = None
        except RuleError as error:
            problem = error.message
        cash_ok = lending.lendable_cash(loan.association, excluding=loan) >= loan.amount
        rows.append((loan, problem, cash_ok))
    return render(request, "loans/inbox.html", {"rows": rows})


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def loan_contract(request, loan_id: int):
    loan = get_visible_or_404(
        Loan.objects.select_related("member", "association", "purpose", "group"),
        request.user,
        pk=loan_id,
    )
    if not loan.fee_rate:  # terms are fixed at approval
        raise Http404
    return _pdf(documents.to_pdf(documents.contract_html(loan)), f"contract-{loan.pk}.pdf")


@login_required
def repayment_receipt(request, loan_id: int, repayment_id: int):
    loan = get_visible_or_404(
        Loan.objects.select_related("member", "association"), request.user, pk=loan_id
    )
    repayment = loan.repayments.select_related("recorded_by").filter(pk=repayment_id).first()
    if repayment is None:
        raise Http404
    return _pdf(documents.to_pdf(documents.receipt_html(repayment)), f"receipt-{repayment.pk}.pdf")
