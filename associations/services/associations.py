"""Writes of associations, their village groups (村民小组) and staff role assignments."""

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from associations.exceptions import AssociationRuleError
from associations.models import (
    ROLE_LEVELS,
    Area,
    AreaLevel,
    Association,
    AssociationStatus,
    Role,
    RoleAssignment,
    User,
)
from associations.scoping import forget_scope


@transaction.atomic
def association_create(
    *,
    village: Area,
    name: str,
    founded_on: datetime.date,
    total_households: int,
    registered_poor_households: int,
    party_secretary: str = "",
    board_chair: str = "",
    supervisory_chair: str = "",
) -> Association:
    if village.level != AreaLevel.VILLAGE:
        raise AssociationRuleError(_("An association belongs to a village."), "not_village")
    if Association.objects.filter(area=village).exists():
        raise AssociationRuleError(
            _("%(village)s already has an association.") % {"village": village.name},
            "one_per_village",
        )
    _check_households(total_households, registered_poor_households)
    return Association.objects.create(
        area=village,
        name=name,
        founded_on=founded_on,
        total_households=total_households,
        registered_poor_households=registered_poor_households,
        party_secretary=party_secretary,
        board_chair=board_chair,
        supervisory_chair=supervisory_chair,
    )


def _check_households(total: int, poor: int) -> None:
    if poor > total:
        raise AssociationRuleError(
            _("Registered-poor households (%(poor)s) cannot exceed households (%(total)s).")
            % {"poor": poor, "total": total},
            "poor_exceeds_total",
        )


@transaction.atomic
def association_update(*, association: Association, **fields: Any) -> Association:
    allowed = {
        "name",
        "founded_on",
        "party_secretary",
        "board_chair",
        "supervisory_chair",
        "total_households",
        "registered_poor_households",
        "status",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"association_update got unknown fields {sorted(unknown)}")
    for key, value in fields.items():
        setattr(association, key, value)
    _check_households(association.total_households, association.registered_poor_households)
    if association.status not in AssociationStatus.values:
        raise AssociationRuleError(_("Unknown status."), "status")
    association.save()
    return association


@transaction.atomic
def role_assign(*, user: User, role: str, area: Area) -> RoleAssignment:
    role_check(role=role, area=area)
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, area=area)
    forget_scope(user)
    return assignment


def role_check(*, role: str, area: Area) -> None:
    """A role is held only at its levels (ROLE_LEVELS): a village clerk at a village, never at
    a county code. The admin's form asks this too."""
    if role not in Role.values:
        raise AssociationRuleError(_("Unknown role %(role)s.") % {"role": role}, "role")
    if area.level not in ROLE_LEVELS[role]:
        raise AssociationRuleError(
            _("A %(role)s is assigned at %(levels)s level, not at %(level)s level.")
            % {
                "role": Role(role).label,
                "levels": _(" or ").join(str(AreaLevel(lv).label) for lv in ROLE_LEVELS[role]),
                "level": AreaLevel(area.level).label,
            },
            "role_level",
        )
