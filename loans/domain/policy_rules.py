"""How loan policies along an area path combine: pure, no database.

Policies sit on areas (city, county, township, …) and on associations. The effective policy of
an association starts from the defaults of DESIGN §5 and applies each policy from the root down:

* limits take the tightest value: the larger minimum, the smaller maximum, the longer notice,
  the later write-off, the intersection of allowed purposes; switches that protect the fund or
  the poor (group stop, registered-poor priority) are on when any level turns them on;
* prices (fee rate, fee method, overdue multiplier) are set by the HIGHEST level that sets them
  and fixed for everything below it: two villages of one county charge the same way, and a
  township or village cannot quietly raise or lower what the county decided. Where nobody sets
  them the DESIGN defaults apply (6 %, declining, 1.5).

A lower policy may narrow but never widen: `widenings` lists what a proposed policy would widen.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from loans.domain.fees import FeeMethod
from loans.domain.schedules import ABSOLUTE_MAX_TERM_MONTHS

LOWER = "lower"  # the smaller value is tighter (None means unlimited)
HIGHER = "higher"  # the larger value is tighter
FIRST = "first"  # the highest level that sets it decides
ANY_ON = "any_on"  # on when any level turns it on
INTERSECT = "intersect"  # allowed purposes

RULES: dict[str, str] = {
    "min_amount": HIGHER,
    "max_amount": LOWER,
    "first_loan_max_amount": LOWER,
    "usual_term_months": LOWER,
    "max_term_months": LOWER,
    "fee_rate": FIRST,
    "fee_method": FIRST,
    "overdue_multiplier": FIRST,
    "notice_days": HIGHER,
    "min_leaders": HIGHER,
    "max_leaders": LOWER,
    "min_households": HIGHER,
    "max_households": LOWER,
    "group_stop": ANY_ON,
    "concurrent_borrowers_per_group": LOWER,
    "write_off_overdue_months": HIGHER,
    "poor_first": ANY_ON,
    "purposes": INTERSECT,
}
POLICY_FIELDS = tuple(RULES)


@dataclass(frozen=True)
class PolicyLayer:
    """One policy on the path: only the values it sets (None = inherit)."""

    label: str
    values: Mapping[str, object]
    purposes: frozenset[str] | None = None  # None: does not restrict purposes


@dataclass(frozen=True)
class EffectivePolicy:
    min_amount: Decimal = Decimal("1000.00")
    max_amount: Decimal = Decimal("20000.00")
    first_loan_max_amount: Decimal = Decimal("10000.00")
    usual_term_months: int = 12
    max_term_months: int = ABSOLUTE_MAX_TERM_MONTHS
    fee_rate: Decimal = Decimal("0.0600")
    fee_method: str = FeeMethod.DECLINING
    overdue_multiplier: Decimal = Decimal("1.50")
    notice_days: int = 3
    min_leaders: int = 1
    max_leaders: int = 2
    min_households: int = 3
    max_households: int = 5
    group_stop: bool = True
    concurrent_borrowers_per_group: int | None = None  # unlimited
    write_off_overdue_months: int = 12
    # DESIGN: waiting applications are approved "in order"; priority for the poor is opt-in.
    poor_first: bool = False
    purposes: frozenset[str] = frozenset()
    # (field, label of the policy that set the effective value); absent: the default.
    sources: tuple[tuple[str, str], ...] = field(default=())

    def source(self, name: str) -> str | None:
        return dict(self.sources).get(name)

    def notice_ends(self, starts_on: datetime.date) -> datetime.date:
        return starts_on + datetime.timedelta(days=self.notice_days)


def _tighter(rule: str, value: Any, current: Any) -> bool:
    if rule == LOWER:
        return current is None or value < current
    if rule == HIGHER:
        return value > current
    if rule == ANY_ON:
        return bool(value) and not current
    raise ValueError(rule)


def combine(layers: Iterable[PolicyLayer], *, all_purposes: frozenset[str]) -> EffectivePolicy:
    """Apply `layers` root first onto the defaults."""
    values = {f.name: getattr(EffectivePolicy(), f.name) for f in fields(EffectivePolicy)}
    values["purposes"] = all_purposes
    sources: dict[str, str] = {}
    for layer in layers:
        for name, value in layer.values.items():
            if value is None or value == "" or name == "purposes":
                continue
            rule = RULES[name]
            if rule == FIRST:
                if name not in sources:
                    values[name], sources[name] = value, layer.label
            elif _tighter(rule, value, values[name]):
                values[name], sources[name] = value, layer.label
        if layer.purposes is not None:
            narrowed = values["purposes"] & layer.purposes
            if narrowed != values["purposes"]:
                values["purposes"], sources["purposes"] = narrowed, layer.label
    if values["usual_term_months"] > values["max_term_months"]:
        values["usual_term_months"] = values["max_term_months"]
        if "max_term_months" in sources:
            sources["usual_term_months"] = sources["max_term_months"]
    if values["first_loan_max_amount"] > values["max_amount"]:
        values["first_loan_max_amount"] = values["max_amount"]
        if "max_amount" in sources:
            sources["first_loan_max_amount"] = sources["max_amount"]
    values["sources"] = tuple(sorted(sources.items()))
    return replace(EffectivePolicy(), **values)


@dataclass(frozen=True)
class Widening:
    name: str
    inherited: object
    source: str | None  # None: the defaults


def widenings(inherited: EffectivePolicy, layer: PolicyLayer) -> list[Widening]:
    """What `layer` would widen (or, for prices, change) compared with what it inherits."""
    found = []
    for name, value in layer.values.items():
        if value is None or value == "" or name == "purposes":
            continue
        rule = RULES[name]
        current = getattr(inherited, name)
        if rule == FIRST:
            wider = inherited.source(name) is not None and value != current
        elif rule == ANY_ON:
            wider = current and not value
        else:
            wider = value != current and not _tighter(rule, value, current)
        if wider:
            found.append(Widening(name, current, inherited.source(name)))
    if layer.purposes is not None and not layer.purposes <= inherited.purposes:
        found.append(Widening("purposes", inherited.purposes, inherited.source("purposes")))
    return found


def contradictions(policy: EffectivePolicy) -> list[tuple[str, str]]:
    """Pairs of limits that together allow nothing (each is tight on its own)."""
    pairs = [
        ("min_amount", "max_amount"),
        ("min_amount", "first_loan_max_amount"),
        ("min_leaders", "max_leaders"),
        ("min_households", "max_households"),
    ]
    return [(low, high) for low, high in pairs if getattr(policy, low) > getattr(policy, high)]
