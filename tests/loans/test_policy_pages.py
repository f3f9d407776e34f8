"""Policy pages: who reads, who edits, refusals shown and nothing written."""

from decimal import Decimal as D

from django.urls import reverse

from associations.models import Role
from loans.models import LoanPolicy
from loans.services.policy import policy_save

EMPTY_FORM = {
    "fee_method": "",
    "group_stop": "",
    "poor_first": "",
}


def edit_url(area):
    return reverse("loans:policy_edit", kwargs={"area_code": area.code})


def detail_url(area):
    return reverse("loans:policy_detail", kwargs={"area_code": area.code})


def test_clerk_reads_the_limits_and_where_they_come_from(client, world):
    policy_save(
        target=world.inside.county,
        by=world.inside.users[Role.COUNTY_OFFICE],
        values={"max_amount": D("12000")},
    )
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    response = client.get(detail_url(world.inside.village), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code == 200
    assert "12000" in body and "榆中县" in body and "三角城村互助协会" in body
    assert edit_url(world.inside.village) not in body  # no edit link for a clerk
    assert client.get(edit_url(world.inside.village)).status_code == 404


def test_county_office_narrows_the_association_policy(client, world):
    client.force_login(world.inside.users[Role.COUNTY_OFFICE])
    response = client.post(
        edit_url(world.inside.village), {**EMPTY_FORM, "max_amount": "8000", "notice_days": "5"}
    )
    assert response.status_code == 302
    policy = LoanPolicy.objects.get(association=world.inside.association)
    assert (policy.max_amount, policy.notice_days) == (D("8000.00"), 5)
    assert policy.updated_by == world.inside.users[Role.COUNTY_OFFICE]


def test_widening_shows_the_reason_and_writes_nothing(client, world):
    client.force_login(world.inside.users[Role.TOWNSHIP_COMMITTEE])
    response = client.post(
        edit_url(world.inside.township),
        {**EMPTY_FORM, "max_amount": "25000"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "最高借款金额不能宽于系统默认值规定的 20000.00" in response.content.decode()
    assert not LoanPolicy.objects.exists()


def test_township_committee_cannot_edit_its_county(client, world):
    client.force_login(world.inside.users[Role.TOWNSHIP_COMMITTEE])
    assert client.get(edit_url(world.inside.township)).status_code == 200
    assert client.post(edit_url(world.inside.county), {"max_amount": "9000"}).status_code == 404
    assert not LoanPolicy.objects.exists()


def test_board_and_member_may_not_edit(client, world):
    for role in (Role.VILLAGE_BOARD, Role.AUDITOR, Role.MEMBER):
        client.force_login(world.inside.users[role])
        assert (
            client.post(edit_url(world.inside.village), {"max_amount": "9000"}).status_code == 404
        )
    client.force_login(world.inside.users[Role.MEMBER])
    assert client.get(detail_url(world.inside.village)).status_code == 404
    assert not LoanPolicy.objects.exists()


def test_edit_form_shows_inherited_values(client, world):
    policy_save(
        target=world.inside.city,
        by=world.inside.users[Role.CITY_OFFICE],
        values={"fee_rate": D("0.0500")},
    )
    client.force_login(world.inside.users[Role.COUNTY_OFFICE])
    body = client.get(
        edit_url(world.inside.county), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "5.00%" in body and "兰州市" in body
