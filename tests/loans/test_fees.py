"""Usage and overdue fees, "amount owed today": hand-computed figures.

Rate 6 % a year, overdue multiplier 1.5 (so 9 % a year on overdue principal), actual days / 365,
days counted from the last settlement (exclusive) to the payment date (inclusive).
"""

from datetime import date
from decimal import Decimal as D

import pytest

from loans.domain import schedules
from loans.domain.fees import FeeMethod, LoanState, LoanTerms, accrue, amount_owed
from loans.exceptions import LoanRuleError

RATE = D("0.0600")


def lump_sum_terms(method=FeeMethod.DECLINING):
    # 10000 disbursed 2024-03-15 for 12 months: due 2025-03-15.
    return LoanTerms(
        principal=D("10000.00"),
        disbursed_on=date(2024, 3, 15),
        schedule=schedules.lump_sum(
            principal=D("10000.00"), disbursed_on=date(2024, 3, 15), term_months=12
        ),
        annual_rate=RATE,
        method=method,
    )


def leap_monthly_terms():
    # 12000 disbursed 2028-01-31, 12 monthly instalments of 1000.00 from 2028-02-29.
    return LoanTerms(
        principal=D("12000.00"),
        disbursed_on=date(2028, 1, 31),
        schedule=schedules.equal_principal(
            principal=D("12000.00"),
            disbursed_on=date(2028, 1, 31),
            term_months=12,
            period_months=1,
        ),
        annual_rate=RATE,
    )


@pytest.mark.parametrize("method", FeeMethod.values)
def test_lump_sum_paid_at_maturity(method):
    terms = lump_sum_terms(method)
    owed = amount_owed(terms, LoanState.opening(terms), date(2025, 3, 15))
    # 2024-03-15 -> 2025-03-15 = 365 days (Feb 29 2024 is before the start).
    # 10000 x 0.06 x 365 / 365 = 600.00; nothing overdue on the due date itself.
    assert owed.usage_fee == D("600.00")
    assert owed.overdue_fee == D("0.00")
    assert owed.principal_due == D("10000.00")
    assert owed.payoff == D("10600.00")


def test_lump_sum_early_payoff_pays_fee_only_to_the_payment_date():
    terms = lump_sum_terms()
    owed = amount_owed(terms, LoanState.opening(terms), date(2024, 6, 15))
    # Mar 16-31 = 16, Apr 30, May 31, Jun 1-15 = 15 -> 92 days.
    # 10000 x 0.06 x 92 / 365 = 55200 / 365 = 151.2328.. -> 151.23
    assert owed.usage_fee == D("151.23")
    assert owed.principal_due == D("0.00")  # nothing has fallen due yet
    assert owed.due_now == D("151.23")
    assert owed.payoff == D("10151.23")


@pytest.mark.parametrize("method", FeeMethod.values)
def test_lump_sum_thirty_days_late(method):
    terms = lump_sum_terms(method)
    owed = amount_owed(terms, LoanState.opening(terms), date(2025, 4, 14))
    # usage: 365 days to the due date -> 600.00 (flat stops at maturity too).
    # overdue from the day after: Mar 16-31 = 16 + Apr 1-14 = 14 -> 30 days;
    # 10000 x 0.09 x 30 / 365 = 27000 / 365 = 73.9726.. -> 73.97
    assert (owed.usage_fee, owed.overdue_fee) == (D("600.00"), D("73.97"))
    assert owed.payoff == D("10673.97")


def test_leap_year_first_instalment_on_february_29():
    terms = leap_monthly_terms()
    owed = amount_owed(terms, LoanState.opening(terms), date(2028, 2, 29))
    # Jan 31 -> Feb 29 = 29 days; 12000 x 0.06 x 29 / 365 = 20880 / 365 = 57.2054.. -> 57.21
    assert owed.usage_fee == D("57.21")
    assert owed.principal_due == D("1000.00")
    assert owed.due_now == D("1057.21")
    assert owed.principal_outstanding == D("12000.00")


def test_leap_year_instalment_ten_days_late():
    terms = leap_monthly_terms()
    owed = amount_owed(terms, LoanState.opening(terms), date(2028, 3, 10))
    # 39 days since Jan 31. Instalment 1 (1000): 29 normal days + 10 overdue (Mar 1-10).
    # Other 11000: 39 normal days.
    # usage  = (1000 x 29 + 11000 x 39) x 0.06 / 365 = 458000 x 0.06 / 365 = 75.2876.. -> 75.29
    # overdue = 1000 x 10 x 0.09 / 365 = 900 / 365 = 2.4657.. -> 2.47
    assert (owed.usage_fee, owed.overdue_fee) == (D("75.29"), D("2.47"))
    assert owed.due_now == D("1077.76")


def quarterly_terms(method):
    # 12000 disbursed 2025-01-15, quarterly 3000.00 on Apr 15, Jul 15, Oct 15, Jan 15 2026.
    return LoanTerms(
        principal=D("12000.00"),
        disbursed_on=date(2025, 1, 15),
        schedule=schedules.equal_principal(
            principal=D("12000.00"),
            disbursed_on=date(2025, 1, 15),
            term_months=12,
            period_months=3,
        ),
        annual_rate=RATE,
        method=method,
    )


def test_flat_charges_original_principal_after_a_repayment():
    terms = quarterly_terms(FeeMethod.FLAT)
    # After instalment 1 was repaid on its due date, 9000 is outstanding.
    state = LoanState(date(2025, 4, 15), (D("0"), D("3000"), D("3000"), D("3000")))
    # Apr 15 -> Jul 15 = 15 + 31 + 30 + 15 = 91 days.
    # flat: 12000 x 0.06 x 91 / 365 = 65520 / 365 = 179.5068.. -> 179.51
    assert accrue(terms, state, date(2025, 7, 15)).usage_fee == D("179.51")
    declining = quarterly_terms(FeeMethod.DECLINING)
    # declining: 9000 x 0.06 x 91 / 365 = 49140 / 365 = 134.6301.. -> 134.63
    assert accrue(declining, state, date(2025, 7, 15)).usage_fee == D("134.63")


def test_flat_switches_overdue_principal_to_the_overdue_rate():
    terms = quarterly_terms(FeeMethod.FLAT)
    accrual = accrue(terms, LoanState.opening(terms), date(2025, 5, 15))
    # 120 days since Jan 15; instalment 1 (3000) overdue Apr 16 - May 15 = 30 days.
    # usage = (12000 x 120 - 3000 x 30) x 0.06 / 365 = 1350000 x 0.06 / 365 = 221.9178 -> 221.92
    # overdue = 3000 x 30 x 0.09 / 365 = 8100 / 365 = 22.1917.. -> 22.19
    assert (accrual.usage_fee, accrual.overdue_fee) == (D("221.92"), D("22.19"))


def test_fees_already_fixed_are_carried_and_do_not_bear_fees():
    terms = leap_monthly_terms()
    # After paying 50.00 on 2028-03-10 (2.47 overdue fee, 47.53 usage fee): 27.76 usage left.
    state = LoanState(
        date(2028, 3, 10), (D("1000.00"),) + (D("1000.00"),) * 11, usage_fee_owed=D("27.76")
    )
    owed = amount_owed(terms, state, date(2028, 3, 31))
    # Mar 11-31 = 21 days. Instalment 1 overdue all 21 days; the other 11000 normal.
    # usage = 27.76 + 11000 x 21 x 0.06 / 365 = 27.76 + 13860/365 (37.9726 -> 37.97) = 65.73
    # overdue = 1000 x 21 x 0.09 / 365 = 1890 / 365 = 5.1780.. -> 5.18
    assert owed.usage_fee == D("65.73")
    assert owed.overdue_fee == D("5.18")
    assert owed.principal_due == D("2000.00")  # instalments 1 and 2 (due Mar 31)
    assert owed.due_now == D("2070.91")
    assert owed.payoff == D("12070.91")


def test_a_date_before_the_last_settlement_is_refused():
    terms = lump_sum_terms()
    state = LoanState(date(2024, 6, 15), (D("10000.00"),))
    with pytest.raises(LoanRuleError) as error:
        amount_owed(terms, state, date(2024, 6, 14))
    assert error.value.code == "before_settlement"


def test_same_day_accrues_nothing():
    terms = lump_sum_terms()
    accrual = accrue(terms, LoanState.opening(terms), date(2024, 3, 15))
    assert (accrual.usage_fee, accrual.overdue_fee) == (D("0.00"), D("0.00"))
