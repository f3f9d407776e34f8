"""Placements end (issue 13): by the village's clerk, with a reason, never twice; the service
and the pages (create, list, end) are scoped and write nothing on a refusal."""

import datetime

import pytest
from django.urls import reverse

from guarantees.exceptions import GuaranteeRuleError
from guarantees.models import Placement
from guarantees.services import placement_create, placement_end
from tests import factories

pytestmark = pytest.mark.django_db
ON = datetime.date(2025, 4, 1)
NEW = reverse("guarantees:placement_create")
LIST = reverse("guarantees:placement_list")


def _placement(world, member, partner="榆中县高原夏菜专业合作社"):
    return placement_create(
        member=member,
        partner_kind="cooperative",
        partner_name=partner,
        agreed_on=ON,
        dividend_terms="每年按入社资金的8%分红",
        by=world.inside.users["village_clerk"],
    )


def test_a_placement_ends_once_with_a_reason(world, people):
    _leaders, households = people
    placement = _placement(world, households[0])
    clerk = world.inside.users["village_clerk"]
    ended = placement_end(placement=placement, on=ON, reason="资金退回", by=clerk)
    assert (ended.ended_on, ended.end_reason, ended.ended_by) == (ON, "资金退回", clerk)
    assert not ended.is_active
    with pytest.raises(GuaranteeRuleError) as error:
        placement_end(placement=placement, on=ON, reason="再次", by=clerk)
    assert error.value.code == "ended"
    assert Placement.objects.get().end_reason == "资金退回"


@pytest.mark.parametrize(
    ("on", "reason", "code"),
    [
        (ON, " ", "reason"),
        (ON - datetime.timedelta(days=1), "资金退回", "date"),
        (datetime.date(2999, 1, 1), "资金退回", "future_date"),
    ],
)
def test_bad_ends_are_refused_and_write_nothing(world, people, on, reason, code):
    _leaders, households = people
    placement = _placement(world, households[0])
    with pytest.raises(GuaranteeRuleError) as error:
        placement_end(
            placement=placement, on=on, reason=reason, by=world.inside.users["village_clerk"]
        )
    assert error.value.code == code
    assert Placement.objects.get().ended_on is None


@pytest.mark.parametrize("who", ["inside_board", "outside_clerk"])
def test_only_the_villages_clerk_ends(world, people, who):
    _leaders, households = people
    placement = _placement(world, households[0])
    by = {
        "inside_board": world.inside.users["village_board"],
        "outside_clerk": world.outside.users["village_clerk"],
    }[who]
    with pytest.raises(GuaranteeRuleError) as error:
        placement_end(placement=placement, on=ON, reason="资金退回", by=by)
    assert error.value.code == "role"
    assert Placement.objects.get().ended_on is None


def test_a_second_current_placement_with_the_same_partner_is_refused(world, people):
    _leaders, households = people
    first = _placement(world, households[0])
    with pytest.raises(GuaranteeRuleError) as error:
        _placement(world, households[0])
    assert error.value.code == "duplicate"
    placement_end(placement=first, on=ON, reason="资金退回", by=world.inside.users["village_clerk"])
    assert _placement(world, households[0]).is_active  # after the first ended, a new one


# --- pages ---------------------------------------------------------------------------------


def _data(household, **changes):
    return {
        "member": household.pk,
        "partner_kind": "enterprise",
        "partner_name": "某肉牛养殖企业",
        "agreed_on": "2025-04-01",
        "dividend_terms": "年底按入股资金的10%分红",
        "idempotency_key": "placement-1",
        "save": "1",
        **changes,
    }


def test_clerk_searches_records_once_and_sees_it_listed(client, world, people):
    _leaders, households = people
    client.force_login(world.inside.users["village_clerk"])
    typed = {k: v for k, v in _data(households[0]).items() if k != "save"}
    found = client.post(NEW, {**typed, "search": "1", "q": "农户1"})
    assert found.status_code == 200
    # The search lists the match and keeps the household already chosen and what was typed.
    assert [m.name for m in found.context["members"]] == ["农户0", "农户1"]
    assert found.context["chosen"] == households[0].pk
    assert "某肉牛养殖企业" in found.content.decode()
    assert not Placement.objects.exists()
    data = _data(households[0])
    assert client.post(NEW, data).status_code == 302
    assert client.post(NEW, data).status_code == 302  # the same form sent twice writes once
    placement = Placement.objects.get()
    assert (placement.member, placement.partner_name) == (households[0], "某肉牛养殖企业")
    listed = client.get(LIST)
    body = listed.content.decode()
    assert "某肉牛养殖企业" in body and households[0].name in body
    assert reverse("guarantees:placement_end", args=[placement.pk]) in body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"partner_name": " "}, "这个字段是必填项"),  # form: required
        ({"dividend_terms": "   "}, "这个字段是必填项"),
        ({"member": "999999"}, "请从搜索结果中选择社员"),
        ({"partner_kind": "bank"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_gives_a_chinese_message_and_writes_nothing(
    client, world, people, changes, message
):
    _leaders, households = people
    client.force_login(world.inside.users["village_clerk"])
    response = client.post(NEW, _data(households[0], **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Placement.objects.exists()


def test_a_household_of_another_village_cannot_be_chosen(client, world, people):
    stranger = factories.member(world.outside.association)
    client.force_login(world.inside.users["village_clerk"])
    response = client.post(NEW, _data(stranger))
    assert response.status_code == 200
    assert not Placement.objects.exists()


def test_the_end_page_ends_and_the_list_filters(client, world, people):
    _leaders, households = people
    placement = _placement(world, households[0])
    other = _placement(world, households[1], partner="某企业")
    url = reverse("guarantees:placement_end", args=[placement.pk])
    client.force_login(world.inside.users["village_clerk"])
    refused = client.post(url, {"on": "2025-04-01", "reason": ""})
    assert refused.status_code == 200
    assert Placement.objects.get(pk=placement.pk).ended_on is None
    assert client.post(url, {"on": "2025-04-02", "reason": "资金退回"}).status_code == 302
    assert Placement.objects.get(pk=placement.pk).ended_on == datetime.date(2025, 4, 2)
    assert client.get(url).status_code == 404  # nothing left to end
    current = client.get(LIST, {"status": "active"})
    assert [p.pk for p in current.context["page"].object_list] == [other.pk]
    ended = client.get(LIST, {"status": "ended"})
    assert [p.pk for p in ended.context["page"].object_list] == [placement.pk]


def test_other_roles_read_but_do_not_end(client, world, people):
    _leaders, households = people
    placement = _placement(world, households[0])
    url = reverse("guarantees:placement_end", args=[placement.pk])
    client.force_login(world.inside.users["township_committee"])
    assert client.get(LIST).status_code == 200
    assert "榆中县高原夏菜专业合作社" in client.get(LIST).content.decode()
    assert client.post(url, {"on": "2025-04-02", "reason": "资金退回"}).status_code == 404
    assert client.get(NEW).status_code == 404
    client.force_login(world.outside.users["village_clerk"])
    assert "榆中县高原夏菜专业合作社" not in client.get(LIST).content.decode()
    assert client.post(url, {"on": "2025-04-02", "reason": "资金退回"}).status_code == 404
    assert Placement.objects.get().ended_on is None


def test_a_current_placement_is_offered_in_the_loan_application(client, world, people):
    _leaders, households = people
    placement = _placement(world, households[0])
    client.force_login(world.inside.users["village_clerk"])
    page = client.get(reverse("loans:loan_new"), {"member": households[0].pk})
    assert page.status_code == 200
    assert list(page.context["form"].fields["placement"].queryset) == [placement]
    assert placement.partner_name in page.content.decode()


def test_an_ended_placement_is_no_longer_offered_for_a_new_loan(client, world, people):
    _leaders, households = people
    placement = _placement(world, households[0])
    placement_end(
        placement=placement, on=ON, reason="资金退回", by=world.inside.users["village_clerk"]
    )
    client.force_login(world.inside.users["village_clerk"])
    page = client.get(reverse("loans:loan_new"), {"member": households[0].pk})
    assert page.status_code == 200
    assert list(page.context["form"].fields["placement"].queryset) == []
    assert placement.partner_name not in page.content.decode()


def test_a_loan_on_a_placement_that_ended_is_refused_at_submit(world, people):
    """Drafted while the placement was current, submitted after it ended: refused, unchanged."""
    from loans.exceptions import LoanRuleError
    from loans.services import applications

    _leaders, households = people
    placement = _placement(world, households[0])
    loan = factories.loan_applied(
        world.inside,
        households[0],
        amount="5000",
        guarantee_kind="placement",
        placement=placement,
    )
    placement_end(
        placement=placement, on=ON, reason="资金退回", by=world.inside.users["village_clerk"]
    )
    with pytest.raises(LoanRuleError) as error:
        applications.loan_submit(loan=loan, by=world.inside.users["village_clerk"])
    assert error.value.code == "placement_ended"
    assert "已终止" in str(error.value)
    loan.refresh_from_db()
    assert loan.status == "draft"
