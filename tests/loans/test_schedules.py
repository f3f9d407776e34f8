"""Schedules: hand-computed tables (dates and fen) for each type, month ends and a leap year."""

from datetime import date
from decimal import Decimal as D

import pytest

from loans.domain import schedules
from loans.domain.schedules import Instalment, ScheduleKind
from loans.exceptions import LoanRuleError


def table(schedule):
    return [(i.due_on, i.principal) for i in schedule]


def test_lump_sum_falls_due_at_maturity():
    result = schedules.build(
        kind=ScheduleKind.LUMP_SUM,
        principal=D("10000.00"),
        disbursed_on=date(2024, 3, 15),
        term_months=12,
    )
    assert table(result) == [(date(2025, 3, 15), D("10000.00"))]


def test_monthly_from_january_31_in_a_leap_year_keeps_month_ends():
    # 12000 / 12 = 1000.00 exactly. Jan 31 2028 + n months: Feb has 29 days in 2028.
    result = schedules.build(
        kind=ScheduleKind.MONTHLY,
        principal=D("12000.00"),
        disbursed_on=date(2028, 1, 31),
        term_months=12,
    )
    expected_dates = [
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
        date(2028, 5, 31),
        date(2028, 6, 30),
        date(2028, 7, 31),
        date(2028, 8, 31),
        date(2028, 9, 30),
        date(2028, 10, 31),
        date(2028, 11, 30),
        date(2028, 12, 31),
        date(2029, 1, 31),
    ]
    assert table(result) == [(d, D("1000.00")) for d in expected_dates]


def test_monthly_last_instalment_takes_the_rounding_remainder():
    # 10000 / 3 = 3333.333.. -> 3333.33, 3333.33, and 10000 - 6666.66 = 3333.34.
    # Jan 31 2025 (not a leap year): Feb 28, Mar 31, Apr 30.
    result = schedules.equal_principal(
        principal=D("10000.00"), disbursed_on=date(2025, 1, 31), term_months=3, period_months=1
    )
    assert table(result) == [
        (date(2025, 2, 28), D("3333.33")),
        (date(2025, 3, 31), D("3333.33")),
        (date(2025, 4, 30), D("3333.34")),
    ]


def test_monthly_remainder_can_be_smaller_than_the_others():
    # 20000 / 12 = 1666.666.. -> 1666.67 (half-up); 11 x 1666.67 = 18333.37; last 1666.63.
    result = schedules.equal_principal(
        principal=D("20000.00"), disbursed_on=date(2025, 6, 10), term_months=12, period_months=1
    )
    assert [i.principal for i in result] == [D("1666.67")] * 11 + [D("1666.63")]
    assert result[-1].due_on == date(2026, 6, 10)


def test_quarterly_from_august_31():
    # Aug 31 + 3 = Nov 30; + 6 = Feb 28 2025; + 9 = May 31; + 12 = Aug 31. 10000 / 4 = 2500.
    result = schedules.build(
        kind=ScheduleKind.QUARTERLY,
        principal=D("10000.00"),
        disbursed_on=date(2024, 8, 31),
        term_months=12,
    )
    assert table(result) == [
        (date(2024, 11, 30), D("2500.00")),
        (date(2025, 2, 28), D("2500.00")),
        (date(2025, 5, 31), D("2500.00")),
        (date(2025, 8, 31), D("2500.00")),
    ]


def test_quarterly_nine_months_rounds_like_monthly():
    result = schedules.build(
        kind=ScheduleKind.QUARTERLY,
        principal=D("10000.00"),
        disbursed_on=date(2025, 1, 1),
        term_months=9,
    )
    assert [i.principal for i in result] == [D("3333.33"), D("3333.33"), D("3333.34")]


def test_quarterly_needs_whole_quarters():
    with pytest.raises(LoanRuleError) as error:
        schedules.build(
            kind=ScheduleKind.QUARTERLY,
            principal=D("10000.00"),
            disbursed_on=date(2025, 1, 1),
            term_months=10,
        )
    assert error.value.code == "term_not_whole_periods"


def test_custom_schedule_for_cattle_sold_at_month_18():
    rows = [(date(2025, 9, 10), D("3000.00")), (date(2026, 9, 10), D("12000.00"))]
    result = schedules.build(
        kind=ScheduleKind.CUSTOM,
        principal=D("15000.00"),
        disbursed_on=date(2025, 3, 10),
        term_months=24,
        rows=rows,
    )
    assert result == (Instalment(*rows[0]), Instalment(*rows[1]))


def test_custom_last_date_may_be_the_maturity_itself():
    # 2025-03-10 + 24 months = 2027-03-10.
    result = schedules.custom(
        principal=D("15000.00"),
        disbursed_on=date(2025, 3, 10),
        term_months=24,
        rows=[(date(2027, 3, 10), D("15000.00"))],
    )
    assert table(result) == [(date(2027, 3, 10), D("15000.00"))]


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([(date(2025, 9, 10), D("3000.00")), (date(2026, 9, 10), D("11999.99"))], "row_sum"),
        ([(date(2027, 3, 11), D("15000.00"))], "row_after_term"),
        ([(date(2026, 9, 10), D("3000.00")), (date(2026, 9, 10), D("12000.00"))], "row_order"),
        ([(date(2026, 9, 10), D("3000.00")), (date(2025, 9, 10), D("12000.00"))], "row_order"),
        ([(date(2025, 3, 10), D("15000.00"))], "row_order"),  # on the disbursement day
        ([(date(2025, 3, 1), D("15000.00"))], "row_order"),  # before disbursement
        ([(date(2025, 9, 10), D("0.00")), (date(2026, 9, 10), D("15000.00"))], "row_amount"),
        ([(date(2026, 9, 10), D("14999.995")), (date(2026, 9, 11), D("0.005"))], "row_amount"),
        ([], "no_rows"),
    ],
)
def test_custom_schedule_refusals(rows, code):
    with pytest.raises(LoanRuleError) as error:
        schedules.custom(
            principal=D("15000.00"), disbursed_on=date(2025, 3, 10), term_months=24, rows=rows
        )
    assert error.value.code == code
    assert str(error.value)


@pytest.mark.parametrize(
    ("principal", "term", "code"),
    [
        (D("0.00"), 12, "principal"),
        (D("100.001"), 12, "principal"),
        (D("1000"), 25, "term"),
        (D("1000"), 0, "term"),
    ],
)
def test_principal_and_term_are_checked(principal, term, code):
    with pytest.raises(LoanRuleError) as error:
        schedules.lump_sum(principal=principal, disbursed_on=date(2025, 1, 1), term_months=term)
    assert error.value.code == code


def test_unknown_kind_is_refused():
    with pytest.raises(LoanRuleError):
        schedules.build(
            kind="weekly", principal=D("1000.00"), disbursed_on=date(2025, 1, 1), term_months=12
        )
