"""Instalment state, days past due, write-off eligibility and the extension rule."""

from datetime import date
from decimal import Decimal as D

import pytest

from loans.domain.allocation import Payment, replay
from loans.domain.fees import LoanState, amount_owed
from loans.domain.instalments import (
    InstalmentStatus,
    days_past_due,
    extend,
    extension_check,
    instalment_rows,
    write_off_check,
    write_off_eligible,
)
from loans.exceptions import LoanRuleError
from tests.loans.test_fees import leap_monthly_terms, lump_sum_terms


def test_instalment_rows_after_a_partial_payment():
    terms = leap_monthly_terms()
    _a, state = replay(terms, [Payment(date(2028, 3, 31), D("1500.00"))])
    rows = instalment_rows(terms, state, date(2028, 4, 30))
    assert [(r.status, r.paid, r.unpaid, r.days_overdue) for r in rows[:4]] == [
        (InstalmentStatus.PAID, D("1000.00"), D("0.00"), 0),
        (InstalmentStatus.OVERDUE, D("379.10"), D("620.90"), 30),  # Apr 1-30
        (InstalmentStatus.DUE, D("0.00"), D("1000.00"), 0),
        (InstalmentStatus.UPCOMING, D("0.00"), D("1000.00"), 0),
    ]
    assert days_past_due(terms, state, date(2028, 4, 30)) == 30


def test_days_past_due_is_zero_on_the_due_date():
    terms = leap_monthly_terms()
    state = LoanState.opening(terms)
    assert days_past_due(terms, state, date(2028, 2, 29)) == 0
    assert days_past_due(terms, state, date(2028, 3, 10)) == 10


def test_write_off_after_twelve_months_overdue_from_february_29():
    terms = leap_monthly_terms()
    state = LoanState.opening(terms)
    # Oldest unpaid due date 2028-02-29; + 12 months = 2029-02-28 (no Feb 29 in 2029).
    assert not write_off_eligible(terms, state, date(2029, 2, 27), overdue_months=12)
    assert write_off_eligible(terms, state, date(2029, 2, 28), overdue_months=12)
    with pytest.raises(LoanRuleError) as error:
        write_off_check(terms, state, date(2029, 2, 27), overdue_months=12)
    assert error.value.code == "write_off_too_early"


def test_write_off_counts_from_the_oldest_unpaid_instalment():
    terms = lump_sum_terms()
    state = LoanState.opening(terms)  # due 2025-03-15, never paid
    assert not write_off_eligible(terms, state, date(2026, 3, 14), overdue_months=12)
    assert write_off_eligible(terms, state, date(2026, 3, 15), overdue_months=12)
    assert not write_off_eligible(
        terms, LoanState(date(2025, 3, 15), (D("0.00"),)), date(2027, 1, 1), overdue_months=12
    )


def test_extension_moves_maturity_and_fees_follow_the_usage_rate():
    terms = lump_sum_terms()  # disbursed 2024-03-15, due 2025-03-15
    extended = extend(
        terms, on=date(2025, 3, 1), new_maturity=date(2025, 9, 15), extensions_so_far=0
    )
    assert extended.maturity == date(2025, 9, 15)
    owed = amount_owed(extended, LoanState.opening(extended), date(2025, 9, 15))
    # 365 + 184 (Mar 16-31 16, Apr 30, May 31, Jun 30, Jul 31, Aug 31, Sep 15) = 549 days.
    # 10000 x .06 x 549 / 365 = 329400 / 365 = 902.4657 -> 902.47; nothing overdue.
    assert (owed.usage_fee, owed.overdue_fee) == (D("902.47"), D("0.00"))
    # Unextended, the same day: 600.00 usage + 10000 x .09 x 184 / 365 = 453.6986 -> 453.70.
    plain = amount_owed(terms, LoanState.opening(terms), date(2025, 9, 15))
    assert (plain.usage_fee, plain.overdue_fee) == (D("600.00"), D("453.70"))


def test_extension_keeps_earlier_settlements_exact():
    terms = lump_sum_terms()
    payments = [Payment(date(2024, 9, 15), D("5000.00"))]
    before, _ = replay(terms, payments)
    extended = extend(
        terms, on=date(2024, 12, 1), new_maturity=date(2026, 3, 15), extensions_so_far=0
    )
    after, _ = replay(extended, payments)
    assert before == after


@pytest.mark.parametrize(
    ("on", "new_maturity", "so_far", "max_term", "code"),
    [
        (date(2025, 3, 1), date(2025, 9, 15), 1, 24, "extension_twice"),
        (date(2025, 3, 15), date(2025, 9, 15), 0, 24, "extension_after_maturity"),
        (date(2025, 3, 1), date(2025, 3, 15), 0, 24, "extension_not_later"),
        # 2024-03-15 + 24 months = 2026-03-15: one day later is refused.
        (date(2025, 3, 1), date(2026, 3, 16), 0, 24, "extension_too_long"),
        # A policy maximum of 18 months: 2025-09-15 is the limit.
        (date(2025, 3, 1), date(2025, 9, 16), 0, 18, "extension_too_long"),
    ],
)
def test_extension_refusals(on, new_maturity, so_far, max_term, code):
    with pytest.raises(LoanRuleError) as error:
        extension_check(
            lump_sum_terms(),
            on=on,
            new_maturity=new_maturity,
            extensions_so_far=so_far,
            max_term_months=max_term,
        )
    assert error.value.code == code


def test_extension_to_the_last_allowed_day_passes():
    extended = extend(
        lump_sum_terms(), on=date(2025, 3, 14), new_maturity=date(2026, 3, 15), extensions_so_far=0
    )
    assert extended.maturity == date(2026, 3, 15)
    extend(
        lump_sum_terms(),
        on=date(2025, 3, 1),
        new_maturity=date(2025, 9, 15),
        extensions_so_far=0,
        max_term_months=18,
    )
