"""The loans' answer to the month close: loans overdue at a month's end and their outstanding
principal then (funds.closing.overdue_readers, filled by the loans app)."""

import datetime
from decimal import Decimal

import pytest

from associations.models import Role
from funds.closing import overdue_readers
from funds.closing.selectors import month_review
from loans.selectors.closing import overdue_on
from loans.services import money
from tests import factories

pytestmark = pytest.mark.today(datetime.datetime(2026, 6, 15, 10, 0))
D = datetime.date


@pytest.fixture
def short_loan(world, book, borrower, group):
    """10,000 over 3 months paid out on 15 Jan 2026, in one sum due on 15 April; 4,000 repaid
    on 10 May (its usage fee first, the rest to principal)."""
    loan = factories.loan_disbursed(
        world.inside,
        borrower,
        group=group,
        term_months=3,
        approved_on=D(2026, 1, 10),
        notices_expire_on=D(2026, 1, 13),
        on=D(2026, 1, 15),
    )
    return loan


def test_the_loans_app_answers_the_close(short_loan):
    assert overdue_on in overdue_readers


def test_overdue_at_the_months_end(short_loan, book, users):
    assert short_loan.instalments.get().due_on == D(2026, 4, 15)
    # Due on 15 April: not overdue at the end of March, nor on its due day.
    assert overdue_on([book], D(2026, 3, 31)) == {}
    assert overdue_on([book], D(2026, 4, 15)) == {}
    april = overdue_on([book], D(2026, 4, 30))[book.pk]
    assert (april.count, april.principal) == (1, Decimal("10000.00"))
    repayment = money.repayment_record(
        loan=short_loan,
        amount=Decimal("4000"),
        paid_on=D(2026, 5, 10),
        by=users[Role.VILLAGE_CLERK],
        token="may-repayment",
        confirmed=True,
    )
    may = overdue_on([book], D(2026, 5, 31))[book.pk]
    assert may.count == 1
    assert may.principal == Decimal("10000.00") - repayment.principal
    assert repayment.principal < Decimal("4000")  # fees were paid first
    # April's figure does not move with May's repayment.
    assert overdue_on([book], D(2026, 4, 30))[book.pk].principal == Decimal("10000.00")
    review = month_review(book=book, month=D(2026, 5, 1), today=D(2026, 6, 15))
    assert review.overdue == may
