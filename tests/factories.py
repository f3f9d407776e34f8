"""Factories for tests. Areas go through the service so prefixes and parents stay right."""

import datetime

import factory

from associations.models import Area, Association, Role, User
from associations.services import area_create, association_create, role_assign

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
