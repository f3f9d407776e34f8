"""Pages of the loans: list, loan page, repayment entry, committee inbox (the application and
its draft: `loans.views.applications`)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.authority import STAFF_ROLES
from associations.idempotency import idempotent
from associations.models import OtherLoan
from associations.scoping import get_visible_or_404, user_roles
from funds.models import JournalEntry
from loans import documents, workflow
from loans.domain.instalments import instalment_rows
from loans.forms import RepaymentForm
from loans.models import Loan, LoanPurpose, ReversalRequest, ReversalStatus, WriteOff
from loans.selectors import loans as loan_selectors
from loans.selectors.inbox import inbox_checks
from loans.selectors.notices import notice_village
from loans.services import money
from loans.views.actions import may_enter_applications, page_actions
from loans.workflow import LENT_STATUSES, LoanStatus
from mutualaid.errors import RuleError

S = LoanStatus


CLERK = workflow.ACTIONS["apply"].roles
REPAYERS = workflow.ACTIONS["repay"].roles
DECIDERS = workflow.ACTIONS["approve"].roles


STAFF = STAFF_ROLES


@login_required
def loan_list(request):
    today = timezone.localdate()
    status = request.GET.get("status", "")
    purpose = request.GET.get("purpose", "")
    areas = loan_selectors.loan_filter_areas(user=request.user)
    area = request.GET.get("area", "")
    area = area if area in {a.code for a in areas} else ""
    loans = loan_selectors.loan_list(
        user=request.user,
        today=today,
        status=status if status in S.values else "",
        purpose=purpose,
        overdue=request.GET.get("overdue") == "1",
        due_this_month=request.GET.get("due") == "month",
        area=area,
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
            "areas": areas,
            "area": area,
            "can_apply": may_enter_applications(request.user),
            "notice_village": notice_village(user=request.user, chosen=area),
            "overdue": request.GET.get("overdue") == "1",
            "due": request.GET.get("due", ""),
        },
    )


def _with_requests(loan: Loan) -> list[Any]:
    """The loan's repayments, each with the reversal its clerk asked the station for, if one
    waits (loans.services.reversal_requests)."""
    pending = {
        r.repayment_id: r
        for r in ReversalRequest.objects.filter(
            repayment__loan=loan, status=ReversalStatus.PENDING
        ).select_related("requested_by")
    }
    repayments = list(loan.repayments.select_related("recorded_by", "reversed_by"))
    for repayment in repayments:
        repayment.pending_request = pending.get(repayment.pk)  # type: ignore[attr-defined]
    return repayments


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
        "transitions": loan.transitions.select_related("by"),
        "repayments": _with_requests(loan),
        "entries": JournalEntry.objects.filter(
            source_type="loans.loan", source_id=loan.pk
        ).order_by("date", "pk"),
        "other_loans": OtherLoan.objects.filter(member=loan.member),
        "write_off": WriteOff.objects.filter(loan=loan).first(),
        "reminders": loan.reminders.select_related("member"),
        **page_actions(request.user, loan),
        "may_print_contract": documents.may_print_contract(request.user, loan),
    }
    if loan.disbursed_on:
        terms, state = loan_selectors.loan_state(loan)
        context["rows"] = instalment_rows(terms, state, today)
        if loan.status in LENT_STATUSES:
            context["owed"] = loan_selectors.owed_today(loan, today)
    return render(request, "loans/loan_detail.html", context)


@login_required
def loan_repay(request, loan_id: int):
    loan = get_visible_or_404(
        Loan.objects.select_related("member", "association"),
        request.user,
        roles=REPAYERS,
        pk=loan_id,
    )
    today = timezone.localdate()
    form = RepaymentForm(request.POST or None, initial={"paid_on": today})
    if "confirm_duplicate" in request.POST:
        form.ask_confirmation()
    on = today
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with idempotent(request.user, form.claim_key) as claim:
                claim.first or claim.created(
                    money.repayment_record(
                        loan=loan,
                        amount=data["amount"],
                        paid_on=data["paid_on"],
                        by=request.user,
                        token=f"{request.user.pk}:{form.claim_key}",
                        confirmed=bool(data.get("confirm_duplicate")),
                    )
                )
        except RuleError as error:
            form.add_error(None, error.message)
            if error.code == "possible_duplicate":
                form.ask_confirmation()
            on = data["paid_on"]
        else:
            claim.tell(request, _("The repayment is recorded."))
            return redirect("loans:loan_detail", loan_id=loan.pk)
    return render(
        request,
        "loans/loan_repay.html",
        {"loan": loan, "form": form, "owed": _owed(loan, on, today)},
    )


def _owed(loan: Loan, on, today):
    """What the borrower owes on the date typed, or today when that date makes no sense for
    this loan (before the disbursement or the last repayment)."""
    if loan.status not in LENT_STATUSES:
        return None
    try:
        return loan_selectors.owed_today(loan, on)
    except (RuleError, ValueError, ArithmeticError):
        return loan_selectors.owed_today(loan, today)


@login_required
def committee_inbox(request):
    """The committee's queue: applications awaiting its decision, a page at a time, each with the
    result of every eligibility rule and the warnings (loans.selectors.inbox: the same rules
    for the whole page in a constant number of queries), apart from those in public notice;
    then the write-off proposals and extension requests waiting for it."""
    if not (request.user.is_superuser or user_roles(request.user) & DECIDERS):
        raise Http404
    today = timezone.localdate()
    waiting = loan_selectors.committee_inbox(user=request.user, today=today).select_related(
        "guarantor", "placement"
    )
    page = Paginator(waiting.exclude(status=S.IN_NOTICE), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    loans = list(page.object_list)
    checks = inbox_checks(loans, on=today)
    return render(
        request,
        "loans/inbox.html",
        {
            "rows": [(loan, checks[loan.pk].problem, checks[loan.pk].cash_ok) for loan in loans],
            "page": page,
            # A loan stays in notice a few days: the list stays short without paging.
            "in_notice": list(waiting.filter(status=S.IN_NOTICE)),
            "write_offs": loan_selectors.write_offs_waiting(user=request.user),
            "extensions": loan_selectors.extension_requests_waiting(user=request.user),
        },
    )
