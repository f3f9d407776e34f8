"""Two clerks paying the same loan at the same moment (real connections, PostgreSQL)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from associations.models import Role
from funds.selectors import balances_by_key
from loans.domain.allocation import replay
from loans.exceptions import LoanRuleError
from loans.models import Loan, Repayment
from loans.selectors import loans as loan_selectors
from loans.services import applications, money
from tests import factories
from tests.loans.conftest import apply_for

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_simultaneous_repayments_are_both_applied_once(
    world,
    book,
    borrower,
    group,
    users,
    purposes,
):
    # Disbursed months ago: a usage fee has accrued, and a race would charge it twice.
    loan = factories.loan_disbursed(
        world.inside,
        borrower,
        group=group,
        approved_on=datetime.date(2026, 1, 10),
        notices_expire_on=datetime.date(2026, 1, 13),
        on=datetime.date.today() - datetime.timedelta(days=120),
    )
    barrier, errors = threading.Barrier(2), []

    def pay(token: str) -> None:
        try:
            barrier.wait()
            money.repayment_record(
                loan=loan,
                amount=Decimal("1000"),
                paid_on=datetime.date.today(),
                by=users[Role.VILLAGE_CLERK],
                token=token,
                confirmed=True,  # two payments of the same amount, both meant
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(t,)) for t in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Repayment.objects.filter(loan=loan).count() == 2
    recorded = list(Repayment.objects.filter(loan=loan).order_by("id"))
    terms = loan_selectors.loan_terms(loan)
    allocations, state = replay(terms, loan_selectors.standing_payments(loan))
    # The second payment, applied after the first, owes no more fee for the same day.
    assert [r.usage_fee for r in recorded] == [a.usage_fee for a in allocations]
    assert recorded[0].usage_fee > 0 and recorded[1].usage_fee == 0
    balances = balances_by_key(book=book)
    assert balances["usage_fee_income"] == recorded[0].usage_fee
    assert balances["loans_receivable"] == state.principal_outstanding


def test_two_applications_of_one_household_at_once_give_one_active_loan(
    world, book, borrower, group, users, purposes
):
    first = apply_for(world, borrower, group, users, purposes, amount="3000")
    second = apply_for(world, borrower, group, users, purposes, amount="4000")
    barrier, outcomes = threading.Barrier(2), []

    def submit(loan) -> None:
        try:
            barrier.wait()
            applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
            outcomes.append("submitted")
        except LoanRuleError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(loan,)) for loan in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["active_loan", "submitted"]
    statuses = sorted(Loan.objects.filter(member=borrower).values_list("status", flat=True))
    assert statuses == ["draft", "submitted"]
