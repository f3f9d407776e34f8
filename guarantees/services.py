"""Writes for joint-liability groups and the other guarantee forms.

Every change to a group re-checks the composition (guarantees.rules) and is recorded with
who, when and why. "A person in at most one active group" is enforced three times: the
member rows are locked (select_for_update) before the check, the check itself, and a partial
unique index on active memberships that catches whatever slips past.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from associations.authority import require_role
from associations.history import history_by
from associations.models import Association, Member, MemberStatus, Role, User
from associations.services.members import member_update
from guarantees.exceptions import GuaranteeRuleError
from guarantees.models import (
    GroupChange,
    GroupChangeKind,
    GroupMembership,
    GroupRole,
    GroupStatus,
    GuaranteeGroup,
    PartnerKind,
    PersonalGuarantee,
    Placement,
)
from guarantees.rules import composition_check, group_rules_for


def _lock_members(members: Sequence[Member]) -> dict[int, Member]:
    """Lock the member rows in id order (no deadlocks) and return fresh copies."""
    ids = sorted({m.pk for m in members})
    return {m.pk: m for m in Member.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _refuse_members_in_groups(
    members: Sequence[Member], *, except_group: GuaranteeGroup | None = None
) -> None:
    busy = (
        GroupMembership.objects.filter(member__in=members, left_on__isnull=True)
        .exclude(group=except_group)
        .select_related("member", "group")
        .first()
    )
    if busy:
        raise GuaranteeRuleError(
            _("%(name)s is already in the active group %(group)s.")
            % {"name": busy.member.name, "group": busy.group.name},
            "in_another_group",
        )


def _insert_memberships(rows: list[GroupMembership]) -> None:
    try:
        with transaction.atomic():
            bulk_create_with_history(rows, GroupMembership)
    except IntegrityError as error:
        # A concurrent request put one of these members into another group first.
        raise GuaranteeRuleError(
            _("A member was just put into another group; reload and try again."),
            "in_another_group",
        ) from error


# Who keeps the village's groups and guarantee forms: its clerk (DESIGN §1).
GROUP_KEEPERS = frozenset({Role.VILLAGE_CLERK})


def _authorize(by: User | None, association: Association) -> None:
    """`by` is the clerk of this village (a role held elsewhere does not count)."""
    require_role(by, GROUP_KEEPERS, association.area_id, error=GuaranteeRuleError)


def _check_date(on: datetime.date) -> None:
    if on > timezone.localdate():
        raise GuaranteeRuleError(_("The date cannot be in the future."), "future_date")


@history_by
@transaction.atomic
def group_form(
    *,
    association: Association,
    name: str,
    formed_on: datetime.date,
    leaders: Sequence[Member],
    households: Sequence[Member],
    by: User | None,
) -> GuaranteeGroup:
    """Form a group of 1–2 leaders and 3–5 households (by default; the loan policy in force for
    the village may set other limits) of one association."""
    _authorize(by, association)
    name = (name or "").strip()
    if not name:
        raise GuaranteeRuleError(_("The group needs a name."), "name")
    _check_date(formed_on)
    locked = _lock_members([*leaders, *households])
    leaders = [locked.get(m.pk, m) for m in leaders]
    households = [locked.get(m.pk, m) for m in households]
    composition_check(leaders=leaders, households=households, rules=group_rules_for(association))
    if any(m.association_id != association.pk for m in [*leaders, *households]):
        raise GuaranteeRuleError(
            _("All members of a group belong to the group's association."), "other_association"
        )
    if GuaranteeGroup.objects.filter(
        association=association, name=name, status=GroupStatus.ACTIVE
    ).exists():
        raise GuaranteeRuleError(
            _("An active group named %(name)s already exists.") % {"name": name}, "name_taken"
        )
    _refuse_members_in_groups([*leaders, *households])
    group = GuaranteeGroup.objects.create(association=association, name=name, formed_on=formed_on)
    _insert_memberships(
        [
            GroupMembership(group=group, member=m, role=GroupRole.LEADER, joined_on=formed_on)
            for m in leaders
        ]
        + [
            GroupMembership(group=group, member=m, role=GroupRole.HOUSEHOLD, joined_on=formed_on)
            for m in households
        ]
    )
    GroupChange.objects.create(group=group, kind=GroupChangeKind.FORMED, by=by, on=formed_on)
    return group


def _lock_group(group: GuaranteeGroup, *, by: User | None) -> GuaranteeGroup:
    group = (
        GuaranteeGroup.objects.select_for_update().select_related("association").get(pk=group.pk)
    )
    _authorize(by, group.association)
    if group.status != GroupStatus.ACTIVE:
        raise GuaranteeRuleError(_("This group has been dissolved."), "dissolved")
    return group


def _current(group: GuaranteeGroup) -> list[GroupMembership]:
    return list(
        GroupMembership.objects.filter(group=group, left_on__isnull=True).select_related("member")
    )


def _recheck(
    group: GuaranteeGroup,
    memberships: list[GroupMembership],
    extra: Iterable[tuple[str, Member]] = (),
) -> None:
    """Check the composition the group will have (current rows plus (role, member) pairs) under
    the limits of the loan policy in force for its village."""
    pairs = [(m.role, m.member) for m in memberships] + list(extra)
    composition_check(
        leaders=[m for role, m in pairs if role == GroupRole.LEADER],
        households=[m for role, m in pairs if role == GroupRole.HOUSEHOLD],
        rules=group_rules_for(group.association),
    )


def _need_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise GuaranteeRuleError(_("Give the reason for the change."), "reason")
    return reason.strip()


def _membership_of(memberships: list[GroupMembership], member: Member) -> GroupMembership:
    for membership in memberships:
        if membership.member_id == member.pk:
            return membership
    raise GuaranteeRuleError(
        _("%(name)s is not in this group.") % {"name": member.name}, "not_in_group"
    )


@history_by
@transaction.atomic
def group_member_add(
    *,
    group: GuaranteeGroup,
    member: Member,
    role: str,
    by: User | None,
    on: datetime.date,
    reason: str,
) -> GroupMembership:
    reason = _need_reason(reason)
    _check_date(on)
    group = _lock_group(group, by=by)
    member = _lock_members([member])[member.pk]
    if role not in GroupRole.values:
        raise GuaranteeRuleError(_("Unknown role in the group."), "role")
    if member.association_id != group.association_id:
        raise GuaranteeRuleError(
            _("All members of a group belong to the group's association."), "other_association"
        )
    current = _current(group)
    _recheck(group, current, [(role, member)])
    _refuse_members_in_groups([member])
    membership = GroupMembership(group=group, member=member, role=role, joined_on=on)
    _insert_memberships([membership])
    GroupChange.objects.create(
        group=group, kind=GroupChangeKind.ADDED, member=member, by=by, on=on, reason=reason
    )
    return membership


@history_by
@transaction.atomic
def group_member_remove(
    *,
    group: GuaranteeGroup,
    member: Member,
    by: User | None,
    on: datetime.date,
    reason: str,
) -> None:
    reason = _need_reason(reason)
    _check_date(on)
    group = _lock_group(group, by=by)
    current = _current(group)
    leaving = _membership_of(current, member)
    if on < leaving.joined_on:
        raise GuaranteeRuleError(_("The date is before the member joined."), "date")
    _recheck(group, [m for m in current if m.pk != leaving.pk])
    leaving.left_on = on
    leaving.save(update_fields=["left_on"])
    GroupChange.objects.create(
        group=group, kind=GroupChangeKind.REMOVED, member=member, by=by, on=on, reason=reason
    )


@history_by
@transaction.atomic
def group_member_replace(
    *,
    group: GuaranteeGroup,
    member: Member,
    replacement: Member,
    by: User | None,
    on: datetime.date,
    reason: str,
) -> GroupMembership:
    """Swap one member for another in the same role, as one change."""
    reason = _need_reason(reason)
    _check_date(on)
    group = _lock_group(group, by=by)
    replacement = _lock_members([replacement])[replacement.pk]
    if replacement.association_id != group.association_id:
        raise GuaranteeRuleError(
            _("All members of a group belong to the group's association."), "other_association"
        )
    current = _current(group)
    leaving = _membership_of(current, member)
    if on < leaving.joined_on:
        raise GuaranteeRuleError(_("The date is before the member joined."), "date")
    staying = [m for m in current if m.pk != leaving.pk]
    _recheck(group, staying, [(leaving.role, replacement)])
    _refuse_members_in_groups([replacement])
    leaving.left_on = on
    leaving.save(update_fields=["left_on"])
    membership = GroupMembership(group=group, member=replacement, role=leaving.role, joined_on=on)
    _insert_memberships([membership])
    GroupChange.objects.create(
        group=group,
        kind=GroupChangeKind.REPLACED,
        member=member,
        replaced_by=replacement,
        by=by,
        on=on,
        reason=reason,
    )
    return membership


@history_by
@transaction.atomic
def group_dissolve(
    *, group: GuaranteeGroup, by: User | None, on: datetime.date, reason: str
) -> GuaranteeGroup:
    reason = _need_reason(reason)
    _check_date(on)
    group = _lock_group(group, by=by)
    if on < group.formed_on:
        raise GuaranteeRuleError(_("A group cannot be dissolved before it was formed."), "date")
    leaving = list(GroupMembership.objects.filter(group=group, left_on__isnull=True))
    for membership in leaving:
        membership.left_on = on
    bulk_update_with_history(leaving, GroupMembership, ["left_on"], default_user=by)
    group.status = GroupStatus.DISSOLVED
    group.dissolved_on = on
    group.save(update_fields=["status", "dissolved_on"])
    GroupChange.objects.create(
        group=group, kind=GroupChangeKind.DISSOLVED, by=by, on=on, reason=reason
    )
    return group


# Who may lead a group: the two flags of the roster (DESIGN §5), set through the roster's service.
LEADER_FLAGS = {"party": "is_party_member", "wealth": "is_wealth_leader"}


def leader_flag_set(*, member: Member, flag: str, by: User) -> Member:
    """Mark a household as a party member or a wealth leader while forming a group.

    The roster's own service (`member_update`) checks who may edit the household and records
    the change in its history; this only names the flag."""
    if flag not in LEADER_FLAGS:
        raise GuaranteeRuleError(_("Choose party member or wealth leader."), "leader_flag")
    return member_update(member=member, by=by, **{LEADER_FLAGS[flag]: True})


# --- other guarantee forms ---------------------------------------------------------------


def _active_member_of(member: Member, association: Association) -> None:
    if member.association_id != association.pk or member.status != MemberStatus.ACTIVE:
        raise GuaranteeRuleError(
            _("%(name)s is not an active member of this association.") % {"name": member.name},
            "not_active",
        )


@transaction.atomic
def personal_guarantee_create(
    *, borrower: Member, guarantor: Member, agreed_on: datetime.date, by: User, note: str = ""
) -> PersonalGuarantee:
    association = borrower.association
    _authorize(by, association)
    _active_member_of(borrower, association)
    _active_member_of(guarantor, association)
    if borrower.pk == guarantor.pk:
        raise GuaranteeRuleError(_("A household cannot guarantee itself."), "self_guarantee")
    _check_date(agreed_on)
    return PersonalGuarantee.objects.create(
        association=association,
        borrower=borrower,
        guarantor=guarantor,
        agreed_on=agreed_on,
        note=note.strip(),
    )


@transaction.atomic
def placement_create(
    *,
    member: Member,
    partner_kind: str,
    partner_name: str,
    agreed_on: datetime.date,
    dividend_terms: str,
    by: User,
) -> Placement:
    _authorize(by, member.association)
    _active_member_of(member, member.association)
    if partner_kind not in PartnerKind.values:
        raise GuaranteeRuleError(_("Choose enterprise or cooperative."), "partner_kind")
    partner_name = (partner_name or "").strip()
    if not partner_name:
        raise GuaranteeRuleError(_("Name the enterprise or cooperative."), "partner_name")
    if len(partner_name) > 100:
        raise GuaranteeRuleError(
            _("The partner's name is longer than 100 characters."), "partner_name"
        )
    if not (dividend_terms or "").strip():
        raise GuaranteeRuleError(_("Describe the dividend terms."), "dividend_terms")
    _check_date(agreed_on)
    if Placement.objects.filter(
        member=member, partner_name=partner_name, ended_on__isnull=True
    ).exists():
        raise GuaranteeRuleError(
            _("%(name)s already has a current placement with %(partner)s.")
            % {"name": member.name, "partner": partner_name},
            "duplicate",
        )
    return Placement.objects.create(
        association=member.association,
        member=member,
        partner_kind=partner_kind,
        partner_name=partner_name,
        agreed_on=agreed_on,
        dividend_terms=dividend_terms.strip(),
    )


@transaction.atomic
def placement_end(*, placement: Placement, on: datetime.date, reason: str, by: User) -> Placement:
    """End a placement (the funds came back, or the partner closed): it no longer guarantees a
    new loan. Loans it guaranteed keep pointing at it."""
    placement = (
        Placement.objects.select_for_update().select_related("association").get(pk=placement.pk)
    )
    _authorize(by, placement.association)
    if placement.ended_on is not None:
        raise GuaranteeRuleError(_("This placement has already ended."), "ended")
    reason = _need_reason(reason)
    _check_date(on)
    if on < placement.agreed_on:
        raise GuaranteeRuleError(
            _("A placement cannot end before its agreement date (%(date)s).")
            % {"date": placement.agreed_on.isoformat()},
            "date",
        )
    placement.ended_on = on
    placement.end_reason = reason
    placement.ended_by = by
    placement.save(update_fields=["ended_on", "end_reason", "ended_by"])
    return placement


def member_exit_guard(member: Member) -> str | None:
    """An exit guard (associations.hooks): a household in an active group leaves the group first, so
    the group's composition is re-checked by the group services, not silently broken."""
    membership = (
        GroupMembership.objects.filter(member=member, left_on__isnull=True)
        .select_related("group")
        .first()
    )
    if membership is None:
        return None
    return _(
        "%(name)s is still in the joint-liability group %(group)s; remove or replace the "
        "household in the group first."
    ) % {"name": member.name, "group": membership.group.name}
