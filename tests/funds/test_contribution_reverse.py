"""A member's contribution received by mistake is reversed through its own service (issue 9):
the mirror entry sourced to the household, a reason, once, by a recorder of the village; never
leaving the books holding less than was refunded; the generic reversal points there; the member
page's contribution lines lead to the entry page, which offers it with a confirmation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import book_for_association, journal_reverse
from funds.models import EntryKind, JournalEntry, JournalLine
from funds.selectors import balances_by_key
from funds.services import (
    member_contribution_held,
    member_contribution_receive,
    member_contribution_refund,
    member_contribution_reverse,
)
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY
D = datetime.date


@pytest.fixture
def member(world):
    return factories.member(world.inside.association, joined_on=D(2025, 1, 10))


@pytest.fixture
def entries(member, clerk):
    return [
        member_contribution_receive(member=member, amount=Decimal(a), on=D(2026, 2, 1), by=clerk)
        for a in ("500", "300")
    ]


def _reversal(entry):
    return JournalEntry.objects.filter(reverses=entry).first()


def test_the_mistaken_contribution_is_mirrored(world, member, entries, clerk):
    book = book_for_association(world.inside.association)
    assert member_contribution_held(member) == Decimal("800.00")
    reversal = member_contribution_reverse(
        entry=entries[1], by=clerk, reason="重复收款", on=D(2026, 6, 1)
    )
    assert reversal.kind == EntryKind.REVERSAL and reversal.reverses_id == entries[1].pk
    assert (reversal.source_type, reversal.source_id) == ("associations.member", member.pk)
    lines = {(ln.account.key, ln.debit, ln.credit) for ln in reversal.lines.all()}
    assert lines == {
        ("member_contributions", Decimal("300.00"), Decimal("0.00")),
        ("cash", Decimal("0.00"), Decimal("300.00")),
    }
    assert member_contribution_held(member) == Decimal("500.00")
    balances = balances_by_key(book=book)
    assert balances["cash"] == Decimal("500.00")
    assert balances["member_contributions"] == Decimal("500.00")
    assert sum(ln.debit - ln.credit for ln in JournalLine.objects.filter(book=book)) == 0


def test_never_below_what_was_refunded(member, entries, clerk):
    member_contribution_refund(member=member, amount=Decimal("600"), on=D(2026, 3, 1), by=clerk)
    assert member_contribution_held(member) == Decimal("200.00")
    for entry in entries:  # 500 or 300 back would leave less than the 600 refunded covers
        with pytest.raises(FundsRuleError) as raised:
            member_contribution_reverse(entry=entry, by=clerk, reason="录错", on=D(2026, 6, 1))
        assert raised.value.code == "refunded"
        assert "200.00" in str(raised.value.message)
    assert member_contribution_held(member) == Decimal("200.00")
    assert not JournalEntry.objects.filter(kind=EntryKind.REVERSAL).exists()


def test_a_reason_is_required_and_once_only(member, entries, clerk):
    with pytest.raises(FundsRuleError) as raised:
        member_contribution_reverse(entry=entries[0], by=clerk, reason=" ", on=D(2026, 6, 1))
    assert raised.value.code == "reason"
    assert str(raised.value.message) == "请填写冲销原因。"
    member_contribution_reverse(entry=entries[0], by=clerk, reason="录错", on=D(2026, 6, 1))
    with pytest.raises(FundsRuleError) as raised:
        member_contribution_reverse(entry=entries[0], by=clerk, reason="再次", on=D(2026, 6, 1))
    assert raised.value.code == "reversed"
    assert member_contribution_held(member) == Decimal("300.00")


def test_a_reversal_is_not_dated_before_the_receipt(entries, clerk):
    with pytest.raises(FundsRuleError) as raised:
        member_contribution_reverse(entry=entries[0], by=clerk, reason="录错", on=D(2026, 1, 31))
    assert raised.value.code == "reverse_date"


def test_only_a_recorder_of_the_village_reverses(world, member, entries):
    refused = [
        factories.role_assign_extra(world.outside.users[role], Role.AUDITOR, world.inside.county)
        for role in (Role.VILLAGE_CLERK, Role.TOWNSHIP_STATION)
    ]
    refused.append(
        factories.role_assign_extra(
            world.inside.users[Role.VILLAGE_BOARD], Role.VILLAGE_CLERK, world.outside.village
        )
    )
    refused += [
        world.inside.users[role]
        for role in (Role.TOWNSHIP_COMMITTEE, Role.COUNTY_OFFICE, Role.AUDITOR, Role.MEMBER)
    ]
    for by in refused:
        with pytest.raises(FundsRuleError) as raised:
            member_contribution_reverse(entry=entries[0], by=by, reason="录错", on=D(2026, 6, 1))
        assert raised.value.code == "role", by
    assert _reversal(entries[0]) is None
    member_contribution_reverse(
        entry=entries[0],
        by=world.inside.users[Role.TOWNSHIP_STATION],
        reason="录错",
        on=D(2026, 6, 1),
    )
    assert member_contribution_held(member) == Decimal("300.00")


def test_the_generic_reversal_points_at_the_contributions_own(entries, board):
    with pytest.raises(FundsRuleError) as raised:
        journal_reverse(entry=entries[0], by=board, reason="录错", date=D(2026, 6, 1))
    assert raised.value.code == "belongs_to_record"
    assert "冲销此笔缴款" in str(raised.value.message)
    assert _reversal(entries[0]) is None


def _page(entry):
    return reverse("funds:entry_detail", args=[entry.book_id, entry.pk])


def test_the_member_page_leads_to_the_confirmation(client, world, member, entries):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    member_page = reverse("associations:member_detail", args=[member.pk])
    lines = client.get(member_page).content.decode()
    assert _page(entries[0]) in lines and _page(entries[1]) in lines
    assert "冲销此笔缴款" in lines
    page = client.get(_page(entries[1])).content.decode()
    assert "冲销此笔缴款" in page and member.name in page and "300.00" in page
    unconfirmed = client.post(_page(entries[1]), {"on": "2026-06-01", "reason": "录错"})
    assert "请勾选以确认冲销" in unconfirmed.content.decode()
    assert _reversal(entries[1]) is None
    data = {"on": "2026-06-01", "reason": "录错", "confirm": "on"}
    done = client.post(_page(entries[1]), data)
    reversal = _reversal(entries[1])
    assert reversal is not None
    assert done["Location"] == _page(reversal)
    again = client.post(_page(entries[1]), data)  # the same form sent twice: written once
    assert "该笔缴款已被冲销" in again.content.decode()
    assert JournalEntry.objects.filter(reverses=entries[1]).count() == 1
    assert member_contribution_held(member) == Decimal("500.00")
    assert "已冲销" in client.get(member_page).content.decode()


@pytest.mark.parametrize("who", ["board", "other_clerk"])
def test_the_pages_refuse_others(client, world, member, entries, who):
    user = (
        world.inside.users[Role.VILLAGE_BOARD]
        if who == "board"
        else world.outside.users[Role.VILLAGE_CLERK]
    )
    client.force_login(user)
    if who == "board":  # sees the household and its lines, is offered no reversal
        lines = client.get(reverse("associations:member_detail", args=[member.pk]))
        assert _page(entries[0]) in lines.content.decode()
        assert "冲销此笔缴款" not in lines.content.decode()
        assert 'name="confirm"' not in client.get(_page(entries[0])).content.decode()
    data = {"on": "2026-06-01", "reason": "录错", "confirm": "on"}
    response = client.post(_page(entries[0]), data)
    assert response.status_code == 404
    assert _reversal(entries[0]) is None
