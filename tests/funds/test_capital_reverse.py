"""A capital receipt is reversed through its own service (issue 9, "money only through its own
record"): the mirror entry sourced to the receipt, a reason, once, by who records capital in that
book's area; the generic reversal points there; the entry's page offers it with a confirmation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, journal_post, journal_reverse
from funds.models import CapitalContribution, EntryKind, JournalEntry, JournalLine
from funds.selectors import balances_by_key
from funds.services import capital_reversal, capital_reverse
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY
D = datetime.date


@pytest.fixture
def receipt(funded_book):
    # funded_book: 500,000 government capital into the bank (10 Jan), 3,000 into cash (12 Jan).
    return CapitalContribution.objects.get(book=funded_book, amount=Decimal("500000"))


def test_the_receipt_is_reversed_by_its_mirror_entry(funded_book, receipt, clerk):
    reversal = capital_reverse(receipt=receipt, by=clerk, reason="重复登记", on=D(2026, 6, 1))
    assert reversal.kind == EntryKind.REVERSAL
    assert reversal.reverses_id == receipt.entry_id
    assert (reversal.source_type, reversal.source_id) == ("funds.capitalcontribution", receipt.pk)
    assert "重复登记" in reversal.memo
    lines = {
        (line.account.key, line.debit, line.credit)
        for line in reversal.lines.select_related("account")
    }
    assert lines == {
        ("government_capital", Decimal("500000.00"), Decimal("0.00")),
        ("bank", Decimal("0.00"), Decimal("500000.00")),
    }
    balances = balances_by_key(book=funded_book)
    assert balances["bank"] == Decimal("0.00")
    assert balances["government_capital"] == Decimal("0.00")
    assert balances["cash"] == Decimal("3000.00")  # the other receipt stands
    assert capital_reversal(receipt) == reversal
    totals = [
        sum(line.debit - line.credit for line in JournalLine.objects.filter(book=funded_book))
    ]
    assert totals == [Decimal("0.00")]  # trial balance still zero


def test_a_reason_is_required_and_nothing_is_written(receipt, clerk):
    before = JournalEntry.objects.count()
    with pytest.raises(FundsRuleError) as raised:
        capital_reverse(receipt=receipt, by=clerk, reason="  ", on=D(2026, 6, 1))
    assert raised.value.code == "reason"
    assert str(raised.value.message) == "请填写冲销原因。"
    assert JournalEntry.objects.count() == before


def test_a_receipt_is_reversed_once(receipt, clerk):
    capital_reverse(receipt=receipt, by=clerk, reason="录错", on=D(2026, 6, 1))
    with pytest.raises(FundsRuleError) as raised:
        capital_reverse(receipt=receipt, by=clerk, reason="再次", on=D(2026, 6, 2))
    assert raised.value.code == "reversed"
    assert JournalEntry.objects.filter(reverses_id=receipt.entry_id).count() == 1


def test_money_already_spent_cannot_be_reversed(funded_book, receipt, clerk):
    journal_post(  # 200,000 of the capital went on to cash
        book=funded_book,
        date=D(2026, 2, 1),
        memo="提现",
        kind=EntryKind.OTHER,
        by=clerk,
        lines=[Dr("cash", Decimal("200000")), Cr("bank", Decimal("200000"))],
    )
    with pytest.raises(FundsRuleError) as raised:
        capital_reverse(receipt=receipt, by=clerk, reason="录错", on=D(2026, 6, 1))
    assert raised.value.code == "negative_cash"
    assert capital_reversal(receipt) is None


def test_a_reversal_is_not_dated_before_the_receipt(receipt, clerk):
    with pytest.raises(FundsRuleError) as raised:
        capital_reverse(receipt=receipt, by=clerk, reason="录错", on=D(2026, 1, 9))
    assert raised.value.code == "reverse_date"


def test_only_a_recorder_of_this_books_area_reverses(world, receipt):
    """Two roles in different areas: the clerk and the station of the other branch who also
    audit this county; and the board, committee and others of this village and township."""
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
            capital_reverse(receipt=receipt, by=by, reason="录错", on=D(2026, 6, 1))
        assert raised.value.code == "role", by
    assert capital_reversal(receipt) is None
    # The township's station (a recorder at an ancestor of the village) may.
    capital_reverse(
        receipt=receipt,
        by=world.inside.users[Role.TOWNSHIP_STATION],
        reason="录错",
        on=D(2026, 6, 1),
    )
    assert capital_reversal(receipt) is not None


def test_the_generic_reversal_points_at_the_receipts_own(world, receipt):
    station = world.inside.users[Role.TOWNSHIP_STATION]
    with pytest.raises(FundsRuleError) as raised:
        journal_reverse(entry=receipt.entry, by=station, reason="录错", date=D(2026, 6, 1))
    assert raised.value.code == "belongs_to_record"
    assert "冲销此笔资金收款" in str(raised.value.message)
    assert capital_reversal(receipt) is None


def _page(receipt):
    return reverse("funds:entry_detail", args=[receipt.book_id, receipt.entry_id])


def test_the_clerk_confirms_on_the_entry_page(client, world, receipt):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    page = client.get(_page(receipt)).content.decode()
    assert "冲销此笔资金收款" in page and "500,000.00" in page
    unconfirmed = client.post(_page(receipt), {"on": "2026-06-01", "reason": "录错"})
    assert "请勾选以确认冲销" in unconfirmed.content.decode()
    assert capital_reversal(receipt) is None
    done = client.post(_page(receipt), {"on": "2026-06-01", "reason": "录错", "confirm": "on"})
    reversal = capital_reversal(receipt)
    assert reversal is not None
    assert done["Location"] == reverse("funds:entry_detail", args=[receipt.book_id, reversal.pk])
    again = client.post(_page(receipt), {"on": "2026-06-02", "reason": "再次", "confirm": "on"})
    assert "该笔资金收款已被冲销" in again.content.decode()
    assert JournalEntry.objects.filter(reverses_id=receipt.entry_id).count() == 1


@pytest.mark.parametrize("who", ["board", "other_clerk"])
def test_the_page_refuses_others(client, world, receipt, who):
    user = (
        world.inside.users[Role.VILLAGE_BOARD]
        if who == "board"
        else world.outside.users[Role.VILLAGE_CLERK]
    )
    client.force_login(user)
    if who == "board":  # sees the receipt, is offered nothing
        assert "冲销此笔资金收款" not in client.get(_page(receipt)).content.decode()
    response = client.post(_page(receipt), {"on": "2026-06-01", "reason": "录错", "confirm": "on"})
    assert response.status_code == 404
    assert capital_reversal(receipt) is None
