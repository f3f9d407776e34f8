"""Who may act on a loan is decided in the services, at the loan's area (DESIGN §3).

Each loan service is called directly, as a task or the shell would, by two kinds of users who
must be refused: one who holds the right role in another county and also audits this county
(the two-role hole of issue 9), and one of this village who holds another role. Nothing is
written; the page offers nothing to either.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from associations.models import Role
from loans.exceptions import LoanRuleError
from loans.models import Loan, LoanTransition, Repayment, WriteOff
from loans.services import applications, money
from loans.services.policy import policy_save
from loans.workflow import ACTIONS, offered_actions
from tests import factories
from tests.loans.conftest import apply_for, to_ready

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, 0), tick=False) as traveller:
        yield traveller


def _outsiders(world, action: str):
    """For each role the action needs: that role's user of the other city, who also audits
    this county; and this village's users of every role the action does not accept."""
    two_role = []
    for role in ACTIONS[action].roles:
        user = world.outside.users[role]
        two_role.append(factories.role_assign_extra(user, Role.AUDITOR, world.inside.county))
    wrong_here = [
        user for role, user in world.inside.users.items() if role not in ACTIONS[action].roles
    ]
    return two_role + wrong_here


def _at(world, book, borrower, group, users, purposes, stage: str) -> Loan:
    loan = apply_for(world, borrower, group, users, purposes)
    if stage in ("ready", "lent"):
        loan = to_ready(loan, users)
        if stage == "lent":
            money.loan_disburse(loan=loan, by=users[Role.TOWNSHIP_STATION], on=D(2026, 1, 15))
        return Loan.objects.get(pk=loan.pk)
    steps = [
        ("submitted", lambda: applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])),
        (
            "board_reviewed",
            lambda: applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD]),
        ),
        (
            "in_notice",
            lambda: applications.loan_approve(
                loan=loan, by=users[Role.TOWNSHIP_COMMITTEE], on=D(2026, 1, 10)
            ),
        ),
    ]
    for reached, step in steps:
        if stage == "draft":
            break
        step()
        if stage == reached:
            break
    return Loan.objects.get(pk=loan.pk)


CASES = {
    "submit": ("draft", lambda loan, by: applications.loan_submit(loan=loan, by=by)),
    "withdraw": ("draft", lambda loan, by: applications.loan_withdraw(loan=loan, by=by)),
    "review": ("submitted", lambda loan, by: applications.loan_board_review(loan=loan, by=by)),
    "approve": ("board_reviewed", lambda loan, by: applications.loan_approve(loan=loan, by=by)),
    "reject": (
        "board_reviewed",
        lambda loan, by: applications.loan_reject(loan=loan, by=by, reason="不符合条件"),
    ),
    "object": (
        "in_notice",
        lambda loan, by: applications.loan_object(loan=loan, by=by, reason="有人反映"),
    ),
    "disburse": (
        "ready",
        lambda loan, by: money.loan_disburse(loan=loan, by=by, on=D(2026, 1, 15)),
    ),
    "repay": (
        "lent",
        lambda loan, by: money.repayment_record(
            loan=loan, amount=Decimal("100"), paid_on=D(2026, 2, 1), by=by, token=f"t{by.pk}"
        ),
    ),
    "extend": (
        "lent",
        lambda loan, by: money.loan_extend(
            loan=loan, by=by, on=D(2026, 2, 1), new_maturity=D(2026, 12, 31)
        ),
    ),
    "write_off_propose": (
        "lent",
        lambda loan, by: money.write_off_propose(loan=loan, by=by, reason="x", on=D(2026, 2, 1)),
    ),
}


@pytest.mark.parametrize("action", sorted(CASES))
def test_each_loan_service_refuses_a_role_held_elsewhere_or_a_wrong_role(
    action, world, book, borrower, group, users, purposes
):
    stage, call = CASES[action]
    loan = _at(world, book, borrower, group, users, purposes, stage)
    before = (loan.status, LoanTransition.objects.count(), Repayment.objects.count())
    for user in _outsiders(world, action):
        with pytest.raises(LoanRuleError) as raised:
            call(Loan.objects.get(pk=loan.pk), user)
        assert raised.value.code == "role", (action, user.username)
        assert action not in offered_actions(user, Loan.objects.get(pk=loan.pk))
    after = Loan.objects.get(pk=loan.pk)
    assert (after.status, LoanTransition.objects.count(), Repayment.objects.count()) == before
    assert not WriteOff.objects.exists()


def test_reversal_write_off_and_recovery_need_their_role_at_the_loans_township(
    world, book, borrower, group, users, purposes, _today
):
    loan = _at(world, book, borrower, group, users, purposes, "lent")
    repayment = money.repayment_record(
        loan=loan,
        amount=Decimal("100"),
        paid_on=D(2026, 2, 1),
        by=users[Role.VILLAGE_CLERK],
        token="r",
    )
    for user in _outsiders(world, "reverse_repayment"):
        with pytest.raises(LoanRuleError) as raised:
            money.repayment_reverse(repayment=repayment, by=user, reason="x", on=D(2026, 2, 2))
        assert raised.value.code == "role"
    _today.move_to(datetime.datetime(2028, 2, 1, 10, 0))  # over 12 months past due
    proposal = money.write_off_propose(
        loan=loan, by=users[Role.VILLAGE_BOARD], reason="外出失联", on=D(2028, 2, 1)
    )
    for user in _outsiders(world, "write_off_approve"):
        with pytest.raises(LoanRuleError) as raised:
            money.write_off_approve(write_off=proposal, by=user, on=D(2028, 2, 1))
        assert raised.value.code == "role"
    money.write_off_approve(write_off=proposal, by=users[Role.TOWNSHIP_COMMITTEE], on=D(2028, 2, 1))
    for user in _outsiders(world, "recovery"):
        with pytest.raises(LoanRuleError) as raised:
            money.recovery_record(loan=loan, amount=Decimal("50"), on=D(2028, 2, 1), by=user)
        assert raised.value.code == "role"
    repayment.refresh_from_db()
    assert repayment.reversal_entry_id is None


def test_applications_and_policies_need_their_role_at_the_area(
    world, borrower, group, users, purposes
):
    for user in _outsiders(world, "apply"):
        with pytest.raises(LoanRuleError) as raised:
            apply_for(world, borrower, group, users, purposes, by=user)
        assert raised.value.code == "role"
    assert not Loan.objects.exists()
    committee_elsewhere = factories.role_assign_extra(
        world.outside.users[Role.TOWNSHIP_COMMITTEE], Role.AUDITOR, world.inside.county
    )
    for user in (committee_elsewhere, users[Role.VILLAGE_CLERK], users[Role.TOWNSHIP_COMMITTEE]):
        # The township committee sets its township's and villages' policies, not the county's.
        with pytest.raises(LoanRuleError) as raised:
            policy_save(target=world.inside.county, by=user, values={"max_amount": Decimal("9000")})
        assert raised.value.code == "role"


def test_the_page_offers_each_role_exactly_what_the_service_allows(
    world, book, borrower, group, users, purposes
):
    loan = _at(world, book, borrower, group, users, purposes, "board_reviewed")
    offered = {role: offered_actions(user, loan) for role, user in users.items()}
    assert offered[Role.TOWNSHIP_COMMITTEE] == ["approve", "reject"]
    assert offered[Role.VILLAGE_BOARD] == ["reject"]
    assert offered[Role.VILLAGE_CLERK] == ["withdraw"]
    assert offered[Role.AUDITOR] == offered[Role.COUNTY_OFFICE] == offered[Role.MEMBER] == []


def test_the_generic_reversal_refuses_an_entry_that_belongs_to_a_loan(
    world, book, borrower, group, users, purposes
):
    from funds.exceptions import FundsRuleError
    from funds.journal import journal_reverse
    from funds.models import JournalEntry
    from funds.selectors import balances_by_key

    loan = _at(world, book, borrower, group, users, purposes, "lent")
    entry = JournalEntry.objects.get(kind="disbursement", source_id=loan.pk)
    with pytest.raises(FundsRuleError) as raised:
        journal_reverse(entry=entry, by=users[Role.VILLAGE_BOARD], reason="错", date=D(2026, 2, 1))
    assert raised.value.code == "belongs_to_record"
    assert not JournalEntry.objects.filter(reverses=entry).exists()
    assert balances_by_key(book=book)["loans_receivable"] == loan.amount
