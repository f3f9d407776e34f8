"""Writes for loans. So far: saving a loan policy (narrow, never widen)."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NoReturn

from django.db import models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from associations.authority import require_role
from associations.history import history_by
from associations.models import Area, AreaLevel, Association, Role, User
from loans.domain.fees import FeeMethod
from loans.domain.policy_rules import (
    POLICY_FIELDS,
    EffectivePolicy,
    PolicyLayer,
    combine,
    contradictions,
    widenings,
)
from loans.domain.schedules import ABSOLUTE_MAX_TERM_MONTHS
from loans.exceptions import LoanRuleError
from loans.models import LoanPolicy, LoanPurpose
from loans.selectors import policy as selectors
from loans.selectors.policy import display_value

# Who sets a loan policy: the offices at and above the area (a village's policy is its township
# committee's to set, on the association).
POLICY_EDITORS = frozenset({Role.CITY_OFFICE, Role.COUNTY_OFFICE, Role.TOWNSHIP_COMMITTEE})
VALUE_FIELDS = tuple(name for name in POLICY_FIELDS if name != "purposes")
AMOUNTS = ("min_amount", "max_amount", "first_loan_max_amount")
MONTHS = ("usual_term_months", "max_term_months")
AT_LEAST_ONE = (
    "max_leaders",
    "max_households",
    "concurrent_borrowers_per_group",
    "write_off_overdue_months",
    "notice_days",
)


def _label(name: str) -> str:
    field = LoanPolicy._meta.get_field(name)
    assert isinstance(field, models.Field)  # the policy's limits are plain columns
    return capfirst(str(field.verbose_name))


def _check_own_values(values: Mapping[str, Any]) -> None:
    def refuse(name: str, rule: str) -> NoReturn:
        raise LoanRuleError(
            _("%(limit)s: %(rule)s") % {"limit": _label(name), "rule": rule}, f"range_{name}"
        )

    for name in AMOUNTS:
        if values[name] is not None and values[name] <= 0:
            refuse(name, _("must be more than zero."))
    for name in MONTHS:
        if values[name] is not None and not 1 <= values[name] <= ABSOLUTE_MAX_TERM_MONTHS:
            refuse(
                name,
                _("must be between 1 and %(max)s months.") % {"max": ABSOLUTE_MAX_TERM_MONTHS},
            )
    for name in AT_LEAST_ONE:
        if values[name] is not None and values[name] < 1:
            refuse(name, _("must be at least 1."))
    rate = values["fee_rate"]
    if rate is not None and not Decimal("0") <= rate <= Decimal("0.24"):
        refuse("fee_rate", _("must be between 0 and 24 percent a year."))
    multiplier = values["overdue_multiplier"]
    if multiplier is not None and not Decimal("1") <= multiplier <= Decimal("3"):
        refuse("overdue_multiplier", _("must be between 1 and 3."))
    usual, longest = values["usual_term_months"], values["max_term_months"]
    if usual is not None and longest is not None and usual > longest:
        refuse("usual_term_months", _("must not be longer than the maximum term."))
    if values["fee_method"] not in ("", None, *FeeMethod.values):
        refuse("fee_method", _("is not a known method."))


def _refuse_widening(layer: PolicyLayer, inherited: EffectivePolicy) -> None:
    found = widenings(inherited, layer)
    if not found:
        return
    first = found[0]
    source = first.source or _("the defaults")
    if first.name in ("fee_rate", "fee_method", "overdue_multiplier") and first.source:
        message = _("%(limit)s is fixed at %(value)s by %(source)s.")
    else:
        message = _("%(limit)s cannot be wider than %(value)s, the limit set by %(source)s.")
    raise LoanRuleError(
        message
        % {
            "limit": _label(first.name),
            "value": display_value(first.name, first.inherited),
            "source": source,
        },
        f"widens_{first.name}",
    )


@history_by
@transaction.atomic
def policy_save(
    *,
    target: Area | Association,
    by: User,
    values: Mapping[str, Any],
    purposes: Iterable[LoanPurpose] = (),
) -> LoanPolicy:
    """Create or replace the policy of an area or association; empty values inherit.

    Refused, with nothing written, when it would widen (or change a fixed price of) any level
    above, or when its limits together would allow no loan at all.
    """
    require_role(by, POLICY_EDITORS, selectors.target_code(target), error=LoanRuleError)
    unknown = set(values) - set(VALUE_FIELDS)
    if unknown:
        raise TypeError(f"policy_save got unknown fields {sorted(unknown)}")
    if isinstance(target, Area) and target.level == AreaLevel.VILLAGE:
        raise LoanRuleError(_("A village's loan policy is set on its association."), "village_area")
    values = {name: values.get(name) for name in VALUE_FIELDS}
    values["fee_method"] = values["fee_method"] or ""
    _check_own_values(values)
    purpose_codes = frozenset(p.code for p in purposes)

    path = selectors.path_policies(target)
    above = [selectors.layer_of(p) for p in path if not selectors.is_policy_of(p, target)]
    all_purposes = selectors.all_purpose_codes()
    inherited = combine(above, all_purposes=all_purposes)
    layer = PolicyLayer(label=str(target), values=values, purposes=purpose_codes or None)
    _refuse_widening(layer, inherited)
    resulting = combine([*above, layer], all_purposes=all_purposes)
    for low, high in contradictions(resulting):
        raise LoanRuleError(
            _("%(low)s (%(low_value)s) would be above %(high)s (%(high_value)s).")
            % {
                "low": _label(low),
                "low_value": display_value(low, getattr(resulting, low)),
                "high": _label(high),
                "high_value": display_value(high, getattr(resulting, high)),
            },
            f"contradicts_{low}_{high}",
        )
    if not resulting.purposes:
        raise LoanRuleError(_("At least one purpose must stay allowed."), "no_purposes")

    target_field = "association" if isinstance(target, Association) else "area"
    lookup: dict[str, Any] = {target_field: target}
    policy, _created = LoanPolicy.objects.update_or_create(
        **lookup,
        defaults={
            **values,
            "scope_code": selectors.target_code(target),
            "updated_by": by,
        },
    )
    policy.purposes.set(list(purposes))
    return policy
