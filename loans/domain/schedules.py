"""Repayment schedules: pure functions on Decimal yuan and dates, no database.

Due dates are always counted from the disbursement date (never chained from the previous due
date), so a loan disbursed on the 31st falls due on the 31st or on the month's last day when the
month is shorter: Jan 31 -> Feb 28/29 -> Mar 31 -> Apr 30 ...
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loans.exceptions import LoanRuleError
from mutualaid.money import ZERO, to_fen

# The report's absolute cap (two years) — a policy may only shorten it.
ABSOLUTE_MAX_TERM_MONTHS = 24


class ScheduleKind(models.TextChoices):
    LUMP_SUM = "lump_sum", _("lump sum at maturity")
    MONTHLY = "monthly", _("equal principal, monthly")
    QUARTERLY = "quarterly", _("equal principal, quarterly")
    CUSTOM = "custom", _("custom dates and amounts")


PERIOD_MONTHS = {ScheduleKind.MONTHLY: 1, ScheduleKind.QUARTERLY: 3}


@dataclass(frozen=True)
class Instalment:
    due_on: datetime.date
    principal: Decimal


Schedule = tuple[Instalment, ...]


def add_months(start: datetime.date, months: int) -> datetime.date:
    """Same day of month `months` later, or that month's last day when it is shorter."""
    return start + relativedelta(months=months)


def maturity_date(disbursed_on: datetime.date, term_months: int) -> datetime.date:
    return add_months(disbursed_on, term_months)


def _check_principal(principal: Decimal) -> None:
    if principal <= ZERO or principal != to_fen(principal):
        raise LoanRuleError(
            gettext("The principal must be a positive amount in yuan and fen."), "principal"
        )


def _check_term(term_months: int) -> None:
    if not 1 <= term_months <= ABSOLUTE_MAX_TERM_MONTHS:
        raise LoanRuleError(
            gettext("The term must be between 1 and %(max)s months.")
            % {"max": ABSOLUTE_MAX_TERM_MONTHS},
            "term",
        )


def lump_sum(*, principal: Decimal, disbursed_on: datetime.date, term_months: int) -> Schedule:
    _check_principal(principal)
    _check_term(term_months)
    return (Instalment(maturity_date(disbursed_on, term_months), principal),)


def equal_principal(
    *, principal: Decimal, disbursed_on: datetime.date, term_months: int, period_months: int
) -> Schedule:
    """Equal instalments rounded half-up to the fen; the last takes the rounding remainder."""
    _check_principal(principal)
    _check_term(term_months)
    if period_months < 1 or term_months % period_months:
        raise LoanRuleError(
            gettext("A term of %(term)s months cannot be split into periods of %(period)s months.")
            % {"term": term_months, "period": period_months},
            "term_not_whole_periods",
        )
    count = term_months // period_months
    each = to_fen(principal / count)
    last = principal - each * (count - 1)
    if last <= ZERO:
        raise LoanRuleError(gettext("The principal is too small for this schedule."), "principal")
    return tuple(
        Instalment(
            add_months(disbursed_on, period_months * number),
            each if number < count else last,
        )
        for number in range(1, count + 1)
    )


def custom(
    *,
    principal: Decimal,
    disbursed_on: datetime.date,
    term_months: int,
    rows: list[tuple[datetime.date, Decimal]],
) -> Schedule:
    """Dates and amounts aligned to the production cycle (e.g. cattle sold at month 18)."""
    _check_principal(principal)
    _check_term(term_months)
    if not rows:
        raise LoanRuleError(gettext("A custom schedule needs at least one instalment."), "no_rows")
    maturity = maturity_date(disbursed_on, term_months)
    previous = disbursed_on
    for number, (due_on, amount) in enumerate(rows, start=1):
        if not amount.is_finite() or amount <= ZERO or amount != to_fen(amount):
            raise LoanRuleError(
                gettext("Instalment %(n)s: the amount must be positive, in yuan and fen.")
                % {"n": number},
                "row_amount",
            )
        if due_on <= previous:
            raise LoanRuleError(
                gettext("Instalment %(n)s: the date %(date)s must be after %(previous)s.")
                % {"n": number, "date": due_on, "previous": previous},
                "row_order",
            )
        previous = due_on
    if previous > maturity:
        raise LoanRuleError(
            gettext("The last instalment (%(date)s) is after the end of the term (%(maturity)s).")
            % {"date": previous, "maturity": maturity},
            "row_after_term",
        )
    total = sum((amount for _due, amount in rows), ZERO)
    if total != principal:
        raise LoanRuleError(
            gettext("The instalments add up to %(total)s yuan, not the principal of %(principal)s.")
            % {"total": total, "principal": principal},
            "row_sum",
        )
    return tuple(Instalment(due_on, amount) for due_on, amount in rows)


def stored_rows(stored: list[list[str]] | None) -> list[tuple[datetime.date, Decimal]]:
    """The custom rows as a loan keeps them (`[["2026-05-01", "1500.00"], ...]`), parsed; a row
    that is no date and amount is refused like a row typed wrong."""
    rows = []
    for number, row in enumerate(stored or [], start=1):
        try:
            day, amount = row
            rows.append((datetime.date.fromisoformat(day), Decimal(amount)))
        except (TypeError, ValueError, ArithmeticError):
            raise LoanRuleError(
                gettext("Instalment %(n)s: the amount must be positive, in yuan and fen.")
                % {"n": number},
                "row_amount",
            ) from None
    return rows


def build(
    *,
    kind: str,
    principal: Decimal,
    disbursed_on: datetime.date,
    term_months: int,
    rows: list[tuple[datetime.date, Decimal]] | None = None,
) -> Schedule:
    """The one entry point the disbursement service calls."""
    if kind == ScheduleKind.LUMP_SUM:
        return lump_sum(principal=principal, disbursed_on=disbursed_on, term_months=term_months)
    if kind in PERIOD_MONTHS:
        return equal_principal(
            principal=principal,
            disbursed_on=disbursed_on,
            term_months=term_months,
            period_months=PERIOD_MONTHS[ScheduleKind(kind)],
        )
    if kind == ScheduleKind.CUSTOM:
        return custom(
            principal=principal,
            disbursed_on=disbursed_on,
            term_months=term_months,
            rows=rows or [],
        )
    raise LoanRuleError(gettext("Unknown schedule type."), "schedule_kind")
