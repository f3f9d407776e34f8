"""Reads for areas and associations: always scoped to the user."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr

from associations.authority import STAFF_ROLES
from associations.models import (
    Area,
    AreaLevel,
    Association,
    Member,
    MemberEvent,
    Role,
    RoleAssignment,
    TrainingAttendance,
    TrainingSession,
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
    if lowered.isascii() and lowered.rstrip("x").isdigit():
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


# --- training (seed recommendation 5) ------------------------------------------------------


def _rate(part: int, whole: int) -> Decimal | None:
    """A rate as the indicators give it (DESIGN §7): Decimal, four places, None over zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass
class TrainingCounts:
    members: int = 0
    members_trained: int = 0
    managers: int = 0
    managers_trained: int = 0

    @property
    def member_coverage(self) -> Decimal | None:
        return _rate(self.members_trained, self.members)

    @property
    def manager_coverage(self) -> Decimal | None:
        return _rate(self.managers_trained, self.managers)

    def __iadd__(self, other: "TrainingCounts") -> "TrainingCounts":
        self.members += other.members
        self.members_trained += other.members_trained
        self.managers += other.managers
        self.managers_trained += other.managers_trained
        return self


def training_sessions(*, user: User, year: int | None = None) -> QuerySet[TrainingSession]:
    """The sessions held in the user's areas (a village's own, a township's and its villages'…),
    with how many members and staff attended."""
    sessions = TrainingSession.objects.visible_to(user).select_related("area")
    if year:
        sessions = sessions.filter(held_on__year=year)
    return sessions.annotate(
        member_count=Count("attendances__member", distinct=True),
        staff_count=Count("attendances__user", distinct=True),
    ).order_by("-held_on", "-id")


def members_on(on: datetime.date) -> Q:
    """A member on `on`: joined by then and not yet exited."""
    return Q(joined_on__lte=on) & (Q(exited_on__isnull=True) | Q(exited_on__gt=on))


def trained_this_year(on: datetime.date) -> Exists:
    """A member at any training held from 1 January of `on`'s year to `on` (DESIGN §7 training
    coverage). A subquery, not a join that repeats the member per session: counting needs no
    DISTINCT, so no sort of every member of the area."""
    return Exists(
        TrainingAttendance.objects.filter(
            member=OuterRef("pk"),
            session__held_on__gte=on.replace(month=1, day=1),
            session__held_on__lte=on,
        )
    )


def training_counts(
    *, prefix: str, length: int, on: datetime.date, managers: bool = True, members: bool = True
) -> dict[str, TrainingCounts]:
    """Training coverage (DESIGN §7) by the first `length` characters of the village code,
    for villages under `prefix`: the members on `on` (joined, not yet exited) and those of them
    at any training held from 1 January of `on`'s year to `on`; likewise the managers (village
    clerks and board members by their role assignments) unless `managers` is false; the
    members unless `members` is false. One grouped query each."""
    start = on.replace(month=1, day=1)
    counts: dict[str, TrainingCounts] = {}
    if members:
        rows = (
            Member.objects.filter(association__area__code__startswith=prefix)
            .filter(members_on(on))
            .annotate(key=Substr("association__area__code", 1, length))
            .values("key")
            .order_by()
            .annotate(n=Count("id"), trained=Count("id", filter=trained_this_year(on)))
        )
        for row in rows:
            counts.setdefault(row["key"], TrainingCounts())
            counts[row["key"]] += TrainingCounts(members=row["n"], members_trained=row["trained"])
    if not managers:
        return counts
    assignments = (
        RoleAssignment.objects.filter(
            area__code__startswith=prefix, role__in=[Role.VILLAGE_CLERK, Role.VILLAGE_BOARD]
        )
        .annotate(key=Substr("area__code", 1, length))
        .values("key")
        .order_by()
        .annotate(
            n=Count("user", distinct=True),
            trained=Count(
                "user",
                distinct=True,
                filter=Q(
                    user__trainings__session__held_on__gte=start,
                    user__trainings__session__held_on__lte=on,
                ),
            ),
        )
    )
    for row in assignments:
        counts.setdefault(row["key"], TrainingCounts())
        counts[row["key"]] += TrainingCounts(managers=row["n"], managers_trained=row["trained"])
    return counts


def training_coverage_by_village(
    *, user: User, on: datetime.date
) -> list[tuple[Area, TrainingCounts]]:
    """Each village the user sees, with its coverage this year (for the training pages)."""
    villages = list(
        Area.objects.visible_to(user, roles=STAFF_ROLES)
        .filter(level=AreaLevel.VILLAGE)
        .order_by("code")[:500]
    )
    if not villages:
        return []
    prefix = _common_prefix([v.code for v in villages])
    counts = training_counts(prefix=prefix, length=12, on=on)
    return [(v, counts.get(v.code, TrainingCounts())) for v in villages]


def _common_prefix(codes: list[str]) -> str:
    first, last = min(codes), max(codes)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]
