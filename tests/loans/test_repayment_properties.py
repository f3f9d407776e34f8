"""Hypothesis: any sequence of repayments never over-collects and keeps principal whole."""

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from loans.domain import schedules
from loans.domain.allocation import allocate
from loans.domain.fees import FeeMethod, LoanState, LoanTerms, accrue, amount_owed
from loans.domain.schedules import ScheduleKind
from loans.exceptions import LoanRuleError
from mutualaid.money import ZERO


@st.composite
def loan_terms(draw):
    principal = D(draw(st.integers(100_000, 2_000_000))) / 100
    disbursed_on = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
    kind = draw(
        st.sampled_from([ScheduleKind.LUMP_SUM, ScheduleKind.MONTHLY, ScheduleKind.QUARTERLY])
    )
    term = draw(st.sampled_from([3, 6, 9, 12, 18, 24]))
    schedule = schedules.build(
        kind=kind, principal=principal, disbursed_on=disbursed_on, term_months=term
    )
    return LoanTerms(
        principal=principal,
        disbursed_on=disbursed_on,
        schedule=schedule,
        annual_rate=draw(st.sampled_from([D("0.0600"), D("0.0480"), D("0.0725")])),
        method=draw(st.sampled_from(FeeMethod.values)),
        overdue_multiplier=draw(st.sampled_from([D("1.5"), D("1.0"), D("2.0")])),
    )


payments = st.lists(
    st.tuples(st.integers(0, 120), st.integers(1, 2_500_000)), min_size=1, max_size=12
)


@settings(max_examples=300, deadline=None)
@given(terms=loan_terms(), steps=payments)
def test_payments_never_over_collect_and_keep_principal_whole(terms, steps):
    state = LoanState.opening(terms)
    day = terms.disbursed_on
    principal_paid = ZERO
    for gap, fen in steps:
        day += timedelta(days=gap)
        amount = D(fen) / 100
        owed = amount_owed(terms, state, day)
        try:
            allocation, new_state = allocate(terms, state, amount=amount, paid_on=day)
        except LoanRuleError as error:
            assert error.code == "overpayment"
            assert amount > owed.payoff
            continue
        assert amount <= owed.payoff
        assert allocation.overdue_fee + allocation.usage_fee + allocation.principal == amount
        assert ZERO <= allocation.overdue_fee <= owed.overdue_fee
        assert ZERO <= allocation.usage_fee <= owed.usage_fee
        # Fees are paid before any principal.
        if allocation.principal > ZERO:
            assert allocation.overdue_fee == owed.overdue_fee
            assert allocation.usage_fee == owed.usage_fee
        assert all(u >= ZERO for u in new_state.unpaid)
        principal_paid += allocation.principal
        state = new_state
        assert principal_paid + state.principal_outstanding == terms.principal
    # Once everything is repaid nothing more accrues.
    if state.principal_outstanding == ZERO:
        later = accrue(terms, state, state.settled_on + timedelta(days=400))
        assert later.usage_fee == later.overdue_fee == ZERO
