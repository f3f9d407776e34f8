"""Repayment allocation: early, partial, late, over-payment, reversal by replay."""

from datetime import date
from decimal import Decimal as D

import pytest

from loans.domain.allocation import Payment, allocate, replay
from loans.domain.fees import FeeMethod, LoanState, amount_owed
from loans.exceptions import LoanRuleError
from tests.loans.test_fees import leap_monthly_terms, lump_sum_terms, quarterly_terms


def parts(allocation):
    return (allocation.overdue_fee, allocation.usage_fee, allocation.principal)


def test_on_time_quarterly_declining_and_flat_over_the_whole_loan():
    # Each due date, the fee to date plus 3000.00 principal.
    # Days: 90 (Jan 15-Apr 15), 91, 92 (Jul 15-Oct 15), 92 (Oct 15-Jan 15).
    # declining: 12000x.06x90/365=177.534->177.53; 9000x.06x91/365=134.630->134.63;
    #            6000x.06x92/365=90.739->90.74;   3000x.06x92/365=45.369->45.37
    # flat:      177.53; 12000x.06x91/365=179.506->179.51; x92: 181.479->181.48 twice
    expected = {
        FeeMethod.DECLINING: [D("177.53"), D("134.63"), D("90.74"), D("45.37")],
        FeeMethod.FLAT: [D("177.53"), D("179.51"), D("181.48"), D("181.48")],
    }
    for method, fees in expected.items():
        terms = quarterly_terms(method)
        payments = [
            Payment(i.due_on, fee + D("3000.00"))
            for i, fee in zip(terms.schedule, fees, strict=True)
        ]
        allocations, state = replay(terms, payments)
        assert [a.usage_fee for a in allocations] == fees
        assert all(a.principal == D("3000.00") for a in allocations)
        assert state.principal_outstanding == D("0.00")
        assert state.usage_fee_owed == state.overdue_fee_owed == D("0.00")
    # Totals: declining 448.27; flat exactly 720.00 (= 12000 x 6 % for a year).


def test_partial_payment_pays_overdue_fee_then_usage_fee_first():
    terms = leap_monthly_terms()
    allocation, state = allocate(
        terms, LoanState.opening(terms), amount=D("50.00"), paid_on=date(2028, 3, 10)
    )
    # Owed on Mar 10: overdue 2.47, usage 75.29 (see test_fees).
    assert parts(allocation) == (D("2.47"), D("47.53"), D("0.00"))
    assert state.usage_fee_owed == D("27.76")
    assert state.unpaid[0] == D("1000.00")

    allocation, state = allocate(terms, state, amount=D("1500.00"), paid_on=date(2028, 3, 31))
    # Owed on Mar 31: overdue 5.18, usage 65.73 -> principal 1500 - 70.91 = 1429.09:
    # instalment 1 gets 1000.00, instalment 2 gets 429.09 and keeps 570.91 unpaid.
    assert parts(allocation) == (D("5.18"), D("65.73"), D("1429.09"))
    assert allocation.principal_by_instalment[:3] == (D("1000.00"), D("429.09"), D("0.00"))
    assert state.unpaid[:2] == (D("0.00"), D("570.91"))
    assert state.principal_outstanding == D("10570.91")


def test_early_partial_then_rest_at_maturity_declining_and_flat():
    # 5000.00 paid 2024-09-15: 184 days (Mar 16-31 16, Apr 30, May 31, Jun 30, Jul 31, Aug 31,
    # Sep 15) -> 10000 x .06 x 184 / 365 = 110400/365 = 302.4657 -> 302.47; principal 4697.53.
    for method, second_fee in [(FeeMethod.DECLINING, D("157.77")), (FeeMethod.FLAT, D("297.53"))]:
        terms = lump_sum_terms(method)
        first, state = allocate(
            terms, LoanState.opening(terms), amount=D("5000.00"), paid_on=date(2024, 9, 15)
        )
        assert parts(first) == (D("0.00"), D("302.47"), D("4697.53"))
        assert state.principal_outstanding == D("5302.47")
        owed = amount_owed(terms, state, date(2025, 3, 15))
        # 181 days (Sep 16-30 15, Oct 31, Nov 30, Dec 31, Jan 31, Feb 28, Mar 15).
        # declining: 5302.47 x .06 x 181 / 365 = 57584.8242/365 = 157.7666 -> 157.77
        # flat:      10000 x .06 x 181 / 365 = 108600/365 = 297.5342 -> 297.53
        assert owed.usage_fee == second_fee
        assert owed.payoff == D("5302.47") + second_fee


def test_flat_partial_then_late_after_maturity():
    terms = lump_sum_terms(FeeMethod.FLAT)
    _first, state = allocate(
        terms, LoanState.opening(terms), amount=D("5000.00"), paid_on=date(2024, 9, 15)
    )
    owed = amount_owed(terms, state, date(2025, 4, 14))
    # usage stops at maturity: 297.53 as above.
    # overdue: 5302.47 x 0.09 x 30 / 365 = 14316.669 / 365 = 39.2237.. -> 39.22
    assert (owed.usage_fee, owed.overdue_fee) == (D("297.53"), D("39.22"))
    assert owed.payoff == D("5639.22")


def test_payoff_closes_the_loan_and_anything_more_is_refused_with_the_amount_owed():
    terms = lump_sum_terms()
    with pytest.raises(LoanRuleError) as error:
        allocate(terms, LoanState.opening(terms), amount=D("10673.98"), paid_on=date(2025, 4, 14))
    assert error.value.code == "overpayment"
    assert "10673.97" in str(error.value)

    allocation, state = allocate(
        terms, LoanState.opening(terms), amount=D("10673.97"), paid_on=date(2025, 4, 14)
    )
    assert parts(allocation) == (D("73.97"), D("600.00"), D("10000.00"))
    assert state.principal_outstanding == D("0.00")
    with pytest.raises(LoanRuleError) as error:
        allocate(terms, state, amount=D("0.01"), paid_on=date(2025, 5, 1))
    assert "0.00" in str(error.value)


@pytest.mark.parametrize("amount", [D("0.00"), D("-1.00"), D("10.005")])
def test_bad_amounts_are_refused(amount):
    terms = lump_sum_terms()
    with pytest.raises(LoanRuleError) as error:
        allocate(terms, LoanState.opening(terms), amount=amount, paid_on=date(2024, 6, 1))
    assert error.value.code == "repayment_amount"


def test_two_payments_on_one_day_charge_the_fee_once():
    terms = leap_monthly_terms()
    allocations, _state = replay(
        terms, [Payment(date(2028, 2, 29), D("57.21")), Payment(date(2028, 2, 29), D("1000.00"))]
    )
    assert parts(allocations[0]) == (D("0.00"), D("57.21"), D("0.00"))
    assert parts(allocations[1]) == (D("0.00"), D("0.00"), D("1000.00"))


def test_reversal_re_derives_the_state_without_the_reversed_payment():
    terms = leap_monthly_terms()
    kept = Payment(date(2028, 3, 31), D("1500.00"))
    allocations, state = replay(terms, [kept])  # the 50.00 of Mar 10 was reversed
    # 60 days Jan 31 -> Mar 31. Instalment 1: 29 normal + 31 overdue; 11000: 60 normal.
    # usage = (1000x29 + 11000x60) x .06 / 365 = 689000 x .06 / 365 = 113.2602 -> 113.26
    # overdue = 1000 x 31 x .09 / 365 = 2790 / 365 = 7.6438 -> 7.64
    # principal 1500 - 120.90 = 1379.10: instalment 1 1000.00, instalment 2 379.10
    assert parts(allocations[0]) == (D("7.64"), D("113.26"), D("1379.10"))
    assert state.unpaid[:2] == (D("0.00"), D("620.90"))


def test_back_dated_payment_that_makes_a_later_one_too_much_is_refused():
    terms = lump_sum_terms()
    payoff = Payment(date(2024, 6, 15), D("10151.23"))
    _allocations, state = replay(terms, [payoff])
    assert state.principal_outstanding == D("0.00")
    with pytest.raises(LoanRuleError) as error:
        replay(terms, [payoff, Payment(date(2024, 5, 1), D("100.00"))])
    assert error.value.code == "overpayment"
