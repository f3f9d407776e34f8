"""A household's own login (issue 12): the clerk's one-time code, the member's password, the
rate limit, 30 days idle, log out everywhere."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from associations.exceptions import MemberRuleError
from associations.models import AccessCode, Member, Role, User
from associations.services.access import access_code_issue, member_access_activate
from tests import factories

pytestmark = pytest.mark.today(datetime.datetime(2026, 3, 2, 9, 0))
MOBILE = "13912345678"
NEW_PASSWORD = "gansu-farm-2026"


@pytest.fixture
def household(world):
    return factories.member(world.inside.association, name="王大山", mobile=MOBILE)


def _issue(client, world, household) -> str:
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    response = client.post(reverse("associations:member_access", args=[household.pk]))
    assert response.status_code == 200
    return response.context["code"]


def _activate(client, code, password=NEW_PASSWORD, mobile=MOBILE):
    return client.post(
        reverse("member_activate"),
        {"mobile": mobile, "code": code, "password1": password, "password2": password},
    )


def test_clerk_activates_and_the_member_sets_a_password(client, world, household):
    detail = client
    detail.force_login(world.inside.users[Role.VILLAGE_CLERK])
    page = detail.get(reverse("associations:member_detail", args=[household.pk]))
    assert reverse("associations:member_access", args=[household.pk]) in page.content.decode()
    code = _issue(client, world, household)
    assert len(code) == 8 and code.isdigit()
    household.refresh_from_db()
    login = household.user
    assert login.mobile == MOBILE and not login.has_usable_password()
    assert login.role_assignments.filter(role=Role.MEMBER, area=world.inside.village).exists()
    assert code not in AccessCode.objects.get(member=household).code_hash

    phone = Client()
    response = _activate(phone, code)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = phone.get("/")
    assert home.templates[0].name == "loans/member/home.html"
    assert 29 * 86400 < phone.session.get_expiry_age() <= 30 * 86400
    # The code works once; the password now logs in with the mobile number.
    assert "已过期" in _activate(Client(), code).content.decode()
    assert Client().login(username=MOBILE, password=NEW_PASSWORD)


def test_wrong_or_expired_codes_read_the_same_and_change_nothing(client, world, household, _today):
    code = _issue(client, world, household)
    wrong = str((int(code) + 1) % 10**8).zfill(8)
    for attempt in (_activate(Client(), wrong), _activate(Client(), code, mobile="13900000000")):
        assert "手机号或激活码不对" in attempt.content.decode()
    _today.move_to(datetime.datetime(2026, 3, 9, 9, 1))  # 7 days and a minute later
    assert "手机号或激活码不对" in _activate(Client(), code).content.decode()
    household.refresh_from_db()
    assert not household.user.has_usable_password()


def test_a_new_code_replaces_the_old_one(client, world, household):
    first = _issue(client, world, household)
    second = _issue(client, world, household)
    with pytest.raises(MemberRuleError):
        member_access_activate(mobile=MOBILE, code=first, password=NEW_PASSWORD)
    assert member_access_activate(mobile=MOBILE, code=second, password=NEW_PASSWORD)


def test_only_the_clerk_of_the_village_issues_codes(world, household):
    for user in (world.inside.users[Role.VILLAGE_BOARD], world.outside.users[Role.VILLAGE_CLERK]):
        with pytest.raises(MemberRuleError) as refused:
            access_code_issue(member=household, by=user)
        assert refused.value.code == "role"
    household.refresh_from_db()
    assert household.user is None and not AccessCode.objects.exists()


def test_a_member_without_mobile_gets_no_code(world):
    member = factories.member(world.inside.association, name="无手机")
    with pytest.raises(MemberRuleError) as refused:
        access_code_issue(member=member, by=world.inside.users[Role.VILLAGE_CLERK])
    assert refused.value.code == "no_mobile"


def test_tries_are_limited_per_mobile_number(client, world, household):
    code = _issue(client, world, household)
    phone = Client()
    for _ in range(5):
        _activate(phone, "00000000")
    limited = _activate(phone, code).content.decode()
    assert "尝试次数太多" in limited
    household.refresh_from_db()
    assert not household.user.has_usable_password()


def test_a_forgotten_password_new_code_and_log_out_everywhere(client, world, household):
    member_access_activate(
        mobile=MOBILE, code=_issue(client, world, household), password="old-pass-2026x"
    )
    first_phone, second_phone = Client(), Client()
    for phone in (first_phone, second_phone):
        assert phone.login(username=MOBILE, password="old-pass-2026x")
        assert phone.get("/").status_code == 200
    # Forgotten password: a new code; setting the new password ends the old sessions.
    member_access_activate(
        mobile=MOBILE, code=_issue(client, world, household), password=NEW_PASSWORD
    )
    assert first_phone.get("/").status_code == 302
    # Log out everywhere from one phone ends the other too.
    for phone in (first_phone, second_phone):
        assert phone.login(username=MOBILE, password=NEW_PASSWORD)
    response = first_phone.post(reverse("loans:member_logout_everywhere"))
    assert response.status_code == 200
    assert second_phone.get("/").status_code == 302
    assert User.objects.get(mobile=MOBILE).session_generation == 3


def test_a_staff_login_linked_to_a_household_is_not_reset_by_a_code(world):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    board = world.inside.users[Role.VILLAGE_BOARD]
    member = factories.member(world.inside.association, name="理事", mobile="13811112222")
    Member.objects.filter(pk=member.pk).update(user=board)
    member.refresh_from_db()
    with pytest.raises(MemberRuleError) as refused:
        access_code_issue(member=member, by=clerk)
    assert refused.value.code == "staff_login"
