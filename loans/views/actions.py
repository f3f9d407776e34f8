"""Actions on a loan's page: each posts to one service; who may take which action is asked
of the services' rules, never decided here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import Role
from associations.scoping import get_visible_or_404, user_roles
from loans.forms import ActionForm
from loans.models import Loan, WriteOff
from loans.services import applications, money
from loans.workflow import LoanStatus
from mutualaid.errors import RuleError

S = LoanStatus
CLERK = {Role.VILLAGE_CLERK}
STAFF = {r for r in Role.values if r != Role.MEMBER}

# action -> (roles that may take it, function(loan, user, form data) -> None)
ACTIONS = {
    "submit": (CLERK, lambda loan, user, d: applications.loan_submit(loan=loan, by=user)),
    "withdraw": (
        CLERK,
        lambda loan, user, d: applications.loan_withdraw(loan=loan, by=user, reason=d["reason"]),
    ),
    "review": (
        {Role.VILLAGE_BOARD},
        lambda loan, user, d: applications.loan_board_review(
            loan=loan, by=user, reason=d["reason"]
        ),
    ),
    "approve": (
        {Role.TOWNSHIP_COMMITTEE},
        lambda loan, user, d: applications.loan_approve(loan=loan, by=user),
    ),
    "reject": (
        {Role.TOWNSHIP_COMMITTEE, Role.VILLAGE_BOARD},
        lambda loan, user, d: applications.loan_reject(loan=loan, by=user, reason=d["reason"]),
    ),
    "object": (
        {Role.VILLAGE_BOARD, Role.TOWNSHIP_COMMITTEE, Role.VILLAGE_CLERK},
        lambda loan, user, d: applications.loan_object(loan=loan, by=user, reason=d["reason"]),
    ),
    "disburse": (
        {Role.TOWNSHIP_STATION},
        lambda loan, user, d: money.loan_disburse(
            loan=loan, by=user, on=d["on"] or timezone.localdate(), into=d["into"] or "cash"
        ),
    ),
    "extend": (
        {Role.TOWNSHIP_COMMITTEE},
        lambda loan, user, d: money.loan_extend(
            loan=loan, by=user, on=timezone.localdate(), new_maturity=d["new_maturity"]
        ),
    ),
    "write_off_propose": (
        {Role.VILLAGE_BOARD},
        lambda loan, user, d: money.write_off_propose(
            loan=loan, by=user, reason=d["reason"], on=timezone.localdate()
        ),
    ),
    "write_off_approve": (
        {Role.TOWNSHIP_COMMITTEE},
        lambda loan, user, d: money.write_off_approve(
            write_off=loan.write_off, by=user, on=timezone.localdate()
        ),
    ),
    "recovery": (
        CLERK,
        lambda loan, user, d: money.recovery_record(
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


def request_roles(request) -> set[str]:
    return set(Role.values) if request.user.is_superuser else user_roles(request.user)


@login_required
def loan_action(request, loan_id: int):
    loan = get_visible_or_404(Loan.objects, request.user, roles=STAFF, pk=loan_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    action = request.POST.get("action", "")
    if action not in ACTIONS or not request_roles(request) & ACTIONS[action][0]:
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
def repayment_reverse(request, loan_id: int):
    loan = get_visible_or_404(Loan.objects, request.user, roles={Role.TOWNSHIP_STATION}, pk=loan_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    repayment = loan.repayments.filter(pk=request.POST.get("repayment") or 0).first()
    if repayment is None:
        raise Http404
    try:
        money.repayment_reverse(
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
