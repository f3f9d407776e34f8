"""A transfer is reversed through its own service (issue 9, "money only through its own
record"): the mirror entries in the pool's books and in the association's, in one transaction,
by the office that decides the pool's transfers; refused while the receiving book no longer holds
the money; once; the generic reversal points there; the entry's page offers it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import Cr, Dr, book_for_association, journal_post, journal_reverse
from funds.models import CapitalSource, EntryKind, JournalEntry, JournalLine, TransferKind
from funds.selectors import balances_by_key
from funds.services import (
    capital_receive,
    transfer_decide,
    transfer_request,
    transfer_reversal,
    transfer_reverse,
)
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY
D = datetime.date


@pytest.fixture
def county(world):
    return world.inside.users[Role.COUNTY_OFFICE]


@pytest.fixture
def target(world):
    return book_for_association(world.inside.association)


FEB_1 = D(2026, 2, 1)


def _transfer(pool, target, county, kind=TransferKind.ALLOCATE, amount="400000", on=FEB_1):
    second = factories.user_with_role(Role.COUNTY_OFFICE, pool.area)
    transfer = transfer_request(
        pool=pool,
        target=target,
        kind=kind,
        amount=Decimal(amount),
        on=on,
        reason="按需分配",
        by=second,
    )
    return transfer_decide(transfer=transfer, by=county, approve=True)


@pytest.fixture
def transfer(pool, target, county):
    capital_receive(
        book=pool,
        source=CapitalSource.GOVERNMENT,
        contributor="省财政",
        amount=Decimal("1000000"),
        received_on=D(2026, 1, 2),
        by=county,
    )
    return _transfer(pool, target, county)


def _zero(book) -> bool:
    return sum(line.debit - line.credit for line in JournalLine.objects.filter(book=book)) == 0


def test_both_books_get_their_mirror_entries(pool, target, transfer, county):
    assert balances_by_key(book=target)["bank"] == Decimal("400000.00")
    reversal = transfer_reverse(transfer=transfer, by=county, reason="拨错村", on=D(2026, 6, 1))
    assert reversal.book_id == pool.pk and reversal.reverses_id == transfer.pool_entry_id
    mirrors = JournalEntry.objects.filter(kind=EntryKind.REVERSAL, source_id=transfer.pk)
    assert {(m.book_id, m.reverses_id) for m in mirrors} == {
        (pool.pk, transfer.pool_entry_id),
        (target.pk, transfer.target_entry_id),
    }
    assert all(m.source_type == "funds.transfer" and "拨错村" in m.memo for m in mirrors)
    pool_balances, target_balances = balances_by_key(book=pool), balances_by_key(book=target)
    assert pool_balances["bank"] == Decimal("1000000.00")
    assert pool_balances["allocated_capital"] == Decimal("0.00")
    assert target_balances["bank"] == Decimal("0.00")
    assert target_balances["government_capital"] == Decimal("0.00")
    assert _zero(pool) and _zero(target)
    assert transfer_reversal(transfer) == reversal


def test_a_recall_is_reversed_back_to_the_association(pool, target, transfer, county):
    recall = _transfer(pool, target, county, TransferKind.RECALL, "100000", D(2026, 3, 1))
    transfer_reverse(transfer=recall, by=county, reason="误收回", on=D(2026, 6, 1))
    assert balances_by_key(book=target)["bank"] == Decimal("400000.00")
    assert balances_by_key(book=pool)["bank"] == Decimal("600000.00")
    assert balances_by_key(book=pool)["allocated_capital"] == Decimal("400000.00")


def test_refused_when_the_association_no_longer_holds_the_money(target, transfer, county, world):
    journal_post(  # 100,000 of the allocation already went to cash (and on to loans)
        book=target,
        date=D(2026, 3, 1),
        memo="提现",
        kind=EntryKind.OTHER,
        by=world.inside.users[Role.VILLAGE_CLERK],
        lines=[Dr("cash", Decimal("100000")), Cr("bank", Decimal("100000"))],
    )
    before = JournalEntry.objects.count()
    with pytest.raises(FundsRuleError) as raised:
        transfer_reverse(transfer=transfer, by=county, reason="拨错村", on=D(2026, 6, 1))
    assert raised.value.code == "negative_cash"
    assert target.name in str(raised.value.message)
    assert "400,000.00" in str(raised.value.message)
    assert JournalEntry.objects.count() == before  # neither book was written
    assert transfer_reversal(transfer) is None


def test_a_reason_is_required_and_a_transfer_is_reversed_once(transfer, county):
    with pytest.raises(FundsRuleError) as raised:
        transfer_reverse(transfer=transfer, by=county, reason="", on=D(2026, 6, 1))
    assert raised.value.code == "reason"
    assert str(raised.value.message) == "请填写冲销原因。"
    transfer_reverse(transfer=transfer, by=county, reason="录错", on=D(2026, 6, 1))
    with pytest.raises(FundsRuleError) as raised:
        transfer_reverse(transfer=transfer, by=county, reason="再次", on=D(2026, 6, 2))
    assert raised.value.code == "reversed"
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 2


def test_a_reversal_is_not_dated_before_the_transfer(transfer, county):
    with pytest.raises(FundsRuleError) as raised:
        transfer_reverse(transfer=transfer, by=county, reason="录错", on=D(2026, 1, 31))
    assert raised.value.code == "reverse_date"


def test_only_the_office_deciding_the_pool_reverses(world, transfer):
    """Two roles in different areas: the other branch's county office who also audits this
    county, and this village's clerk who is also a county office elsewhere; and this branch's
    village, township and audit roles."""
    refused = [
        factories.role_assign_extra(
            world.outside.users[Role.COUNTY_OFFICE], Role.AUDITOR, world.inside.county
        ),
        factories.role_assign_extra(
            world.inside.users[Role.VILLAGE_CLERK], Role.COUNTY_OFFICE, world.outside.county
        ),
    ]
    refused += [
        world.inside.users[role]
        for role in (Role.VILLAGE_BOARD, Role.TOWNSHIP_STATION, Role.AUDITOR, Role.MEMBER)
    ]
    for by in refused:
        with pytest.raises(FundsRuleError) as raised:
            transfer_reverse(transfer=transfer, by=by, reason="录错", on=D(2026, 6, 1))
        assert raised.value.code == "role", by
    assert transfer_reversal(transfer) is None
    # The city office above the county supervises its pool: it may.
    transfer_reverse(
        transfer=transfer, by=world.inside.users[Role.CITY_OFFICE], reason="录错", on=D(2026, 6, 1)
    )
    assert transfer_reversal(transfer) is not None


def test_the_generic_reversal_points_at_the_transfers_own(world, transfer):
    station = world.inside.users[Role.TOWNSHIP_STATION]
    with pytest.raises(FundsRuleError) as raised:
        journal_reverse(entry=transfer.target_entry, by=station, reason="录错", date=D(2026, 6, 1))
    assert raised.value.code == "belongs_to_record"
    assert "冲销此笔调拨" in str(raised.value.message)
    assert transfer_reversal(transfer) is None


def _page(book_id, entry_id):
    return reverse("funds:entry_detail", args=[book_id, entry_id])


def test_the_office_confirms_on_the_entry_page(client, pool, target, transfer, county):
    client.force_login(county)
    listing = client.get(reverse("funds:transfers", args=[pool.pk])).content.decode()
    page_url = _page(pool.pk, transfer.pool_entry_id)
    assert page_url in listing and "冲销此笔调拨" in listing
    page = client.get(page_url).content.decode()
    assert "冲销此笔调拨" in page and "400,000.00" in page
    unconfirmed = client.post(page_url, {"on": "2026-06-01", "reason": "录错"})
    assert "请勾选以确认冲销" in unconfirmed.content.decode()
    assert transfer_reversal(transfer) is None
    data = {"on": "2026-06-01", "reason": "录错", "confirm": "on"}
    done = client.post(page_url, data)
    reversal = transfer_reversal(transfer)
    assert reversal is not None
    assert done["Location"] == _page(pool.pk, reversal.pk)
    again = client.post(page_url, data)  # the same form sent twice: written once
    assert "该笔调拨已被冲销" in again.content.decode()
    assert JournalEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 2
    listing = client.get(reverse("funds:transfers", args=[pool.pk])).content.decode()
    assert "已冲销" in listing


@pytest.mark.parametrize("who", ["board", "other_office"])
def test_the_page_refuses_others(client, world, target, transfer, who):
    user = (
        world.inside.users[Role.VILLAGE_BOARD]
        if who == "board"
        else world.outside.users[Role.COUNTY_OFFICE]
    )
    client.force_login(user)
    page_url = _page(target.pk, transfer.target_entry_id)
    if who == "board":  # sees the village's side, is offered nothing
        assert 'name="confirm"' not in client.get(page_url).content.decode()
    response = client.post(page_url, {"on": "2026-06-01", "reason": "录错", "confirm": "on"})
    assert response.status_code == 404
    assert transfer_reversal(transfer) is None
