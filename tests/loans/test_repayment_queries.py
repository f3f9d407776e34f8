"""A repayment is the busiest write of the product (issue 14): its queries are few and do not
grow with the loan's earlier repayments."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loans.models import Loan
from loans.services import money

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 9, 15, 9, 0), tick=False) as traveller:
        yield traveller


def _repay(loan, users, day, token):
    loan = Loan.objects.get(pk=loan.pk)
    with CaptureQueriesContext(connection) as queries:
        money.repayment_record(
            loan=loan, amount=Decimal("100"), paid_on=day, by=users["village_clerk"], token=token
        )
    statements = [q["sql"] for q in queries.captured_queries]
    return [s for s in statements if "SAVEPOINT" not in s]


def test_a_repayment_takes_few_queries_whatever_the_history(lent, users):
    _repay(lent, users, D(2026, 2, 1), "r1")  # the first one also moves the loan to repaying
    first = _repay(lent, users, D(2026, 3, 1), "r3")
    for month in range(4, 9):
        _repay(lent, users, D(2026, month, 1), f"r{month}")
    later = _repay(lent, users, D(2026, 9, 1), "r9")
    assert len(later) == len(first) <= 12, "\n".join(later)


def test_the_schedule_and_the_repayments_carry_the_loans_association(lent, users):
    """loans 0011: what the payout and a repayment write carries the loan's association (an
    area's figures read them by it); PostgreSQL also holds it by a foreign key."""
    _repay(lent, users, D(2026, 2, 1), "r1")
    loan = Loan.objects.get(pk=lent.pk)
    rows = [*loan.instalments.all(), *loan.repayments.all()]
    assert len(rows) > 1
    assert {row.association_id for row in rows} == {loan.association_id}
