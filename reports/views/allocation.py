"""Allocation by need (reports.allocation): the county's (or city's) associations with their
lendable cash, usage, unmet demand and repayment, the rules, the form to propose and the
proposals; a proposal's recall and allocation lines the office edits, and its approval, which
requests the transfers. Scoped to the offices: anything else answers 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.idempotency import idempotent
from associations.models import Area
from associations.scoping import get_visible_or_404
from associations.selectors import area_breadcrumbs
from funds.exceptions import FundsRuleError
from funds.roles import OFFICES, may_on_book, pool_office_roles
from mutualaid.forms import IdempotentForm
from mutualaid.money import ZERO
from reports import allocation as services
from reports.models import AllocationLineKind, AllocationProposal, AllocationStatus

POOL_LEVELS = ("county", "city")


class ProposeForm(IdempotentForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount to allocate (yuan)"),
        help_text=gettext_lazy("The idle capital recalled is shared as well; 0 shares it alone."),
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )


class LinesForm(forms.Form):
    """One amount per line of the proposal, named `line_<id>`."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=line.target.area.name,
                max_digits=14,
                decimal_places=2,
                min_value=0,
                initial=line.amount,
                widget=forms.NumberInput(
                    attrs={"aria-label": line.target.area.name, "step": "0.01", "min": "0"}
                ),
            )

    def amounts(self) -> dict:
        return {int(name[5:]): value for name, value in self.cleaned_data.items()}


def _may_edit(request, proposal: AllocationProposal) -> bool:
    return proposal.status == AllocationStatus.DRAFT and may_on_book(
        request.user, pool_office_roles(proposal.pool), proposal.pool
    )


@login_required
def allocation(request, area_code: str):
    area = get_visible_or_404(
        Area.objects.select_related("parent"), request.user, roles=OFFICES, code=area_code
    )
    pool = services.pool_of(area) if area.level in POOL_LEVELS else None
    may_propose = area.level in POOL_LEVELS and (
        pool is None or may_on_book(request.user, pool_office_roles(pool), pool)
    )
    form = ProposeForm(request.POST or None) if may_propose else None
    if request.method == "POST":
        if form is None:
            return HttpResponseNotAllowed(["GET"])
        if form.is_valid():
            try:
                with idempotent(request.user, form.claim_key) as claim:
                    proposal = claim.first_as(AllocationProposal) or claim.created(
                        services.allocation_propose(
                            area=area, amount=form.cleaned_data["amount"], by=request.user
                        )
                    )
            except (services.AllocationError, FundsRuleError) as error:
                form.add_error(None, error.message)
            else:
                claim.tell(request, _("The proposal is drafted: check and edit its lines."))
                return redirect("reports:allocation_detail", proposal_id=proposal.pk)
    return render(
        request,
        "reports/allocation.html",
        {
            "area": area,
            "ancestors": area_breadcrumbs(user=request.user, area=area),
            "pool": pool,
            "available": services.pool_available(pool) if pool else None,
            "form": form,
            "formula": services.FORMULA,
            "recall_rule": services.recall_rule(),
            "needs": services.needs_of(area, timezone.localdate())
            if area.level in POOL_LEVELS
            else [],
            "proposals": AllocationProposal.objects.filter(area=area).select_related(
                "created_by", "approved_by"
            ),
            "pool_level": area.level in POOL_LEVELS,
        },
    )


def _proposal(request, proposal_id: int) -> AllocationProposal:
    return get_visible_or_404(
        AllocationProposal.objects.select_related("area", "pool", "created_by", "approved_by"),
        request.user,
        roles=OFFICES,
        pk=proposal_id,
    )


@login_required
def allocation_detail(request, proposal_id: int):
    proposal = _proposal(request, proposal_id)
    lines = list(
        proposal.lines.select_related("target__area", "transfer").order_by("target__area__code")
    )
    may_edit = _may_edit(request, proposal)
    form = LinesForm(request.POST or None, lines=lines) if may_edit else None
    if request.method == "POST":
        if form is None:
            return HttpResponseNotAllowed(["GET"])
        if form.is_valid():
            try:
                services.allocation_update(
                    proposal=proposal, amounts=form.amounts(), by=request.user
                )
            except (services.AllocationError, FundsRuleError) as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The amounts are saved."))
                return redirect("reports:allocation_detail", proposal_id=proposal.pk)
    rows = [(line, form[f"line_{line.pk}"] if form else None) for line in lines]
    return render(
        request,
        "reports/allocation_detail.html",
        {
            "proposal": proposal,
            "area": proposal.area,
            "rows": rows,
            "form": form,
            "formula": services.FORMULA,
            "recall_rule": services.recall_rule(),
            "allocated": sum(
                (x.amount for x in lines if x.kind == AllocationLineKind.ALLOCATE), ZERO
            ),
            "recalled": sum((x.amount for x in lines if x.kind == AllocationLineKind.RECALL), ZERO),
        },
    )


@login_required
def allocation_approve(request, proposal_id: int):
    proposal = _proposal(request, proposal_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        transfers = services.allocation_approve(proposal=proposal, by=request.user)
    except (services.AllocationError, FundsRuleError) as error:
        messages.error(request, error.message)
        return redirect("reports:allocation_detail", proposal_id=proposal.pk)
    messages.success(
        request,
        _("%(n)s transfers are requested; another officer approves each of them.")
        % {"n": len(transfers)},
    )
    return redirect("funds:transfers", book_id=proposal.pool_id)
