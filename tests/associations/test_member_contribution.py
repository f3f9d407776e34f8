"""A household's contribution is the books' figure (issue 9 item 2, issue 13 item 6): received
from the member page through `funds.services.member_contribution_receive`, one balanced entry,
shown on the page; never typed in the member form; the refund never exceeds it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.exceptions import MemberRuleError
from associations.forms import MemberForm
from associations.models import Member, Role
from associations.services.members import contribution_receive, member_exit
from funds.exceptions import FundsRuleError
from funds.models import EntryKind, JournalEntry
from funds.services import member_contribution_held, member_contribution_refund
from tests import factories

pytestmark = pytest.mark.today(datetime.datetime(2026, 6, 15, 10, 0))
D = datetime.date


@pytest.fixture
def member(world):
    return factories.member(world.inside.association, name="马福海", joined_on=D(2024, 3, 1))


def _detail(member):
    return reverse("associations:member_detail", args=[member.pk])


def _receive(member):
    return reverse("associations:member_contribution", args=[member.pk])


def _post(client, member, key="contribution-1", **changes):
    data = {"amount": "350.50", "on": "2026-06-01", "idempotency_key": key}
    data.update(changes)
    return client.post(_receive(member), data)


def test_the_member_form_has_no_typed_contribution(world):
    form = MemberForm(association=world.inside.association)
    assert not any("contribution" in name for name in form.fields)
    assert not any(f.name == "contribution_paid" for f in Member._meta.get_fields())


def test_the_clerk_receives_it_on_the_member_page(client, world, member):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    page = client.get(_detail(member)).content.decode()
    assert "收取股金/互助金" in page and "账上股金/互助金" in page
    response = _post(client, member)
    assert response.status_code == 302
    entry = JournalEntry.objects.get(kind=EntryKind.CONTRIBUTION)
    assert (entry.source_type, entry.source_id) == ("associations.member", member.pk)
    lines = {(line.account.key, line.debit, line.credit) for line in entry.lines.all()}
    assert lines == {
        ("cash", Decimal("350.50"), Decimal("0.00")),
        ("member_contributions", Decimal("0.00"), Decimal("350.50")),
    }
    assert member_contribution_held(member) == Decimal("350.50")
    shown = client.get(_detail(member)).content.decode()
    assert "350.50" in shown
    assert "账上现有 350.50 元" in shown  # the success message names the books' figure
    event = member.events.get(kind="contribution")
    assert event.by == world.inside.users[Role.VILLAGE_CLERK]
    assert "350.50" in event.note and f"#{entry.pk}" in event.note


def test_double_submit_writes_once(client, world, member):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    first = _post(client, member, key="same-key")
    second = _post(client, member, key="same-key")
    assert first.status_code == second.status_code == 302
    assert JournalEntry.objects.filter(kind=EntryKind.CONTRIBUTION).count() == 1
    assert member_contribution_held(member) == Decimal("350.50")
    page = client.get(_detail(member)).content.decode()
    assert "此表单已经提交过" in page  # the second submit is shown the first


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "请输入以元为单位的金额"),
        ("1.005", "两位小数"),
        ("-5", ""),
        ("0", "金额必须大于零"),
        ("NaN", ""),
        ("1e400", ""),
    ],
)
def test_bad_amounts_give_a_message_and_write_nothing(client, world, member, amount, message):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    response = _post(client, member, amount=amount)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'class="error"' in body or 'role="alert"' in body
    assert not JournalEntry.objects.exists()


def test_a_future_date_is_refused(client, world, member):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    response = _post(client, member, on="2026-07-01")
    assert response.status_code == 200
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("who", ["board", "other_clerk", "committee", "member"])
def test_others_are_refused_and_offered_nothing(client, world, member, who):
    user = {
        "board": world.inside.users[Role.VILLAGE_BOARD],
        "other_clerk": world.outside.users[Role.VILLAGE_CLERK],
        "committee": world.inside.users[Role.TOWNSHIP_COMMITTEE],
        "member": world.inside.users[Role.MEMBER],
    }[who]
    client.force_login(user)
    page = client.get(_detail(member))
    assert "收取股金/互助金" not in page.content.decode()
    assert _post(client, member).status_code == 404
    assert not JournalEntry.objects.exists()


def test_the_service_refuses_a_role_held_elsewhere(world, member):
    """The other village's clerk who also audits this county; this village's board member who
    is also the clerk of the other village."""
    refused = [
        factories.role_assign_extra(
            world.outside.users[Role.VILLAGE_CLERK], Role.AUDITOR, world.inside.county
        ),
        factories.role_assign_extra(
            world.inside.users[Role.VILLAGE_BOARD], Role.VILLAGE_CLERK, world.outside.village
        ),
    ]
    for by in refused:
        with pytest.raises(MemberRuleError) as raised:
            contribution_receive(member=member, amount=Decimal("100"), on=D(2026, 6, 1), by=by)
        assert raised.value.code == "role"
    assert not JournalEntry.objects.exists()


def test_an_exited_household_pays_nothing_more(world, member):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    member_exit(member=member, by=clerk, on=D(2026, 6, 1), reason="迁出", refund=False)
    with pytest.raises(MemberRuleError) as raised:
        contribution_receive(member=member, amount=Decimal("100"), on=D(2026, 6, 2), by=clerk)
    assert raised.value.code == "member_exited"
    assert not JournalEntry.objects.exists()


def test_the_refund_never_exceeds_what_the_books_hold(world, member):
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    contribution_receive(member=member, amount=Decimal("300"), on=D(2024, 3, 1), by=clerk)
    with pytest.raises(FundsRuleError) as raised:
        member_contribution_refund(
            member=member, amount=Decimal("300.01"), on=D(2026, 6, 1), by=clerk
        )
    assert raised.value.code == "refund_exceeds"
    exited = member_exit(member=member, by=clerk, on=D(2026, 6, 1), reason="迁出")
    assert exited.refund_amount == Decimal("300.00")
    assert member_contribution_held(member) == Decimal("0.00")


def test_the_roster_export_shows_the_books_figure(world, member):
    from associations.services.member_import import EXPORT_ONLY, member_export
    from tests.xlsx import read

    clerk = world.inside.users[Role.VILLAGE_CLERK]
    other = factories.member(world.inside.association, name="王建国")
    contribution_receive(member=member, amount=Decimal("300"), on=D(2024, 3, 1), by=clerk)
    contribution_receive(member=member, amount=Decimal("50.50"), on=D(2025, 3, 1), by=clerk)
    rows = read(member_export(members=Member.objects.all(), viewer=clerk, full_id_numbers=False))
    column = rows[0].index(EXPORT_ONLY["contribution"])
    figures = {row[0]: Decimal(str(row[column])) for row in rows[1:]}
    assert figures == {member.name: Decimal("350.50"), other.name: Decimal("0")}
