"""Reads for guarantee groups: scoped to the user."""

from django.db.models import Count, Q, QuerySet

from associations.models import Association, Member, MemberStatus, PovertyStatus, User
from associations.selectors import member_query
from guarantees.models import GroupMembership, GroupStatus, GuaranteeGroup

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
