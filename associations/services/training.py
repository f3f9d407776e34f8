"""Writes of training records (seed recommendation 5): a session held by a city, county,
township or village, and who attended it (member households and staff)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.authority import require_role
from associations.exceptions import AssociationRuleError
from associations.models import (
    Area,
    AreaLevel,
    Member,
    MemberStatus,
    Role,
    RoleAssignment,
    TrainingAttendance,
    TrainingSession,
    User,
)

# Who organises (and records) a training at each level: the office of that level.
ORGANISERS: dict[str, frozenset[str]] = {
    AreaLevel.VILLAGE: frozenset({Role.VILLAGE_CLERK}),
    AreaLevel.TOWNSHIP: frozenset({Role.TOWNSHIP_COMMITTEE, Role.TOWNSHIP_STATION}),
    AreaLevel.COUNTY: frozenset({Role.COUNTY_OFFICE}),
    AreaLevel.CITY: frozenset({Role.CITY_OFFICE}),
}
# The managers whose training counts (协会管理人员): the village clerks and board members.
MANAGER_ROLES = (Role.VILLAGE_CLERK, Role.VILLAGE_BOARD)


class TrainingRuleError(AssociationRuleError):
    """A rule about training records refused an operation."""


def organiser_roles(area: Area) -> frozenset[str]:
    return ORGANISERS.get(AreaLevel(area.level), frozenset())


def require_organiser(by: User | None, area: Area) -> None:
    """Refuse unless `by` is the office that holds trainings at `area`'s level there."""
    roles = organiser_roles(area)
    if not roles:
        raise TrainingRuleError(
            _("Trainings are held by a city, county, township or village."), "level"
        )
    require_role(by, roles, area.code, error=TrainingRuleError)


@transaction.atomic
def training_session_create(
    *,
    area: Area,
    held_on: datetime.date,
    topic: str,
    trainer: str,
    hours: Decimal,
    place: str,
    by: User,
) -> TrainingSession:
    require_organiser(by, area)
    if held_on > timezone.localdate():
        raise TrainingRuleError(_("A training is recorded once it has been held."), "future")
    if not Decimal("0") < hours <= Decimal("100"):
        raise TrainingRuleError(_("The hours must be more than 0 and at most 100."), "hours")
    return TrainingSession.objects.create(
        area=area,
        level=area.level,
        held_on=held_on,
        topic=topic.strip(),
        trainer=trainer.strip(),
        hours=hours,
        place=place.strip(),
        created_by=by,
    )


@transaction.atomic
def training_attendance_add(
    *,
    session: TrainingSession,
    by: User,
    members: Iterable[Member] = (),
    staff: Iterable[User] = (),
) -> int:
    """Record who attended; people already recorded are skipped. Members are active households
    of the session's area, staff hold a role there. Returns how many were added."""
    require_organiser(by, session.area)
    prefix = session.area.prefix
    members, staff = list(members), list(staff)
    for member in members:
        if member.status != MemberStatus.ACTIVE or not member.association.area_id.startswith(
            prefix
        ):
            raise TrainingRuleError(
                _("%(name)s is not an active member of this area.") % {"name": member.name},
                "member_scope",
            )
    outside = [
        user
        for user in staff
        if not RoleAssignment.objects.filter(user=user, area__code__startswith=prefix)
        .exclude(role=Role.MEMBER)
        .exists()
    ]
    if outside:
        raise TrainingRuleError(
            _("%(name)s holds no staff role in this area.") % {"name": outside[0]}, "staff_scope"
        )
    have_members = set(session.attendances.values_list("member_id", flat=True))
    have_staff = set(session.attendances.values_list("user_id", flat=True))
    rows = [
        TrainingAttendance(session=session, member=m) for m in members if m.pk not in have_members
    ]
    rows += [TrainingAttendance(session=session, user=u) for u in staff if u.pk not in have_staff]
    TrainingAttendance.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def training_attendance_remove(*, attendance: TrainingAttendance, by: User) -> None:
    require_organiser(by, attendance.session.area)
    attendance.delete()
