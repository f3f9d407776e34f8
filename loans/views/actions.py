"""Actions on a loan's page: each posts to one service; who may take which action is asked
of the services' rules, never decided here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.authority import may_act
from associations.models import Role
from associations.scoping import get_visible_or_404, user_roles
from loans import workflow
from loans.forms import ActionForm
from loans.models import Loan, WriteOff
from loans.services import applications, money
from mutualaid.errors import RuleError
from mutualaid.forms import parse_id
from mutualaid.money import ZERO

STAFF = {r for r in Role.values if r != Role.MEMBER}

# How each button of the loan page calls its service: dispatch only. Who may press it, and in
# which status, is `loans.workflow.ACTIONS`, checked by the service itself.
DISPATCH = {
    "submit": lambda loan, user, d: applications.loan_submit(loan=loan, by=user),
    "withdraw": lambda loan, user, d: applications.loan_withdraw(
        loan=loan, by=user, reason=d["reason"]
    ),
    "review": lambda loan, user, d: applications.loan_board_review(
        loan=loan, by=user, reason=d["reason"]
    ),
    "approve": lambda loan, user, d: applications.loan_approve(loan=loan, by=user),
    "reject": lambda loan, user, d: applications.loan_reject(
        loan=loan, by=user, reason=d["reason"]
    ),
    "object": lambda loan, user, d: applications.loan_object(
        loan=loan, by=user, reason=d["reason"]
    ),
    "disburse": lambda loan, user, d: money.loan_disburse(
        loan=loan, by=user, on=d["on"] or timezone.localdate(), into=d["into"] or "cash"
    ),
    "extend": lambda loan, user, d: money.loan_extend(
        loan=loan, by=user, on=timezone.localdate(), new_maturity=d["new_maturity"]
    ),
    "write_off_propose": lambda loan, user, d: money.write_off_propose(
        loan=loan, by=user, reason=d["reason"], on=timezone.localdate()
    ),
    "write_off_approve": lambda loan, user, d: money.write_off_approve(
        write_off=loan.write_off, by=user, on=timezone.localdate()
    ),
    "recovery": lambda loan, user, d: money.recovery_record(
        loan=loan, amount=d["amount"] or ZERO, on=timezone.localdate(), by=user
    ),
}


def page_actions(user, loan: Loan) -> dict:
    """What the loan page offers `user`: the buttons of the action form, and whether to show the
    repayment and reversal links. Derived from the one action table the services check."""
    offered = workflow.offered_actions(user, loan)
    if (
        "write_off_approve" in offered
        and not WriteOff.objects.filter(loan=loan, approved_by__isnull=True).exists()
    ):
        offered.remove("write_off_approve")  # nothing proposed, nothing to approve
    return {
        "actions": [(a, workflow.ACTIONS[a].label) for a in offered if a in DISPATCH],
        "can_edit": "edit" in offered,
        "can_repay": "repay" in offered,
        "can_reverse": "reverse_repayment" in offered,
    }


def may_enter_applications(user) -> bool:
    """A clerk somewhere: the application page asks for the member, scoped to the clerk's
    villages, and the service checks the village itself."""
    return user.is_superuser or bool(user_roles(user) & workflow.ACTIONS["apply"].roles)


@login_required
def loan_action(request, loan_id: int):
    loan = get_visible_or_404(
        Loan.objects.select_related("association"), request.user, roles=STAFF, pk=loan_id
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    action = request.POST.get("action", "")
    if action not in DISPATCH or not may_act(
        request.user, workflow.ACTIONS[action].roles, loan.association.area_id
    ):
        raise Http404
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors})
        return redirect("loans:loan_detail", loan_id=loan.pk)
    try:
        DISPATCH[action](loan, request.user, form.cleaned_data)
    except (RuleError, WriteOff.DoesNotExist) as error:
        messages.error(request, getattr(error, "message", _("Nothing to approve.")))
    else:
        messages.success(request, _("Done."))
    return redirect("loans:loan_detail", loan_id=loan.pk)


@login_required
def repayment_reverse(request, loan_id: int):
    loan = get_visible_or_404(
        Loan.objects, request.user, roles=workflow.ACTIONS["reverse_repayment"].roles, pk=loan_id
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    repayment = loan.repayments.filter(pk=parse_id(request.POST.get("repayment"))).first()
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
