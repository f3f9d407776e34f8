"""A member's exit posts the refund through the books, and a group member cannot just leave."""

import datetime
from decimal import Decimal

import pytest

from associations.exceptions import MemberRuleError
from associations.models import Member
from associations.services.members import member_exit
from funds.journal import book_for_association
from funds.models import EntryKind, JournalEntry
from funds.selectors import balances_by_key
from funds.services import member_contribution_receive
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY

JOINED = datetime.date(2025, 1, 10)


@pytest.fixture
def member(world):
    member = factories.member(world.inside.association, joined_on=JOINED)
    member_contribution_receive(
        member=member,
        amount=Decimal("800.00"),
        on=JOINED,
        by=factories.clerk_of(member.association),
    )
    return member


def test_exit_posts_the_refund_in_the_same_transaction(world, member, clerk):
    member_exit(member=member, by=clerk, on=datetime.date(2026, 2, 1), reason="外出务工")
    book = book_for_association(world.inside.association)
    entry = JournalEntry.objects.get(kind=EntryKind.REFUND)
    assert (entry.source_type, entry.source_id) == ("associations.member", member.pk)
    balances = balances_by_key(book=book)
    assert balances["cash"] == Decimal("0.00")
    assert balances["member_contributions"] == Decimal("0.00")


def test_refund_without_cash_writes_nothing(world, member, clerk):
    from funds.journal import Cr, Dr, journal_post

    # The 800 the household paid went on to the bank: the cash box cannot pay it back.
    journal_post(
        book=book_for_association(world.inside.association),
        date=datetime.date(2025, 2, 1),
        kind=EntryKind.OTHER,
        by=clerk,
        memo="存入银行",
        lines=[Dr("bank", Decimal("800.00")), Cr("cash", Decimal("800.00"))],
    )
    with pytest.raises(MemberRuleError) as raised:
        member_exit(member=member, by=clerk, on=datetime.date(2026, 2, 1), reason="迁出")
    assert raised.value.code == "negative_cash"
    assert Member.objects.get(pk=member.pk).status == "active"
    assert not JournalEntry.objects.filter(kind=EntryKind.REFUND).exists()


def test_the_refund_is_what_the_books_hold_not_the_roster_figure(world, clerk):
    # Only 300 ever reached the books (the roster has no typed figure): 300 is refunded.
    household = factories.member(world.inside.association, joined_on=JOINED)
    member_contribution_receive(member=household, amount=Decimal("300.00"), on=JOINED, by=clerk)
    member_exit(member=household, by=clerk, on=datetime.date(2026, 2, 1), reason="迁出")
    household.refresh_from_db()
    assert household.refund_amount == Decimal("300.00")
    refund = JournalEntry.objects.get(kind=EntryKind.REFUND)
    assert refund.lines.get(account__key="cash").credit == Decimal("300.00")


def test_a_household_in_an_active_group_cannot_exit(world, member, clerk):
    from guarantees.services import group_form

    leaders = [factories.member(world.inside.association, is_party_member=True)]
    households = [member] + [factories.member(world.inside.association) for _ in range(2)]
    group_form(
        association=world.inside.association,
        name="一组",
        leaders=leaders,
        households=households,
        formed_on=datetime.date(2026, 1, 5),
        by=clerk,
    )
    with pytest.raises(MemberRuleError) as raised:
        member_exit(member=member, by=clerk, on=datetime.date(2026, 2, 1), reason="迁出")
    assert raised.value.code == "exit_guard" and "一组" in raised.value.message
    assert not JournalEntry.objects.filter(kind=EntryKind.REFUND).exists()
