"""Pages of the loans: list, application, loan page, repayment entry, committee inbox."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.idempotency import idempotent
from associations.models import Member, MemberStatus, OtherLoan, Role
from associations.scoping import get_visible_or_404, user_roles
from associations.selectors import member_query, member_search
from funds.models import JournalEntry
from guarantees.models import GroupStatus, GuaranteeGroup, Placement
from loans import workflow
from loans.domain.fees import FeeMethod
from loans.domain.instalments import instalment_rows
from loans.forms import ActionForm, ApplicationForm, RepaymentForm
from loans.models import Loan, LoanPurpose, WriteOff
from loans.selectors import loans as loan_selectors
from loans.selectors.policy import effective_policy
from loans.services import applications, eligibility, money
from loans.views.actions import may_enter_applications, page_actions
from loans.workflow import LENT_STATUSES, LoanStatus
from mutualaid.errors import RuleError

S = LoanStatus


CLERK = workflow.ACTIONS["apply"].roles
REPAYERS = workflow.ACTIONS["repay"].roles
DECIDERS = workflow.ACTIONS["approve"].roles


STAFF = {r for r in Role.values if r != Role.MEMBER}


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
            "overdue": request.GET.get("overdue") == "1",
            "due": request.GET.get("due", ""),
        },
    )


@login_required
def loan_new(request):
    """The clerk picks a member by name or pinyin, then fills the application."""
    if not may_enter_applications(request.user):
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
            with idempotent(request.user, form.claim_key) as claim:
                loan = claim.first or claim.created(
                    applications.loan_apply(
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
                )
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            claim.tell(
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
        "transitions": loan.transitions.select_related("by"),
        "repayments": loan.repayments.select_related("recorded_by", "reversed_by"),
        "entries": JournalEntry.objects.filter(
            source_type="loans.loan", source_id=loan.pk
        ).order_by("date", "pk"),
        "other_loans": OtherLoan.objects.filter(member=loan.member),
        "write_off": WriteOff.objects.filter(loan=loan).first(),
        **page_actions(request.user, loan),
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
    """Each waiting application with the result of every eligibility rule and the warnings."""
    if not (request.user.is_superuser or user_roles(request.user) & DECIDERS):
        raise Http404
    today = timezone.localdate()
    rows = []
    for loan in loan_selectors.committee_inbox(user=request.user, today=today):
        try:
            eligibility.eligibility_check(loan, on=today)
            problem = None
        except RuleError as error:
            problem = error.message
        cash_ok = loan_selectors.lendable_cash(loan.association, excluding=loan) >= loan.amount
        rows.append((loan, problem, cash_ok))
    return render(request, "loans/inbox.html", {"rows": rows})
