"""Factories for tests. Areas go through the service so prefixes and parents stay right."""

import datetime

import factory

from associations.models import Area, Association, Role, User
from associations.services.areas import area_create
from associations.services.associations import association_create, role_assign

PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def area(code: str, name: str, level: str, parent: Area | None = None) -> Area:
    existing = Area.objects.filter(code=code).first()
    return existing or area_create(code=code, name=name, level=level, parent=parent)


def association(village: Area, *, households: int = 300, poor: int = 60) -> Association:
    return association_create(
        village=village,
        name=f"{village.name}互助协会",
        founded_on=datetime.date(2010, 1, 1),
        total_households=households,
        registered_poor_households=poor,
    )


def user_with_role(role: str, area: Area, username: str | None = None) -> User:
    user = UserFactory(username=username) if username else UserFactory()
    role_assign(user=user, role=role, area=area)
    return user


def role_assign_extra(user: User, role: str, area: Area) -> User:
    """Give `user` a second role somewhere else (the two-role cases of issue 9)."""
    from associations.scoping import forget_scope

    role_assign(user=user, role=role, area=area)
    forget_scope(user)
    return user


ROLE_AREA_LEVEL = {
    Role.VILLAGE_CLERK: "village",
    Role.VILLAGE_BOARD: "village",
    Role.MEMBER: "village",
    Role.TOWNSHIP_COMMITTEE: "township",
    Role.TOWNSHIP_STATION: "township",
    Role.COUNTY_OFFICE: "county",
    Role.CITY_OFFICE: "city",
    Role.AUDITOR: "county",
}


# --- member households (issue 3) ---------------------------------------------------------


def id_number(serial: int, *, region: str = "620123", male: bool = True) -> str:
    """A distinct valid resident ID number per serial: region, birth date, sequence, check."""
    from stdnum.cn import ric

    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=serial // 500)
    sequence = (serial % 500) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function ignores the last digit


def village_group(association: Association, name: str = "一组"):
    from associations.models import VillageGroup

    return VillageGroup.objects.get_or_create(association=association, name=name)[0]


_member_serial = iter(range(1, 10**6))


def clerk_of(association: Association) -> User:
    """A village clerk of the association's village (the one who keeps its roster and groups),
    made once per village. Services check that `by` holds the role there."""
    existing = User.objects.filter(
        role_assignments__role=Role.VILLAGE_CLERK, role_assignments__area_id=association.area_id
    ).first()
    return existing or user_with_role(
        Role.VILLAGE_CLERK, association.area, username=f"registrar_{association.area_id}"
    )


def member(association: Association, *, by: User | None = None, **overrides):
    """A registered member household through the service; every rule applies."""

    from associations.services.members import member_create

    fields = {
        "name": "张三",
        "id_number": id_number(next(_member_serial)),
        "mobile": "",
        "village_group": village_group(association),
        "household_size": 4,
        "labourers": 2,
        "poverty_status": "registered_poor",
        "is_party_member": False,
        "is_wealth_leader": False,
        "joined_on": datetime.date(2020, 3, 1),
    }
    fields.update(overrides)
    return member_create(association=association, by=by or clerk_of(association), **fields)


def scoped_member(world):
    """The inside branch's member household, linked to its `member` login (same on each call)."""
    from associations.models import Member
    from associations.services.members import member_link_login

    login = world.inside.users[Role.MEMBER]
    existing = Member.objects.filter(user=login).first()
    if existing:
        return existing
    household = member(world.inside.association, name="马福海", is_party_member=True)
    return member_link_login(member=household, user=login)


def scoped_group(world):
    """An active group of the inside branch that contains the scoped member household."""
    from guarantees.models import GuaranteeGroup
    from guarantees.services import group_form

    association = world.inside.association
    existing = GuaranteeGroup.objects.filter(association=association, name="联保一组").first()
    if existing:
        return existing
    return group_form(
        association=association,
        name="联保一组",
        formed_on=datetime.date(2024, 1, 1),
        leaders=[scoped_member(world)],
        households=[member(association, name=f"农户{i}") for i in range(3)],
        by=clerk_of(association),
    )


# --- loans (issue 5): one builder for "a loan paid out", in steps -------------------------
# Each step goes through the service with the role that may take it at the branch's village:
# the clerk applies and submits, the board reviews, the township committee approves, the
# township station disburses.


def loan_applied(branch, member, *, group=None, amount="10000", purpose="livestock", **fields):
    """A draft loan of `member` applied for by the branch's clerk (lump sum over 12 months,
    group guarantee unless `fields` say otherwise)."""
    from decimal import Decimal

    from loans.models import LoanPurpose
    from loans.services import applications

    if not isinstance(purpose, LoanPurpose):
        purpose = LoanPurpose.objects.get(code=purpose)
    values = {
        "association": branch.association,
        "member": member,
        "amount": Decimal(amount),
        "term_months": 12,
        "purpose": purpose,
        "schedule_kind": "lump_sum",
        "guarantee_kind": "group",
        "group": group,
        "by": branch.users[Role.VILLAGE_CLERK],
    }
    values.update(fields)
    return applications.loan_apply(**values)


def loan_ready(loan, branch, *, approved_on: datetime.date, notices_expire_on: datetime.date):
    """Submitted, reviewed by the board, approved on `approved_on`, and through the public
    notice by the job run on `notices_expire_on`: ready to pay out."""
    from loans.services import applications

    users = branch.users
    applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
    applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
    applications.loan_approve(loan=loan, by=users[Role.TOWNSHIP_COMMITTEE], on=approved_on)
    applications.notices_expire(today=notices_expire_on)
    loan.refresh_from_db()
    return loan


def loan_disbursed(
    branch,
    member,
    *,
    on: datetime.date,
    approved_on: datetime.date,
    notices_expire_on: datetime.date | None = None,
    **application,
):
    """A loan applied for, approved on `approved_on` and paid out on `on` by the township
    station (the notice job runs on `notices_expire_on`, by default the day of payment).
    `application` goes to `loan_applied` (group, amount, schedule_kind, ...)."""
    from loans.services import money

    loan = loan_ready(
        loan_applied(branch, member, **application),
        branch,
        approved_on=approved_on,
        notices_expire_on=notices_expire_on or on,
    )
    return money.loan_disburse(loan=loan, by=branch.users[Role.TOWNSHIP_STATION], on=on)
