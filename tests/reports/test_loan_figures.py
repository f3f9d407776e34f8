"""The stored loan figures (outstanding principal, oldest unpaid due date, principal paid per
instalment, paid by the due date, day paid in full) always equal the replay of the standing
repayments, whatever sequence of repayments, reversals and an extension happens."""

import datetime
import uuid
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from associations.models import Role
from funds.journal import book_for_association
from funds.services import capital_receive
from loans.domain.allocation import replay
from loans.exceptions import LoanRuleError
from loans.models import Loan, LoanPurpose, Repayment
from loans.selectors import loans as loan_selectors
from loans.services import applications, money
from tests import factories
from tests.conftest import _branch
from tests.reports import builders

D = datetime.date

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("pay"),
            st.integers(1, 120),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("4000"), places=2),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 10), st.just(Decimal(0))),
        st.tuples(st.just("extend"), st.integers(1, 9), st.just(Decimal(0))),
    ),
    min_size=1,
    max_size=10,
)


def expected_figures(loan: Loan):
    """The figures from the replay: allocations per instalment, independent of the store."""
    terms = loan_selectors.loan_terms(loan)
    allocations, state = replay(terms, loan_selectors.standing_payments(loan))
    rows = []
    for k, instalment in enumerate(terms.schedule):
        paid = instalment.principal - state.unpaid[k]
        by_due = sum(
            (a.principal_by_instalment[k] for a in allocations if a.paid_on <= instalment.due_on),
            Decimal(0),
        )
        paid_on, running = None, Decimal(0)
        for allocation in allocations:
            running += allocation.principal_by_instalment[k]
            if paid == instalment.principal and running == instalment.principal:
                paid_on = allocation.paid_on
                break
        rows.append((instalment.due_on, paid, by_due, paid_on))
    oldest = next((due for due, paid, _b, _p in rows if paid < _principal(terms, due)), None)
    return state.principal_outstanding, oldest, rows


def _principal(terms, due_on):
    return next(i.principal for i in terms.schedule if i.due_on == due_on)


def stored_figures(loan: Loan):
    loan = Loan.objects.get(pk=loan.pk)
    rows = [
        (i.due_on, i.principal_paid, i.paid_by_due, i.paid_on)
        for i in loan.instalments.order_by("number")
    ]
    return loan.principal_outstanding, loan.oldest_unpaid_due_on, rows


class StoredFiguresFollowTheReplay(TestCase):
    def setUp(self):
        province = factories.area("620000", "甘肃省", "province")
        self.branch = _branch(
            province,
            ("620100", "620123", "620123100", "620123100201"),
            ("兰州市", "榆中县", "城关镇", "三角城村"),
            "in",
        )

        capital_receive(
            book=book_for_association(self.branch.association),
            source="government",
            contributor="县财政局",
            into="cash",
            amount=Decimal("50000"),
            received_on=D(2025, 1, 2),
            by=self.branch.users[Role.VILLAGE_CLERK],
        )
        users = self.branch.users
        association, clerk = self.branch.association, users[Role.VILLAGE_CLERK]
        leader = builders.household(association, clerk, name="马福海", poor=False, leader=True)
        borrower, *others = [
            builders.household(association, clerk, name=f"农户{i}", poor=True) for i in range(3)
        ]
        group = builders.group(
            association, clerk, name="联保一组", leader=leader, households=[borrower, *others]
        )
        loan = applications.loan_apply(
            association=self.branch.association,
            member=borrower,
            amount=Decimal("6000"),
            term_months=6,
            purpose=LoanPurpose.objects.get(code="livestock"),
            schedule_kind="monthly",
            guarantee_kind="group",
            group=group,
            by=users[Role.VILLAGE_CLERK],
        )
        applications.loan_submit(loan=loan, by=users[Role.VILLAGE_CLERK])
        applications.loan_board_review(loan=loan, by=users[Role.VILLAGE_BOARD])
        applications.loan_approve(loan=loan, by=users[Role.TOWNSHIP_COMMITTEE], on=D(2025, 1, 5))
        applications.notices_expire(today=D(2025, 1, 9))
        loan.refresh_from_db()
        self.loan = money.loan_disburse(
            loan=loan, by=users[Role.TOWNSHIP_STATION], on=D(2025, 1, 10)
        )

    def test_disbursement_stores_the_opening_figures(self):
        outstanding, oldest, rows = stored_figures(self.loan)
        assert outstanding == Decimal("6000.00")
        assert oldest == D(2025, 2, 10)
        assert [r[1:] for r in rows] == [(Decimal("0.00"), Decimal("0.00"), None)] * 6
        assert (outstanding, oldest, rows) == expected_figures(self.loan)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps)
    def test_stored_figures_equal_the_replay(self, plan):
        users, day = self.branch.users, D(2025, 1, 10)
        for kind, value, amount in plan:
            try:
                if kind == "pay":
                    day += datetime.timedelta(days=value)
                    money.repayment_record(
                        loan=self.loan,
                        amount=amount,
                        paid_on=day,
                        by=users[Role.VILLAGE_CLERK],
                        token=uuid.uuid4().hex,
                    )
                elif kind == "reverse":
                    standing = list(Repayment.objects.filter(reversal_entry__isnull=True))
                    if standing:
                        money.repayment_reverse(
                            repayment=standing[value % len(standing)],
                            by=users[Role.TOWNSHIP_STATION],
                            reason="录错",
                            on=max(day, D(2025, 1, 10)),
                        )
                else:
                    money.loan_extend(
                        loan=self.loan,
                        by=users[Role.TOWNSHIP_COMMITTEE],
                        on=day,
                        new_maturity=D(2025, 7, 10) + datetime.timedelta(days=30 * value),
                    )
            except LoanRuleError:
                pass
            assert stored_figures(self.loan) == expected_figures(self.loan)
