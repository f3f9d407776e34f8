from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from associations.authority import STAFF_ROLES, may_act
from associations.models import Area, AreaLevel, Association
from associations.scoping import get_visible_or_404, user_roles
from associations.selectors import area_breadcrumbs, user_scope_roots
from loans.exceptions import LoanRuleError
from loans.forms import PolicyForm
from loans.selectors import policy as selectors
from loans.services import policy as services
from loans.services.policy import POLICY_EDITORS

# Every staff role may read the policy; members get 404.
POLICY_VIEW_ROLES = STAFF_ROLES
# Loan policy is set by the city and county offices and narrowed by the township committee
# (for its township and its associations); everyone else reads it.


def _target(request, area_code: str, roles):
    """The area, or for a village its association (a village's policy lives there)."""
    area = get_visible_or_404(
        Area.objects.select_related("parent"), request.user, roles, code=area_code
    )
    if area.level == AreaLevel.VILLAGE:
        association = Association.objects.filter(area=area).first()
        if association is not None:
            return area, association
    return area, area


def _may_edit(user, area: Area, target) -> bool:
    if target is area and area.level == AreaLevel.VILLAGE:
        return False  # a village without an association has no policy of its own
    return may_act(user, POLICY_EDITORS, area.code)


@login_required
def policy_list(request):
    if not (request.user.is_superuser or user_roles(request.user) & set(POLICY_VIEW_ROLES)):
        raise Http404
    return render(
        request,
        "loans/policy_list.html",
        {
            "roots": user_scope_roots(user=request.user),
            "policies": selectors.policy_list(user=request.user),
        },
    )


@login_required
def policy_detail(request, area_code: str):
    area, target = _target(request, area_code, POLICY_VIEW_ROLES)
    own = selectors.policy_of(target)
    return render(
        request,
        "loans/policy_detail.html",
        {
            "area": area,
            "target": target,
            "ancestors": area_breadcrumbs(user=request.user, area=area),
            "rows": selectors.policy_rows(effective=selectors.effective_policy(target), own=own),
            "purposes": selectors.purpose_list(),
            "own": own,
            "may_edit": _may_edit(request.user, area, target),
        },
    )


@login_required
def policy_edit(request, area_code: str):
    area, target = _target(request, area_code, POLICY_EDITORS)
    if target is area and area.level == AreaLevel.VILLAGE:
        messages.error(request, _("A village's loan policy is set on its association."))
        return redirect("loans:policy_detail", area_code=area.code)
    own = selectors.policy_of(target)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.policy_save(
                    target=target,
                    by=request.user,
                    values={name: data[name] for name in services.VALUE_FIELDS},
                    purposes=data["purposes"],
                )
            except LoanRuleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The loan policy was saved."))
                return redirect("loans:policy_detail", area_code=area.code)
    else:
        initial = model_to_dict(own, fields=[*services.VALUE_FIELDS, "purposes"]) if own else {}
        form = PolicyForm(initial=initial)
    inherited = {
        row.name: row
        for row in selectors.policy_rows(
            effective=selectors.effective_policy(target, above_only=True), own=None
        )
    }
    return render(
        request,
        "loans/policy_edit.html",
        {
            "area": area,
            "target": target,
            "form": form,
            "fields": [(form[name], inherited[name]) for name in selectors.POLICY_FIELDS],
        },
    )
