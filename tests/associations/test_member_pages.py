"""Member pages: search, masking and the full-ID record, clerk writes, read-only elsewhere."""

from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import IdNumberView, Member
from tests import factories

pytestmark = pytest.mark.django_db
LIST = reverse("associations:member_list")


def _names(response) -> list[str]:
    return [m.name for m in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "zs"}, ["张三"]),
        ({"q": "zhangsan"}, ["张三"]),
        ({"q": "ZhangSan"}, ["张三"]),
        ({"q": "张"}, ["张三"]),
        ({"q": "li"}, ["李四"]),
        ({"q": "1111"}, ["张三"]),  # part of the phone number
        ({"poverty_status": "general"}, ["李四"]),
        ({"party": "yes"}, ["张三"]),
        ({"party": "no"}, ["李四"]),
        ({"status": "exited"}, []),
        ({}, ["张三", "李四"]),
    ],
)
def test_search_and_filters(client, world, roster, params, expected):
    client.force_login(world.inside.users["village_clerk"])
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert sorted(_names(response)) == sorted(expected)


def test_search_by_id_suffix_and_village_group(client, world, roster):
    client.force_login(world.inside.users["township_committee"])
    lisi = roster["lisi"]
    assert _names(client.get(LIST, {"q": lisi.id_number[-6:]})) == ["李四"]
    assert _names(client.get(LIST, {"village_group": lisi.village_group_id})) == ["李四"]


def test_lists_are_scoped_and_a_member_login_sees_its_own_household(client, world, roster):
    client.force_login(world.outside.users["county_office"])
    assert _names(client.get(LIST)) == ["王五"]
    factories.scoped_member(world)
    client.force_login(world.inside.users["member"])
    assert client.get(LIST).status_code == 404  # a member login has pages of its own (issue 12)
    other = roster["zhangsan"]
    url = reverse("associations:member_detail", args=[other.pk])
    assert client.get(url).status_code == 404


def test_list_pages_do_not_query_per_row(client, world, roster, django_assert_max_num_queries):
    for i in range(10):
        factories.member(world.inside.association, name=f"社员{i}")
    client.force_login(world.inside.users["village_clerk"])
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 12


def test_id_numbers_are_masked_in_lists(client, world, roster):
    client.force_login(world.inside.users["village_clerk"])
    body = client.get(LIST).content.decode()
    zhangsan = roster["zhangsan"]
    assert zhangsan.id_number not in body
    assert f"{zhangsan.id_number[:6]}********{zhangsan.id_number[-4:]}" in body


@pytest.mark.parametrize("role", ["village_clerk", "township_station"])
def test_clerk_and_station_see_the_full_number_and_each_view_is_recorded(
    client, world, roster, role
):
    member = roster["zhangsan"]
    viewer = world.inside.users[role]
    client.force_login(viewer)
    url = reverse("associations:member_detail", args=[member.pk])
    plain = client.get(url).content.decode()
    assert member.id_number not in plain and "show_id=1" in plain
    assert not IdNumberView.objects.exists()
    for _ in range(2):
        assert member.id_number in client.get(url, {"show_id": "1"}).content.decode()
    views = IdNumberView.objects.filter(member=member, viewer=viewer)
    assert views.count() == 2


@pytest.mark.parametrize(
    "role", ["village_board", "township_committee", "county_office", "city_office", "auditor"]
)
def test_other_roles_never_see_the_full_number(client, world, roster, role):
    member = roster["zhangsan"]
    client.force_login(world.inside.users[role])
    url = reverse("associations:member_detail", args=[member.pk])
    body = client.get(url, {"show_id": "1"}).content.decode()
    assert member.id_number not in body
    assert member.masked_id_number in body
    assert not IdNumberView.objects.exists()


def _post_member(client, world, **changes):
    group = factories.village_group(world.inside.association)
    data = {
        "name": "赵六",
        "id_number": factories.id_number(777),
        "mobile": "13700001234",
        "village_group": group.pk,
        "household_size": 3,
        "labourers": 2,
        "poverty_status": "monitored",
        "joined_on": "2023-02-01",
        "idempotency_key": "member-1",
    }
    data.update(changes)
    return client.post(reverse("associations:member_create"), data)


def test_clerk_registers_a_member(client, world):
    client.force_login(world.inside.users["village_clerk"])
    response = _post_member(client, world)
    member = Member.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("associations:member_detail", args=[member.pk])
    assert (member.name, member.poverty_status, member.association) == (
        "赵六",
        "monitored",
        world.inside.association,
    )


def test_a_bad_id_number_shows_the_reason_and_writes_nothing(client, world):
    client.force_login(world.inside.users["village_clerk"])
    response = _post_member(client, world, id_number="110105194912310029")
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Member.objects.exists()


def test_clerk_edits_and_records_an_exit(client, world, roster):
    member = roster["lisi"]
    client.force_login(world.inside.users["village_clerk"])
    edit = reverse("associations:member_edit", args=[member.pk])
    form = client.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(village_group=member.village_group_id, household_size=7, is_party_member="on")
    assert client.post(edit, data).status_code == 302
    member.refresh_from_db()
    assert (member.household_size, member.is_party_member) == (7, True)
    exit_url = reverse("associations:member_exit", args=[member.pk])
    from funds.journal import Cr, Dr, book_for_association, journal_post
    from funds.services import member_contribution_receive

    clerk = world.inside.users["village_clerk"]
    amount = Decimal("200.00")
    member_contribution_receive(member=member, amount=amount, on=member.joined_on, by=clerk)
    book = book_for_association(member.association)
    journal_post(  # the contribution went on to the bank: the cash box cannot refund it
        book=book,
        date=member.joined_on,
        kind="other",
        by=clerk,
        memo="存入银行",
        lines=[Dr("bank", amount), Cr("cash", amount)],
    )
    refused = client.post(exit_url, {"on": "2025-01-01", "reason": "外迁", "refund": "on"})
    assert "资金不足" in refused.content.decode()
    member.refresh_from_db()
    assert member.status == "active"
    journal_post(
        book=book,
        date=member.joined_on,
        kind="other",
        by=clerk,
        memo="取现",
        lines=[Dr("cash", amount), Cr("bank", amount)],
    )
    response = client.post(exit_url, {"on": "2025-01-01", "reason": "外迁", "refund": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.status, str(member.refund_amount)) == ("exited", "200.00")


def test_other_loans_are_recorded_and_removed(client, world, roster):
    member = roster["zhangsan"]
    client.force_login(world.inside.users["village_clerk"])
    url = reverse("associations:member_other_loans", args=[member.pk])
    data = {"action": "add", "kind": "women_micro", "lender": "农村信用社", "amount": "50000"}
    data.update(due_on="2027-06-30", idempotency_key="other-loan-1")
    assert client.post(url, data).status_code == 302
    loan = member.other_loans.get()
    assert str(loan.amount) == "50000.00"
    detail = client.get(reverse("associations:member_detail", args=[member.pk]))
    assert "妇女小额贷款" in detail.content.decode()
    assert client.post(url, {"action": "remove", "loan": loan.pk}).status_code == 302
    assert not member.other_loans.exists()
    assert list(member.events.values_list("kind", flat=True)[:2]) == [
        "other_loan_removed",
        "other_loan_added",
    ]


def test_read_only_roles_get_no_write_links(client, world, roster):
    client.force_login(world.inside.users["township_committee"])
    body = client.get(reverse("associations:member_detail", args=[roster["zhangsan"].pk]))
    assert reverse("associations:member_edit", args=[roster["zhangsan"].pk]) not in (
        body.content.decode()
    )
    assert client.get(reverse("associations:member_create")).status_code == 404
