"""An expense is reversed through its own service (issue 9, "money only through its own
record"): the mirror entries sourced to the expense (a reimbursed advance's reimbursement too), a
reason, once, by who records expenses in the book's area; the generic reversal points there; the
entry's page offers it with a confirmation and the expense reads as reversed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import journal_reverse
from funds.models import EntryKind, Expense, ExpenseCategory, JournalEntry, JournalLine
from funds.selectors import balances_by_key, unreimbursed_advances
from funds.services import (
    expense_decide,
    expense_record,
    expense_reimburse,
    expense_reversal,
    expense_reverse,
)
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY
D = datetime.date


def _expense(book, clerk, board, amount="800", advanced_by="") -> Expense:
    expense = expense_record(
        book=book,
        category=ExpenseCategory.OFFICE,
        payee="文具店",
        amount=Decimal(amount),
        spent_on=D(2026, 3, 2),
        by=clerk,
        advanced_by=advanced_by,
    )
    return expense_decide(expense=expense, by=board, approve=True)


@pytest.fixture
def expense(funded_book, clerk, board):
    # Paid by the fund out of the 3,000 cash: Dr running costs 800 / Cr cash 800.
    return _expense(funded_book, clerk, board)


def _trial_balance_is_zero(book) -> bool:
    return sum(line.debit - line.credit for line in JournalLine.objects.filter(book=book)) == 0


def test_a_paid_expense_is_reversed_by_its_mirror_entry(funded_book, expense, clerk):
    assert balances_by_key(book=funded_book)["cash"] == Decimal("2200.00")
    reversal = expense_reverse(expense=expense, by=clerk, reason="重复报销", on=D(2026, 6, 1))
    assert reversal.kind == EntryKind.REVERSAL
    assert reversal.reverses_id == expense.entry_id
    assert (reversal.source_type, reversal.source_id) == ("funds.expense", expense.pk)
    assert "重复报销" in reversal.memo
    lines = {(ln.account.key, ln.debit, ln.credit) for ln in reversal.lines.all()}
    assert lines == {
        ("cash", Decimal("800.00"), Decimal("0.00")),
        ("running_costs", Decimal("0.00"), Decimal("800.00")),
    }
    balances = balances_by_key(book=funded_book)
    assert balances["cash"] == Decimal("3000.00")
    assert balances["running_costs"] == Decimal("0.00")
    assert expense_reversal(expense) == reversal
    assert _trial_balance_is_zero(funded_book)


def test_a_reimbursed_advance_reverses_its_reimbursement_too(funded_book, clerk, board):
    advance = _expense(funded_book, clerk, board, amount="150", advanced_by="王会计")
    advance = expense_reimburse(expense=advance, by=clerk, on=D(2026, 3, 10))
    assert balances_by_key(book=funded_book)["cash"] == Decimal("2850.00")
    expense_reverse(expense=advance, by=clerk, reason="记错账套", on=D(2026, 6, 1))
    reversals = JournalEntry.objects.filter(kind=EntryKind.REVERSAL, source_id=advance.pk)
    assert {r.reverses_id for r in reversals} == {
        advance.entry_id,
        advance.reimbursement_entry_id,
    }
    balances = balances_by_key(book=funded_book)
    assert balances["cash"] == Decimal("3000.00")
    assert balances["advances_payable"] == Decimal("0.00")
    assert balances["running_costs"] == Decimal("0.00")
    assert _trial_balance_is_zero(funded_book)


def test_a_reversed_advance_is_owed_no_more(world, funded_book, clerk, board):
    advance = _expense(funded_book, clerk, board, amount="150", advanced_by="王会计")
    county = world.inside.users[Role.COUNTY_OFFICE]
    assert [row["total"] for row in unreimbursed_advances(user=county)] == [Decimal("150.00")]
    expense_reverse(expense=advance, by=clerk, reason="未发生", on=D(2026, 6, 1))
    assert balances_by_key(book=funded_book)["advances_payable"] == Decimal("0.00")
    assert list(unreimbursed_advances(user=county)) == []
    with pytest.raises(FundsRuleError) as raised:
        expense_reimburse(expense=advance, by=clerk, on=D(2026, 6, 2))
    assert raised.value.code == "expense_reversed"


def test_the_indicators_count_a_reversed_advance_no_more(world, funded_book, clerk, board):
    from reports.selectors.indicators import area_figures

    advance = _expense(funded_book, clerk, board, amount="150", advanced_by="王会计")
    village = world.inside.village

    def owed() -> Decimal:
        return area_figures(
            area=village, on=D(2026, 6, 15), start=D(2026, 1, 1)
        ).unreimbursed_advances

    assert owed() == Decimal("150.00")
    expense_reverse(expense=advance, by=clerk, reason="未发生", on=D(2026, 6, 1))
    assert owed() == Decimal("0")


def test_a_reason_is_required_and_nothing_is_written(expense, clerk):
    before = JournalEntry.objects.count()
    with pytest.raises(FundsRuleError) as raised:
        expense_reverse(expense=expense, by=clerk, reason=" ", on=D(2026, 6, 1))
    assert raised.value.code == "reason"
    assert str(raised.value.message) == "请填写冲销原因。"
    assert JournalEntry.objects.count() == before


def test_an_expense_is_reversed_once(expense, clerk):
    expense_reverse(expense=expense, by=clerk, reason="录错", on=D(2026, 6, 1))
    with pytest.raises(FundsRuleError) as raised:
        expense_reverse(expense=expense, by=clerk, reason="再次", on=D(2026, 6, 2))
    assert raised.value.code == "reversed"
    assert JournalEntry.objects.filter(reverses_id=expense.entry_id).count() == 1


def test_the_date_is_not_before_the_entry_nor_in_a_closed_month(funded_book, expense, clerk):
    with pytest.raises(FundsRuleError) as raised:
        expense_reverse(expense=expense, by=clerk, reason="录错", on=D(2026, 3, 1))
    assert raised.value.code == "reverse_date"
    funded_book.closed_through = D(2026, 4, 30)
    funded_book.save(update_fields=["closed_through"])
    with pytest.raises(FundsRuleError) as raised:
        expense_reverse(expense=expense, by=clerk, reason="录错", on=D(2026, 4, 2))
    assert raised.value.code == "closed_month"
    assert expense_reversal(expense) is None


def test_an_undecided_expense_is_not_reversed(funded_book, clerk):
    pending = expense_record(
        book=funded_book,
        category=ExpenseCategory.OFFICE,
        payee="文具店",
        amount=Decimal("80"),
        spent_on=D(2026, 3, 2),
        by=clerk,
    )
    with pytest.raises(FundsRuleError) as raised:
        expense_reverse(expense=pending, by=clerk, reason="录错", on=D(2026, 6, 1))
    assert raised.value.code == "not_approved"


def test_only_a_recorder_of_this_books_area_reverses(world, expense):
    """Two roles in different areas: the clerk and the station of the other branch who also
    audit this county; the board of this village who is also a clerk elsewhere; and the
    others of this village, township and county."""
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
            expense_reverse(expense=expense, by=by, reason="录错", on=D(2026, 6, 1))
        assert raised.value.code == "role", by
    assert expense_reversal(expense) is None
    station = world.inside.users[Role.TOWNSHIP_STATION]
    expense_reverse(expense=expense, by=station, reason="录错", on=D(2026, 6, 1))
    assert expense_reversal(expense) is not None


def test_the_generic_reversal_points_at_the_expenses_own(expense, board):
    with pytest.raises(FundsRuleError) as raised:
        journal_reverse(entry=expense.entry, by=board, reason="录错", date=D(2026, 6, 1))
    assert raised.value.code == "belongs_to_record"
    assert "冲销此笔费用" in str(raised.value.message)
    assert expense_reversal(expense) is None


def _page(expense):
    return reverse("funds:entry_detail", args=[expense.book_id, expense.entry_id])


def test_the_clerk_confirms_on_the_entry_page(client, world, expense):
    client.force_login(world.inside.users[Role.VILLAGE_CLERK])
    listing = reverse("funds:expense_list", args=[expense.book_id])
    assert _page(expense) in client.get(listing).content.decode()
    page = client.get(_page(expense)).content.decode()
    assert "冲销此笔费用" in page and "800.00" in page
    unconfirmed = client.post(_page(expense), {"on": "2026-06-01", "reason": "录错"})
    assert "请勾选以确认冲销" in unconfirmed.content.decode()
    assert expense_reversal(expense) is None
    data = {"on": "2026-06-01", "reason": "录错", "confirm": "on"}
    done = client.post(_page(expense), data)
    reversal = expense_reversal(expense)
    assert reversal is not None
    assert done["Location"] == reverse("funds:entry_detail", args=[expense.book_id, reversal.pk])
    again = client.post(_page(expense), data)  # the same form sent twice: written once
    assert "该笔费用已被冲销" in again.content.decode()
    assert JournalEntry.objects.filter(reverses_id=expense.entry_id).count() == 1
    assert "已冲销" in client.get(listing).content.decode()


@pytest.mark.parametrize("who", ["board", "other_clerk"])
def test_the_page_refuses_others(client, world, expense, who):
    user = (
        world.inside.users[Role.VILLAGE_BOARD]
        if who == "board"
        else world.outside.users[Role.VILLAGE_CLERK]
    )
    client.force_login(user)
    if who == "board":  # sees the expense, is offered nothing, is told who reverses
        page = client.get(_page(expense)).content.decode()
        assert 'name="confirm"' not in page
        assert "记账" in page
    response = client.post(_page(expense), {"on": "2026-06-01", "reason": "录错", "confirm": "on"})
    assert response.status_code == 404
    assert expense_reversal(expense) is None
