"""Actions on a loan's page, one at a time: each has its own small form, a confirmation page
that says in words what will happen (amount, date, who acts next), one service call and a
message naming what was done. Who may take which action is the services' table
(`loans.workflow.ACTIONS`), never decided here."""

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.authority import STAFF_ROLES, may_act
from associations.scoping import get_visible_or_404, user_roles
from loans import workflow
from loans.exceptions import LoanRuleError
from loans.forms import ACTION_FORMS
from loans.models import ExtensionRequest, ExtensionStatus, Loan, ReversalRequest, WriteOff
from loans.selectors.loans import loan_state
from loans.selectors.policy import effective_policy
from loans.services import applications, extensions, money, reversal_requests
from mutualaid.errors import RuleError
from mutualaid.forms import parse_id
from mutualaid.money import format_yuan

STAFF = STAFF_ROLES

Data = dict[str, Any]

# How each action calls its service: dispatch only. Who may take it, and in which status, is
# `loans.workflow.ACTIONS`, checked by the service itself.
DISPATCH: dict[str, Callable[[Loan, Any, Data, datetime.date], object]] = {
    "submit": lambda loan, user, d, today: applications.loan_submit(loan=loan, by=user),
    "withdraw": lambda loan, user, d, today: applications.loan_withdraw(
        loan=loan, by=user, reason=d["reason"]
    ),
    "review": lambda loan, user, d, today: applications.loan_board_review(
        loan=loan, by=user, reason=d["reason"]
    ),
    "send_back": lambda loan, user, d, today: applications.loan_send_back(
        loan=loan, by=user, reason=d["reason"]
    ),
    "approve": lambda loan, user, d, today: applications.loan_approve(loan=loan, by=user, on=today),
    "reject": lambda loan, user, d, today: applications.loan_reject(
        loan=loan, by=user, reason=d["reason"]
    ),
    "object": lambda loan, user, d, today: applications.loan_object(
        loan=loan, by=user, reason=d["reason"]
    ),
    "disburse": lambda loan, user, d, today: money.loan_disburse(
        loan=loan, by=user, on=d["on"], into=d["into"]
    ),
    "disbursement_reverse": lambda loan, user, d, today: money.loan_disbursement_reverse(
        loan=loan, by=user, reason=d["reason"], on=d["on"]
    ),
    "extension_request": lambda loan, user, d, today: extensions.extension_request(
        loan=loan, by=user, new_maturity=d["new_maturity"], reason=d["reason"], on=today
    ),
    "extend": lambda loan, user, d, today: extensions.extension_grant(
        request=_pending_extension(loan), by=user, on=today
    ),
    "extension_refuse": lambda loan, user, d, today: extensions.extension_refuse(
        request=_pending_extension(loan), by=user, reason=d["reason"]
    ),
    "write_off_propose": lambda loan, user, d, today: money.write_off_propose(
        loan=loan, by=user, reason=d["reason"], on=today
    ),
    "write_off_approve": lambda loan, user, d, today: money.write_off_approve(
        write_off=_proposal(loan), by=user, on=today
    ),
    "recovery": lambda loan, user, d, today: money.recovery_record(
        loan=loan, amount=d["amount"], on=today, by=user
    ),
}


def _pending_extension(loan: Loan) -> ExtensionRequest:
    request = loan.extension_requests.filter(status=ExtensionStatus.PENDING).first()
    if request is None:
        raise LoanRuleError(_("No extension request waits for a decision."), "no_request")
    return request


def _proposal(loan: Loan) -> WriteOff:
    proposal = WriteOff.objects.filter(loan=loan, approved_by__isnull=True).first()
    if proposal is None:
        raise LoanRuleError(_("No write-off is proposed for this loan."), "no_proposal")
    return proposal


def page_actions(user, loan: Loan) -> dict:
    """What the loan page offers `user`: a link to each action's confirmation page, and whether
    to show the edit, repayment and reversal links. Derived from the one action table the
    services check, narrowed to what is waiting (a proposal to approve, a request to decide)."""
    offered = _offered(user, loan)
    return {
        "actions": [(a, workflow.ACTIONS[a].label) for a in offered if a in DISPATCH],
        "can_edit": "edit" in offered,
        "can_repay": "repay" in offered,
        "can_reverse": "reverse_repayment" in offered,
        "can_request_reversal": "reversal_request" in offered,
    }


def _offered(user, loan: Loan) -> list[str]:
    return [a for a in workflow.offered_actions(user, loan) if _waiting(a, loan)]


def _waiting(action: str, loan: Loan) -> bool:
    """Actions that decide something are offered only while it waits."""
    if action == "write_off_approve":
        return WriteOff.objects.filter(loan=loan, approved_by__isnull=True).exists()
    if action == "write_off_propose":
        return not WriteOff.objects.filter(loan=loan).exists()
    pending = loan.extension_requests.filter(status=ExtensionStatus.PENDING).exists()
    if action in ("extend", "extension_refuse"):
        return pending
    if action == "extension_request":
        return not pending and not loan.extensions
    return True


def may_enter_applications(user) -> bool:
    """A clerk somewhere: the application page asks for the member, scoped to the clerk's
    villages, and the service checks the village itself."""
    return user.is_superuser or bool(user_roles(user) & workflow.ACTIONS["apply"].roles)


@login_required
def loan_action_confirm(request, loan_id: int, action: str) -> HttpResponse:
    """The action's page: its consequence in words and its form. Posting it takes the action.
    Only an action the loan's page offers has a page."""
    loan = _loan_for_action(request, loan_id, action)
    if request.method != "POST" and action not in _offered(request.user, loan):
        raise Http404
    return _act_or_show(request, loan, action)


@login_required
def loan_action(request, loan_id: int) -> HttpResponse:
    """The action form posted with the action's name (the confirmation page posts here too)."""
    get_visible_or_404(Loan.objects, request.user, roles=STAFF, pk=loan_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    loan = _loan_for_action(request, loan_id, request.POST.get("action", ""))
    return _act_or_show(request, loan, request.POST["action"])


def _loan_for_action(request, loan_id: int, action: str) -> Loan:
    loan = get_visible_or_404(
        Loan.objects.select_related("association__area", "member", "purpose"),
        request.user,
        roles=STAFF,
        pk=loan_id,
    )
    if action not in DISPATCH or not may_act(
        request.user, workflow.ACTIONS[action].roles, loan.association.area_id
    ):
        raise Http404
    return loan


def _act_or_show(request, loan: Loan, action: str) -> HttpResponse:
    today = timezone.localdate()
    form_class = ACTION_FORMS[action]
    form: forms.Form = form_class(
        request.POST if request.method == "POST" else None, initial={"on": today, "into": "cash"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            DISPATCH[action](loan, request.user, form.cleaned_data, today)
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            loan.refresh_from_db()
            messages.success(request, _done(action, loan, form.cleaned_data))
            return redirect("loans:loan_detail", loan_id=loan.pk)
    return render(
        request,
        "loans/loan_action.html",
        {
            "loan": loan,
            "action": action,
            "label": workflow.ACTIONS[action].label,
            "consequence": _consequence(action, loan, today),
            # The committee approves a write-off knowing why the board proposed it.
            "write_off": (
                WriteOff.objects.filter(loan=loan, approved_by__isnull=True).first()
                if action == "write_off_approve"
                else None
            ),
            "form": form,
        },
    )


def _facts(loan: Loan, today: datetime.date) -> dict[str, object]:
    facts: dict[str, object] = {
        "name": loan.member.name,
        "amount": format_yuan(loan.amount),
        "months": loan.term_months,
        "village": loan.association.area.name,
        "today": today,
        "maturity": "—",
        "unpaid": "—",
        "notice_ends": "—",
    }
    if loan.disbursed_on:
        terms, state = loan_state(loan)
        facts["maturity"] = terms.maturity
        facts["unpaid"] = format_yuan(state.principal_outstanding)
    return facts


def _consequence(action: str, loan: Loan, today: datetime.date) -> str:
    """What the action does, in words, with the loan's own amount, dates and who acts next."""
    facts = _facts(loan, today)
    if action == "approve":
        facts["notice_ends"] = effective_policy(loan.association).notice_ends(today)
    if action in ("extend", "extension_refuse"):
        pending = loan.extension_requests.filter(status=ExtensionStatus.PENDING).first()
        facts["new_maturity"] = pending.new_maturity if pending else "—"
    texts = {
        "submit": _(
            "The application of %(name)s for %(amount)s yuan over %(months)s months is checked "
            "against every rule again and goes to the village board of %(village)s for review. "
            "It can no longer be edited."
        ),
        "withdraw": _(
            "The application of %(name)s for %(amount)s yuan is withdrawn for good; a new "
            "application would have to be entered."
        ),
        "review": _(
            "The board's review is done: the application of %(name)s for %(amount)s yuan goes "
            "to the township committee's approval inbox."
        ),
        "send_back": _(
            "The application of %(name)s for %(amount)s yuan goes back to the village clerk as "
            "a draft, with your reason, to be corrected and submitted again."
        ),
        "approve": _(
            "%(name)s is lent %(amount)s yuan for %(months)s months. The public notice in "
            "%(village)s starts today and runs until %(notice_ends)s; then the township station "
            "can pay it out. If lendable cash does not cover it, it waits for funds instead."
        ),
        "reject": _(
            "The application of %(name)s for %(amount)s yuan is rejected for good; your reason "
            "is recorded and shown to the village clerk and board."
        ),
        "object": _(
            "The objection is recorded with its text; the public notice of %(name)s stops and "
            "the application returns to the township committee's inbox."
        ),
        "disburse": _(
            "%(amount)s yuan is paid out to %(name)s on the date below from the account chosen; "
            "the repayment schedule of %(months)s months starts that day and the books record "
            "the payment."
        ),
        "disbursement_reverse": _(
            "The payout of %(amount)s yuan to %(name)s is undone in the books on the date "
            "below (the money is back in the account it left), its repayment schedule is "
            "removed, and the loan is ready to be paid out again. Your reason is recorded."
        ),
        "extension_request": _(
            "The township committee is asked to move the final due date of %(name)s's loan "
            "(now %(maturity)s) to the new maturity; it decides from its inbox. A loan can be "
            "extended once."
        ),
        "extend": _(
            "The final due date of %(name)s's loan moves from %(maturity)s to "
            "%(new_maturity)s; %(unpaid)s yuan of principal is still unpaid. This is the "
            "loan's only extension."
        ),
        "extension_refuse": _(
            "The request to extend %(name)s's loan to %(new_maturity)s is refused; the loan "
            "stays due on %(maturity)s. The clerk sees your reason."
        ),
        "write_off_propose": _(
            "%(unpaid)s yuan of unpaid principal of %(name)s is proposed for write-off; the "
            "township committee decides from its inbox."
        ),
        "write_off_approve": _(
            "%(unpaid)s yuan of unpaid principal of %(name)s is written off today, charged to "
            "the risk reserve first; later recoveries are booked as income."
        ),
        "recovery": _(
            "The amount below is booked today as income recovered from %(name)s's written-off loan."
        ),
    }
    return texts[action] % facts


def _done(action: str, loan: Loan, data: Data) -> str:
    """The success message: what was done, to whom, for how much."""
    facts: dict[str, object] = {
        "name": loan.member.name,
        "amount": format_yuan(loan.amount),
        "status": loan.get_status_display(),
        **{key: value for key, value in data.items() if key in ("on", "new_maturity")},
    }
    if "amount" in data:
        facts["recovered"] = format_yuan(data["amount"])
    texts = {
        "submit": _("The application of %(name)s is submitted; it is now %(status)s."),
        "withdraw": _("The application of %(name)s is withdrawn."),
        "review": _("The application of %(name)s is sent to the township committee."),
        "send_back": _("The application of %(name)s is back with the clerk as a draft."),
        "approve": _("The loan of %(name)s for %(amount)s yuan is %(status)s."),
        "reject": _("The application of %(name)s is rejected."),
        "object": _("The objection is recorded; the application of %(name)s is %(status)s."),
        "disburse": _("%(amount)s yuan is paid out to %(name)s on %(on)s."),
        "disbursement_reverse": _(
            "The payout of %(amount)s yuan to %(name)s is reversed; the loan is %(status)s."
        ),
        "extension_request": _(
            "The extension to %(new_maturity)s is requested; the township committee decides."
        ),
        "extend": _("The loan of %(name)s is extended."),
        "extension_refuse": _("The extension of the loan of %(name)s is refused."),
        "write_off_propose": _("The write-off of the loan of %(name)s is proposed."),
        "write_off_approve": _("The loan of %(name)s is written off."),
        "recovery": _("%(recovered)s yuan recovered from %(name)s is recorded."),
    }
    return texts[action] % facts


def _act_on_record(request, loan_id: int, action: str, *, find, act, done) -> HttpResponse:
    """A small POST of the loan page on one of the loan's records (a repayment, a request):
    the loan in the user's scope for `action`, the record by its posted id (else 404), the
    service, its message, and back to the loan page."""
    loan = get_visible_or_404(
        Loan.objects, request.user, roles=workflow.ACTIONS[action].roles, pk=loan_id
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    record = find(loan)
    if record is None:
        raise Http404
    try:
        act(record)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done(record))
    return redirect("loans:loan_detail", loan_id=loan.pk)


def _posted_repayment(request):
    def find(loan: Loan):
        repayment_id = parse_id(request.POST.get("repayment"))
        return loan.repayments.filter(pk=repayment_id).first() if repayment_id else None

    return find


@login_required
def repayment_reverse(request, loan_id: int):
    return _act_on_record(
        request,
        loan_id,
        "reverse_repayment",
        find=_posted_repayment(request),
        act=lambda repayment: money.repayment_reverse(
            repayment=repayment,
            by=request.user,
            reason=request.POST.get("reason", ""),
            on=timezone.localdate(),
        ),
        done=lambda _repayment: _("The repayment is reversed."),
    )


@login_required
def reversal_request(request, loan_id: int):
    """The clerk asks the station to reverse one of the loan's repayments (with the reason)."""
    return _act_on_record(
        request,
        loan_id,
        "reversal_request",
        find=_posted_repayment(request),
        act=lambda repayment: reversal_requests.reversal_request(
            repayment=repayment, by=request.user, reason=request.POST.get("reason", "")
        ),
        done=lambda repayment: (
            _(
                "The reversal of the repayment of %(date)s is requested; the township station "
                "decides."
            )
            % {"date": repayment.paid_on}
        ),
    )


@login_required
def reversal_refuse(request, loan_id: int):
    """The station declines a clerk's request to reverse a repayment (with its reason)."""

    def find(loan: Loan):
        request_id = parse_id(request.POST.get("request"))
        if request_id is None:
            return None
        return ReversalRequest.objects.filter(repayment__loan=loan, pk=request_id).first()

    return _act_on_record(
        request,
        loan_id,
        "reverse_repayment",
        find=find,
        act=lambda pending: reversal_requests.reversal_request_refuse(
            request=pending, by=request.user, reason=request.POST.get("reason", "")
        ),
        done=lambda _pending: _("The request is refused; the clerk sees your reason."),
    )
