"""Registering and editing member households: every rule, and nothing written when broken."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from associations.exceptions import MemberRuleError
from associations.households import parse_id_number
from associations.models import Member, MemberEvent, MemberStatus
from associations.services.members import member_create, member_update
from tests import factories

pytestmark = pytest.mark.django_db


def _fields(world, **overrides):
    fields = {
        "name": "李四",
        "id_number": "11010519491231002X",
        "mobile": "13912345678",
        "village_group": factories.village_group(world.inside.association),
        "household_size": 5,
        "labourers": 3,
        "poverty_status": "registered_poor",
        "is_party_member": True,
        "is_wealth_leader": False,
        "joined_on": datetime.date(2021, 5, 1),
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize(
    ("number", "birth", "gender"),
    [
        ("11010519491231002X", datetime.date(1949, 12, 31), "female"),
        ("110105194912310029", None, None),  # check digit should be X
        ("620123198001010019", datetime.date(1980, 1, 1), "male"),
        ("620123198001010013", None, None),
        ("440524198001010013", None, None),  # right check digit, unknown region
        ("620123198002300011", None, None),  # 30 February
    ],
)
def test_id_numbers_with_good_and_bad_check_digits(number, birth, gender):
    if birth is None:
        with pytest.raises(MemberRuleError):
            parse_id_number(number)
    else:
        parsed = parse_id_number(number.lower())
        assert (parsed.number, parsed.birth_date, parsed.gender) == (number, birth, gender)


def test_create_derives_gender_and_birth_date(world):
    clerk = world.inside.users["village_clerk"]
    member = member_create(association=world.inside.association, by=clerk, **_fields(world))
    member.refresh_from_db()
    assert member.birth_date == datetime.date(1949, 12, 31)
    assert member.gender == "female"
    assert (member.pinyin_full, member.pinyin_initials) == ("lisi", "ls")
    assert member.masked_id_number == "110105********002X"
    assert list(member.events.values_list("kind", "by")) == [("created", clerk.pk)]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"id_number": "110105194912310029"}, "id_checksum"),
        ({"id_number": "12345"}, "id_format"),
        ({"name": "  "}, "name"),
        ({"mobile": "1391234567"}, "mobile"),
        ({"mobile": "23912345678"}, "mobile"),
        ({"household_size": 0, "labourers": 0}, "household_size"),
        ({"household_size": 2, "labourers": 3}, "labourers"),
        ({"poverty_status": "rich"}, "poverty_status"),
        ({"joined_on": datetime.date(2999, 1, 1)}, "joined_on"),
    ],
)
def test_each_broken_rule_is_refused_and_nothing_written(world, overrides, code):
    with pytest.raises(MemberRuleError) as error:
        member_create(
            association=world.inside.association,
            by=factories.clerk_of(world.inside.association),
            **_fields(world, **overrides),
        )
    assert error.value.code == code
    assert str(error.value)
    assert not Member.objects.exists()
    assert not MemberEvent.objects.exists()


def test_village_group_of_another_village_is_refused(world):
    other = factories.village_group(world.outside.association)
    with pytest.raises(MemberRuleError) as error:
        member_create(
            association=world.inside.association,
            by=factories.clerk_of(world.inside.association),
            **_fields(world, village_group=other),
        )
    assert error.value.code == "village_group"
    assert not Member.objects.exists()


def test_one_membership_per_household_per_association(world):
    member_create(
        association=world.inside.association,
        by=factories.clerk_of(world.inside.association),
        **_fields(world),
    )
    with pytest.raises(MemberRuleError) as error:
        member_create(
            association=world.inside.association,
            by=factories.clerk_of(world.inside.association),
            **_fields(world, name="x"),
        )
    assert error.value.code == "id_duplicate"
    assert Member.objects.count() == 1


def test_an_id_number_is_active_in_one_association_only(world):
    first = member_create(
        association=world.inside.association,
        by=factories.clerk_of(world.inside.association),
        **_fields(world),
    )
    outside = {"village_group": factories.village_group(world.outside.association)}
    with pytest.raises(MemberRuleError) as error:
        member_create(
            association=world.outside.association,
            by=factories.clerk_of(world.outside.association),
            **_fields(world, **outside),
        )
    assert error.value.code == "id_active_elsewhere"
    assert "已是其他协会的在册社员" in str(error.value)
    # Once the household has left the first association it may join the second.
    Member.objects.filter(pk=first.pk).update(
        status=MemberStatus.EXITED, exited_on=datetime.date(2024, 1, 1), refund_amount=0
    )
    member_create(
        association=world.outside.association,
        by=factories.clerk_of(world.outside.association),
        **_fields(world, **outside),
    )
    assert Member.objects.filter(status="active").count() == 1


def test_the_database_refuses_a_second_active_member_with_the_same_id(world):
    """The constraint holds even when a writer bypasses the service."""
    first = factories.member(world.inside.association)
    twin = Member(
        association=world.outside.association,
        name="x",
        id_number=first.id_number,
        gender="male",
        birth_date=first.birth_date,
        village_group=factories.village_group(world.outside.association),
        household_size=1,
        labourers=1,
        poverty_status="general",
        joined_on=datetime.date(2020, 1, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_update_records_what_changed_and_rechecks_the_rules(world):
    clerk = world.inside.users["village_clerk"]
    member = factories.member(world.inside.association, name="张三")
    member_update(member=member, by=clerk, name="张山", household_size=6)
    member.refresh_from_db()
    assert (member.name, member.household_size, member.pinyin_full) == ("张山", 6, "zhangshan")
    event = member.events.filter(kind="updated").get()
    assert event.by == clerk
    assert "家庭人口" in event.note
    with pytest.raises(MemberRuleError):
        member_update(member=member, by=clerk, labourers=7)
    member.refresh_from_db()
    assert member.labourers == 2
    assert member.events.filter(kind="updated").count() == 1
