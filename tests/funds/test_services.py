import datetime
from decimal import Decimal

import pytest

from associations.models import Role
from funds.exceptions import FundsRuleError
from funds.journal import book_for_association
from funds.models import (
    ApprovalStatus,
    ApproverLevel,
    CapitalSource,
    JournalEntry,
    Transfer,
    TransferKind,
)
from funds.selectors import (
    balances_by_key,
    bank_borrowing_projection,
    ledger_is_consistent,
    unreimbursed_advances,
)
from funds.services import (
    Split,
    capital_receive,
    expense_decide,
    expense_record,
    expense_reimburse,
    member_contribution_refund,
    surplus_decide,
    surplus_propose,
    surplus_shares,
    transfer_decide,
    transfer_request,
)
from tests import factories
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = ON_FUNDS_DAY

D = datetime.date


def test_capital_sources_post_to_their_accounts(book, clerk):
    for source, amount in [
        (CapitalSource.GOVERNMENT, "300000"),
        (CapitalSource.PAIRED_UNIT, "50000"),
        (CapitalSource.MEMBER, "8000"),
    ]:
        capital_receive(
            book=book,
            source=source,
            contributor="x",
            amount=Decimal(amount),
            received_on=D(2026, 1, 5),
            by=clerk,
        )
    capital_receive(
        book=book,
        source=CapitalSource.BANK_LOAN,
        contributor="甘肃农信",
        amount=Decimal("200000"),
        received_on=D(2026, 1, 5),
        by=clerk,
        annual_rate=Decimal("0.0435"),
        term_months=36,
        subsidy_rate=Decimal("0.03"),
    )
    balances = balances_by_key(book=book)
    assert balances["bank"] == Decimal("558000.00")
    assert balances["government_capital"] == Decimal("300000.00")
    assert balances["donated_capital"] == Decimal("50000.00")
    assert balances["member_contributions"] == Decimal("8000.00")
    assert balances["bank_borrowings"] == Decimal("200000.00")
    assert ledger_is_consistent(book=book)


def test_bank_loan_needs_its_terms(book, clerk):
    with pytest.raises(FundsRuleError) as raised:
        capital_receive(
            book=book,
            source=CapitalSource.BANK_LOAN,
            contributor="银行",
            amount=Decimal("1000"),
            received_on=D(2026, 1, 5),
            by=clerk,
        )
    assert raised.value.code == "bank_terms"
    assert not JournalEntry.objects.exists()


def test_projection_prorates_interest_and_subsidy(book, clerk):
    # 200,000 at 4.35 % from 2026-01-01 for 24 months, subsidy 3 %.
    capital_receive(
        book=book,
        source=CapitalSource.BANK_LOAN,
        contributor="银行",
        amount=Decimal("200000"),
        received_on=D(2026, 1, 1),
        by=clerk,
        annual_rate=Decimal("0.0435"),
        term_months=24,
        subsidy_rate=Decimal("0.03"),
    )
    years = bank_borrowing_projection(
        books=book.__class__.objects.filter(pk=book.pk), from_year=2026
    )
    # 2026: 365 days -> 200000*0.0435 = 8700.00 interest, 200000*0.03 = 6000.00 subsidy.
    assert (years[0].interest, years[0].subsidy) == (Decimal("8700.00"), Decimal("6000.00"))
    # 2027: 365 days again; 2028: matured on 2028-01-01, 0 days.
    assert years[1].interest == Decimal("8700.00")
    assert years[2].interest == Decimal("0.00") and len(years) == 5


def test_transfer_allocation_posts_both_books_after_four_eyes(world, pool, clerk):
    county = world.inside.users[Role.COUNTY_OFFICE]
    second = factories.user_with_role(Role.COUNTY_OFFICE, world.inside.county)
    capital_receive(
        book=pool,
        source=CapitalSource.GOVERNMENT,
        contributor="省财政",
        amount=Decimal("1000000"),
        received_on=D(2026, 1, 2),
        by=county,
    )
    target = book_for_association(world.inside.association)
    transfer = transfer_request(
        pool=pool,
        target=target,
        kind=TransferKind.ALLOCATE,
        amount=Decimal("400000"),
        on=D(2026, 2, 1),
        reason="按需分配",
        by=second,
    )
    with pytest.raises(FundsRuleError) as raised:
        transfer_decide(transfer=transfer, by=second, approve=True)
    assert raised.value.code == "four_eyes"
    with pytest.raises(FundsRuleError) as raised:
        transfer_decide(transfer=transfer, by=clerk, approve=True)
    assert raised.value.code == "office"
    transfer_decide(transfer=transfer, by=county, approve=True)
    assert balances_by_key(book=pool)["bank"] == Decimal("600000.00")
    assert balances_by_key(book=pool)["allocated_capital"] == Decimal("400000.00")
    assert balances_by_key(book=target)["government_capital"] == Decimal("400000.00")
    recall = transfer_request(
        pool=pool,
        target=target,
        kind=TransferKind.RECALL,
        amount=Decimal("400000.01"),
        on=D(2026, 3, 1),
        reason="闲置",
        by=second,
    )
    with pytest.raises(FundsRuleError) as raised:
        transfer_decide(transfer=recall, by=county, approve=True)
    assert raised.value.code == "negative_cash"
    assert Transfer.objects.get(pk=recall.pk).status == ApprovalStatus.REQUESTED


def test_transfer_to_an_association_outside_the_pool_is_refused(world, pool, clerk):
    outside = book_for_association(world.outside.association)
    with pytest.raises(FundsRuleError) as raised:
        transfer_request(
            pool=pool,
            target=outside,
            kind=TransferKind.ALLOCATE,
            amount=Decimal("1"),
            on=D(2026, 2, 1),
            reason="x",
            by=clerk,
        )
    assert raised.value.code == "outside_pool"


@pytest.mark.parametrize(
    ("amount", "level"),
    [
        ("200", ApproverLevel.FINANCE_OFFICER),
        ("200.01", ApproverLevel.CHAIR),
        ("1000", ApproverLevel.CHAIR),
        ("1000.01", ApproverLevel.BOARD),
    ],
)
def test_expense_approval_level_follows_the_thresholds(funded_book, clerk, amount, level):
    expense = expense_record(
        book=funded_book,
        category="office",
        payee="文具店",
        amount=Decimal(amount),
        spent_on=D(2026, 2, 1),
        by=clerk,
    )
    assert expense.approver_level == level


def test_expense_rules_four_eyes_and_level(world, funded_book, clerk, board):
    other_clerk = world.inside.users[Role.MEMBER]  # a member is no approver at all
    expense = expense_record(
        book=funded_book,
        category="travel",
        payee="县城往返",
        amount=Decimal("560"),
        spent_on=D(2026, 2, 1),
        by=clerk,
        advanced_by="王建国",
    )
    for who, code in [(clerk, "four_eyes"), (other_clerk, "approver_level")]:
        with pytest.raises(FundsRuleError) as raised:
            expense_decide(expense=expense, by=who, approve=True)
        assert raised.value.code == code
    assert not JournalEntry.objects.filter(kind="expense").exists()
    expense_decide(expense=expense, by=board, approve=True)
    assert balances_by_key(book=funded_book)["advances_payable"] == Decimal("560.00")
    assert balances_by_key(book=funded_book)["running_costs"] == Decimal("560.00")


def test_advances_are_listed_until_reimbursed(world, funded_book, clerk, board):
    expense = expense_record(
        book=funded_book,
        category="setup",
        payee="协会组建",
        amount=Decimal("1000"),
        spent_on=D(2026, 1, 20),
        by=clerk,
        advanced_by="李明华",
    )
    expense_decide(expense=expense, by=board, approve=True)
    county = world.inside.users[Role.COUNTY_OFFICE]
    rows = list(unreimbursed_advances(user=county))
    assert [(r["advanced_by"], r["total"]) for r in rows] == [("李明华", Decimal("1000.00"))]
    assert list(unreimbursed_advances(user=world.outside.users[Role.COUNTY_OFFICE])) == []
    expense_reimburse(expense=expense, on=D(2026, 2, 1), by=clerk)
    assert list(unreimbursed_advances(user=county)) == []
    assert balances_by_key(book=funded_book)["advances_payable"] == Decimal("0.00")
    assert balances_by_key(book=funded_book)["cash"] == Decimal("2000.00")
    with pytest.raises(FundsRuleError) as raised:
        expense_reimburse(expense=expense, on=D(2026, 2, 2), by=clerk)
    assert raised.value.code == "reimbursed"


def test_contribution_refund_cannot_overdraw_cash(world, funded_book, clerk):
    from funds.journal import Cr, Dr, journal_post
    from funds.services import member_contribution_receive

    household = factories.member(world.inside.association)
    member_contribution_receive(
        member=household, amount=Decimal("5000"), on=D(2026, 1, 5), by=clerk
    )
    cash = balances_by_key(book=funded_book)["cash"]
    journal_post(  # all but 4,999.99 of the cash goes to the bank
        book=funded_book,
        date=D(2026, 1, 6),
        kind="other",
        by=clerk,
        memo="存入银行",
        lines=[Dr("bank", cash - Decimal("4999.99")), Cr("cash", cash - Decimal("4999.99"))],
    )
    with pytest.raises(FundsRuleError) as raised:
        member_contribution_refund(
            member=household, amount=Decimal("5000"), on=D(2026, 2, 1), by=clerk
        )
    assert raised.value.code == "negative_cash"


def test_a_refund_never_exceeds_what_the_books_hold_for_the_household(world, funded_book, clerk):
    from funds.services import member_contribution_receive

    household = factories.member(world.inside.association)
    member_contribution_receive(member=household, amount=Decimal("200"), on=D(2026, 1, 5), by=clerk)
    with pytest.raises(FundsRuleError) as raised:
        member_contribution_refund(
            member=household, amount=Decimal("200.01"), on=D(2026, 2, 1), by=clerk
        )
    assert raised.value.code == "refund_exceeds"
    assert JournalEntry.objects.filter(kind="refund").count() == 0


def _income_year(book, clerk):
    from funds.journal import Cr, Dr, journal_post
    from funds.models import EntryKind

    journal_post(
        book=book,
        date=D(2025, 12, 20),
        memo="占用费",
        kind=EntryKind.REPAYMENT,
        by=clerk,
        lines=[Dr("cash", Decimal("12345.67")), Cr("usage_fee_income", Decimal("12345.67"))],
    )
    journal_post(
        book=book,
        date=D(2025, 12, 21),
        memo="办公",
        kind=EntryKind.EXPENSE,
        by=clerk,
        lines=[Dr("running_costs", Decimal("2345.66")), Cr("cash", Decimal("2345.66"))],
    )


def test_year_end_split_posts_and_closes_the_year(funded_book, clerk, board):
    _income_year(funded_book, clerk)
    allocation = surplus_propose(book=funded_book, year=2025, by=clerk)
    assert allocation.surplus == Decimal("10000.01")
    # 20 % = 2000.00; 10 % = 1000.00; 30 % = 3000.00; accumulation takes the rest 4000.01.
    assert dict(surplus_shares(allocation)) == {
        "accumulation": Decimal("4000.01"),
        "welfare": Decimal("2000.00"),
        "risk_reserve": Decimal("1000.00"),
        "running_cost_fund": Decimal("3000.00"),
    }
    with pytest.raises(FundsRuleError):
        surplus_decide(allocation=allocation, by=clerk, approve=True, on=D(2026, 1, 15))
    surplus_decide(allocation=allocation, by=board, approve=True, on=D(2026, 1, 15))
    balances = balances_by_key(book=funded_book)
    assert balances["usage_fee_income"] == balances["running_costs"] == Decimal("0.00")
    assert balances["accumulation"] == Decimal("4000.01")
    assert ledger_is_consistent(book=funded_book)
    with pytest.raises(FundsRuleError) as raised:
        surplus_propose(book=funded_book, year=2025, by=clerk)
    assert raised.value.code in ("allocated", "no_surplus")


@pytest.mark.parametrize(
    "split", [Split(4000, 2000, 1000, 2000, 0), Split(5000, 2000, 1000, 3000, -1000)]
)
def test_split_must_total_one_hundred(funded_book, clerk, split):
    _income_year(funded_book, clerk)
    with pytest.raises(FundsRuleError) as raised:
        surplus_propose(book=funded_book, year=2025, split=split, by=clerk)
    assert raised.value.code == "split_total"


def test_database_refuses_a_split_not_totalling_100(funded_book, clerk):
    from django.db import IntegrityError, transaction

    from funds.models import SurplusAllocation

    with pytest.raises(IntegrityError), transaction.atomic():
        SurplusAllocation.objects.create(
            book=funded_book,
            year=2020,
            surplus=Decimal("1"),
            accumulation_bp=4000,
            welfare_bp=2000,
            risk_reserve_bp=1000,
            running_costs_bp=2999,
            dividends_bp=0,
            proposed_by=clerk,
        )


def test_a_refund_called_directly_needs_a_recorder_of_the_village(world, funded_book, clerk):
    from funds.services import member_contribution_receive

    household = factories.member(world.inside.association)
    member_contribution_receive(member=household, amount=Decimal("200"), on=D(2026, 1, 5), by=clerk)
    for by in (world.inside.users["village_board"], world.outside.users["village_clerk"]):
        with pytest.raises(FundsRuleError) as raised:
            member_contribution_refund(
                member=household, amount=Decimal("200"), on=D(2026, 2, 1), by=by
            )
        assert raised.value.code == "role"
    assert JournalEntry.objects.filter(kind="refund").count() == 0
