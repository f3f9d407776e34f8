"""Reads for loan policy: the effective policy of an area or association, scoped lists."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from associations.models import LEVEL_DEPTH, Area, AreaLevel, Association, User
from guarantees.rules import GroupRules
from loans.domain.fees import FeeMethod
from loans.domain.policy_rules import POLICY_FIELDS, EffectivePolicy, PolicyLayer, combine
from loans.models import LoanPolicy, LoanPurpose, PurposeCode

Target = Area | Association

ASSOCIATION_DEPTH = len(AreaLevel)  # below its village


def target_code(target: Target) -> str:
    return target.area_id if isinstance(target, Association) else target.code


def path_codes(code: str) -> set[str]:
    """The codes of every possible ancestor of `code`, and `code` itself: no tree walk needed.

    Division codes are prefixes of each other; province and city codes are padded with zeros.
    """
    candidates = {code[:2], code[:2] + "0000", code[:4] + "00", code[:6], code[:9], code}
    return {c for c in candidates if len(c) <= len(code)}


def _depth(policy: LoanPolicy) -> int:
    if policy.association_id:
        return ASSOCIATION_DEPTH
    assert policy.area is not None  # a policy has exactly one target
    return LEVEL_DEPTH[AreaLevel(policy.area.level)]


def policy_label(policy: LoanPolicy) -> str:
    return policy.target.name


def path_policies(target: Target) -> list[LoanPolicy]:
    """Every policy on the target's path, root first, with purposes, in two queries."""
    policies = (
        LoanPolicy.objects.filter(scope_code__in=path_codes(target_code(target)))
        .select_related("area", "association")
        .prefetch_related("purposes")
    )
    return sorted(policies, key=_depth)


def layer_of(policy: LoanPolicy) -> PolicyLayer:
    purposes = frozenset(p.code for p in policy.purposes.all())
    return PolicyLayer(
        label=policy_label(policy),
        values={name: getattr(policy, name) for name in POLICY_FIELDS if name != "purposes"},
        purposes=purposes or None,
    )


def all_purpose_codes() -> frozenset[str]:
    return frozenset(LoanPurpose.objects.values_list("code", flat=True))


def effective_policy(target: Target, *, above_only: bool = False) -> EffectivePolicy:
    """The tightest policy along the path from the root to `target` (an area or association).

    With `above_only`, the target's own policy is left out: what it inherits.
    """
    policies = path_policies(target)
    if above_only:
        policies = [p for p in policies if not is_policy_of(p, target)]
    return combine([layer_of(p) for p in policies], all_purposes=all_purpose_codes())


def group_rules_of(association: Association) -> GroupRules:
    """The group composition limits of the policy in force for this village (guarantees asks
    through `guarantees.rules.policy_readers`, so groups are formed under the loans' limits)."""
    policy = effective_policy(association)
    return GroupRules(
        min_leaders=policy.min_leaders,
        max_leaders=policy.max_leaders,
        min_households=policy.min_households,
        max_households=policy.max_households,
    )


def is_policy_of(policy: LoanPolicy, target: Target) -> bool:
    if isinstance(target, Association):
        return policy.association_id == target.pk
    return policy.area_id == target.code


def policy_of(target: Target) -> LoanPolicy | None:
    if isinstance(target, Association):
        return LoanPolicy.objects.filter(association=target).first()
    return LoanPolicy.objects.filter(area=target).first()


def display_value(name: str, value: Any) -> str:
    """A limit's value as a user reads it in a message or on the page."""
    if value is None:
        return _("unlimited")
    if isinstance(value, bool):
        return _("on") if value else _("off")
    if name == "fee_method":
        return str(FeeMethod(value).label)
    if name == "fee_rate":
        return f"{value * 100:.2f}%"
    if name == "purposes":
        return "、".join(str(PurposeCode(code).label) for code in sorted(value)) or "—"
    return str(value)


@dataclass(frozen=True)
class PolicyRow:
    """One limit as the policy page shows it."""

    name: str
    label: StrOrPromise
    effective: str
    own: str
    source: str | None


def policy_rows(*, effective: EffectivePolicy, own: LoanPolicy | None) -> list[PolicyRow]:
    """Each limit: its effective value, this level's own value ("" = inherits), and the source."""
    rows = []
    for name in POLICY_FIELDS:
        mine: object
        if name == "purposes":
            mine = frozenset(p.code for p in own.purposes.all()) if own else frozenset()
        else:
            mine = getattr(own, name) if own else None
        field = LoanPolicy._meta.get_field(name)
        assert isinstance(field, models.Field)  # the policy's limits are plain columns
        rows.append(
            PolicyRow(
                name=name,
                label=field.verbose_name,
                effective=display_value(name, getattr(effective, name)),
                own=display_value(name, mine) if mine not in (None, "", frozenset()) else "",
                source=effective.source(name),
            )
        )
    return rows


def purpose_list() -> list[LoanPurpose]:
    return list(LoanPurpose.objects.all())


def policy_list(*, user: User) -> QuerySet[LoanPolicy]:
    return (
        LoanPolicy.objects.visible_to(user)
        .select_related("area", "association")
        .order_by("scope_code")
    )
