"""Reads for guarantee groups and placements: scoped to the user."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from associations.models import Association, Member, MemberStatus, PovertyStatus, User
from associations.selectors import member_query
from guarantees.models import GroupMembership, GroupStatus, GuaranteeGroup, Placement

ACTIVE = Q(memberships__left_on__isnull=True)


def group_list(*, user: User, query: str = "", status: str = "") -> QuerySet[GuaranteeGroup]:
    groups = GuaranteeGroup.objects.visible_to(user).select_related("association")
    if query:
        groups = groups.filter(name__contains=query)
    if status:
        groups = groups.filter(status=status)
    return groups.annotate(
        n_members=Count("memberships", filter=ACTIVE),
        n_poor=Count(
            "memberships",
            filter=ACTIVE & Q(memberships__member__poverty_status=PovertyStatus.REGISTERED_POOR),
        ),
    ).order_by("association__area__code", "status", "name", "id")


def group_members(*, group: GuaranteeGroup) -> list[GroupMembership]:
    return list(
        group.memberships.filter(left_on__isnull=True)
        .select_related("member", "member__village_group")
        # Each household's loans (the loans app's reverse relation), newest first, in one query.
        .prefetch_related("member__loans")
        .order_by("-role", "member__pinyin_full")
    )


def group_summary(*, memberships: list[GroupMembership]) -> dict:
    return {
        "members": len(memberships),
        "leaders": sum(1 for m in memberships if m.role == "leader"),
        "registered_poor": sum(
            1 for m in memberships if m.member.poverty_status == PovertyStatus.REGISTERED_POOR
        ),
    }


def free_members(
    *, association: Association, query: str = "", poverty_status: str = "", limit: int = 20
) -> list[Member]:
    """Active members of the association in no active group: the picker's candidates."""
    members = (
        Member.objects.filter(association=association, status=MemberStatus.ACTIVE)
        .exclude(pk__in=GroupMembership.objects.filter(left_on__isnull=True).values("member_id"))
        .select_related("village_group")
    )
    if query.strip():
        members = members.filter(member_query(query))
    if poverty_status:
        members = members.filter(poverty_status=poverty_status)
    return list(members.order_by("village_group__name", "pinyin_full", "id")[:limit])


def active_groups_of(*, association: Association) -> QuerySet[GuaranteeGroup]:
    return GuaranteeGroup.objects.filter(association=association, status=GroupStatus.ACTIVE)


def leader_candidates(*, association: Association, limit: int = 30) -> list[Member]:
    """Free households that can lead a group (party members or wealth leaders), shown before
    anyone is picked."""
    members = (
        Member.objects.filter(association=association, status=MemberStatus.ACTIVE)
        .filter(Q(is_party_member=True) | Q(is_wealth_leader=True))
        .exclude(pk__in=GroupMembership.objects.filter(left_on__isnull=True).values("member_id"))
        .select_related("village_group")
    )
    return list(members.order_by("village_group__name", "pinyin_full", "id")[:limit])


@dataclass(frozen=True)
class Unavailable:
    """A household that cannot join a new group, and why."""

    member: Member
    reason: str


def unavailable_members(
    *, association: Association, query: str = "", limit: int = 30
) -> list[Unavailable]:
    """Households of the association that cannot join: already in an active group, or exited.
    Filtered by the picker's search, so a clerk who looks for someone sees why they are absent."""
    in_groups = GroupMembership.objects.filter(left_on__isnull=True).values("member_id")
    members = Member.objects.filter(association=association).filter(
        Q(status=MemberStatus.EXITED) | Q(pk__in=in_groups)
    )
    if query.strip():
        members = members.filter(member_query(query))
    found = list(members.order_by("status", "pinyin_full", "id")[:limit])
    groups = dict(
        GroupMembership.objects.filter(member__in=found, left_on__isnull=True).values_list(
            "member_id", "group__name"
        )
    )
    rows = []
    for member in found:
        if member.pk in groups:
            reason = _("already in the group %(group)s") % {"group": groups[member.pk]}
        else:
            reason = _("exited the association")
        rows.append(Unavailable(member, reason))
    return rows


def placement_list(*, user: User, query: str = "", status: str = "") -> QuerySet[Placement]:
    """Placements the user may see, newest first; `status` is "active" or "ended"."""
    placements = Placement.objects.visible_to(user).select_related(
        "association", "member", "member__village_group"
    )
    if query.strip():
        placements = placements.filter(
            Q(partner_name__contains=query.strip())
            | Q(member__in=Member.objects.filter(member_query(query)))
        )
    if status == "active":
        placements = placements.filter(ended_on__isnull=True)
    elif status == "ended":
        placements = placements.filter(ended_on__isnull=False)
    return placements.order_by("association__area__code", "-agreed_on", "-id")


def active_members(*, association: Association, query: str = "", limit: int = 20) -> list[Member]:
    """Active households of the association matching a search: the placement form's choices."""
    members = Member.objects.filter(association=association, status=MemberStatus.ACTIVE)
    if query.strip():
        members = members.filter(member_query(query))
    return list(members.select_related("village_group").order_by("pinyin_full", "id")[:limit])
