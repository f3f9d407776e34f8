"""Reads for areas and associations: always scoped to the user."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum

from associations.models import (
    Area,
    AreaLevel,
    Association,
    Member,
    MemberEvent,
    Role,
    RoleAssignment,
    User,
    VillageGroup,
)
from associations.scoping import user_roles

if TYPE_CHECKING:
    from associations.scoping import AnyUser


def area_list(*, user: User, query: str = "", level: str = "") -> QuerySet[Area]:
    areas = Area.objects.visible_to(user).select_related("parent")
    if query:
        areas = areas.filter(Q(name__contains=query) | Q(code__startswith=query))
    if level:
        areas = areas.filter(level=level)
    return areas.order_by("code")


def association_list(*, user: User, query: str = "", status: str = "") -> QuerySet[Association]:
    associations = Association.objects.visible_to(user).select_related("area", "area__parent")
    if query:
        associations = associations.filter(
            Q(name__contains=query)
            | Q(area__name__contains=query)
            | Q(area__code__startswith=query)
        )
    if status:
        associations = associations.filter(status=status)
    return associations.order_by("area__code")


def user_scope_roots(*, user: User) -> list[RoleAssignment]:
    """The user's role assignments, widest area first, for the 'your scope' panel."""
    return list(
        RoleAssignment.objects.filter(user=user).select_related("area").order_by("area__code")
    )


def scope_summary(*, user: User) -> dict[str, Any]:
    """Counts per level and households in the user's scope, in two queries."""
    per_level = dict(
        Area.objects.visible_to(user).values_list("level").annotate(n=Count("code")).order_by()
    )
    totals = Association.objects.visible_to(user).aggregate(
        associations=Count("id"),
        households=Sum("total_households"),
        poor=Sum("registered_poor_households"),
    )
    return {
        "levels": [(AreaLevel(level).label, per_level.get(level, 0)) for level in AreaLevel],
        "associations": totals["associations"],
        "households": totals["households"] or 0,
        "poor_households": totals["poor"] or 0,
    }


def area_children(*, user: User, area: Area) -> QuerySet[Area]:
    return (
        Area.objects.visible_to(user)
        .filter(parent=area)
        .annotate(n_children=Count("children"))
        .order_by("code")
    )


def is_member_only(user: "AnyUser") -> bool:
    roles = user_roles(user)
    return bool(roles) and roles == {Role.MEMBER}


def area_breadcrumbs(*, user: User, area: Area) -> list[Area]:
    """The area's ancestors the user may open, root first, in one query."""
    code = area.code
    candidates = {code[:2], code[:2] + "0000", code[:4] + "00", code[:6], code[:9]} - {code}
    return list(
        Area.objects.visible_to(user)
        .filter(code__in=candidates, level__in=[lv for lv in AreaLevel if lv != area.level])
        .order_by("prefix")
    )


# --- member households -------------------------------------------------------------------


def member_search(
    *,
    user: User,
    query: str = "",
    poverty_status: str = "",
    party_member: bool | None = None,
    village_group: int | None = None,
    status: str = "",
    association_id: int | None = None,
    roles: Iterable[str] | None = None,
) -> QuerySet[Member]:
    """Members the user may see, searched by name, pinyin, ID suffix or phone."""
    members = Member.objects.visible_to(user, roles=roles).select_related(
        "association", "village_group"
    )
    query = query.strip()
    if query:
        members = members.filter(member_query(query))
    if poverty_status:
        members = members.filter(poverty_status=poverty_status)
    if party_member is not None:
        members = members.filter(is_party_member=party_member)
    if village_group:
        members = members.filter(village_group_id=village_group)
    if status:
        members = members.filter(status=status)
    if association_id:
        members = members.filter(association_id=association_id)
    return members.order_by("association__area__code", "village_group__name", "pinyin_full", "id")


def member_query(query: str) -> Q:
    lowered = query.lower().replace(" ", "")
    if lowered.isascii() and lowered.isalpha():
        return Q(pinyin_initials__startswith=lowered) | Q(pinyin_full__contains=lowered)
    if lowered.rstrip("x").isdigit():
        # An ID suffix (last 4 or more) or part of a mobile number.
        return Q(id_number__endswith=lowered.upper()) | Q(mobile__contains=lowered)
    return Q(name__contains=query)


def village_groups_of(*, user: User, roles: Iterable[str] | None = None) -> QuerySet[VillageGroup]:
    return VillageGroup.objects.visible_to(user, roles=roles).select_related("association")


def member_history(*, member: Member) -> QuerySet[MemberEvent]:
    return member.events.select_related("by")


def may_see_full_id(*, user: User, member: Member) -> bool:
    """The clerk and the management station of the member's own village, nobody else."""
    return (
        Member.objects.visible_to(user, roles=[Role.VILLAGE_CLERK, Role.TOWNSHIP_STATION])
        .filter(pk=member.pk)
        .exists()
    )


def clerk_associations(*, user: User) -> QuerySet[Association]:
    """The associations where the user is the clerk: where member pages may write."""
    return Association.objects.visible_to(user, roles=[Role.VILLAGE_CLERK]).select_related("area")
