"""Usage fee (占用费) and overdue fee (罚息): pure functions, Decimal, no database.

Between two settlements (disbursement or a repayment) principal does not move, so the fee for
that stretch is exact day counting over each instalment's unpaid principal:

* an instalment's unpaid principal accrues at the usage rate up to and including its due date,
  and at usage rate × overdue multiplier from the day after;
* `declining`: the usage fee is charged on the unpaid principal (outstanding × rate × days/365);
* `flat`: the usage fee is charged on the original principal (less the part accruing as
  overdue) for every day up to maturity, however much has been repaid;
* no usage fee accrues after maturity: all unpaid principal is overdue by then.

The days are counted as (last settlement, payment date]. Each fee is rounded half-up to the fen
once per settlement; an unpaid remainder is carried as owed and never bears fees itself.
"""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loans.domain.schedules import Schedule
from loans.exceptions import LoanRuleError
from mutualaid.money import ZERO, to_fen

DAYS_IN_YEAR = 365


class FeeMethod(models.TextChoices):
    DECLINING = "declining", _("declining (on outstanding principal)")
    FLAT = "flat", _("flat (on the original principal)")


@dataclass(frozen=True)
class LoanTerms:
    """What the fee and repayment rules need to know about a disbursed loan."""

    principal: Decimal
    disbursed_on: datetime.date
    schedule: Schedule
    annual_rate: Decimal
    method: str = FeeMethod.DECLINING
    overdue_multiplier: Decimal = Decimal("1.5")

    def __post_init__(self) -> None:
        if sum((i.principal for i in self.schedule), ZERO) != self.principal:
            raise ValueError("the schedule does not add up to the principal")

    @property
    def maturity(self) -> datetime.date:
        return self.schedule[-1].due_on


@dataclass(frozen=True)
class LoanState:
    """Where a loan stands right after its last settlement."""

    settled_on: datetime.date
    unpaid: tuple[Decimal, ...]  # unpaid principal per instalment, in schedule order
    overdue_fee_owed: Decimal = ZERO  # fees fixed at earlier settlements and not yet paid
    usage_fee_owed: Decimal = ZERO

    @classmethod
    def opening(cls, terms: LoanTerms) -> "LoanState":
        return cls(terms.disbursed_on, tuple(i.principal for i in terms.schedule))

    @property
    def principal_outstanding(self) -> Decimal:
        return sum(self.unpaid, ZERO)


@dataclass(frozen=True)
class Accrual:
    usage_fee: Decimal
    overdue_fee: Decimal


@dataclass(frozen=True)
class AmountOwed:
    """The "amount owed today" preview."""

    on: datetime.date
    overdue_fee: Decimal
    usage_fee: Decimal
    principal_due: Decimal  # unpaid principal of instalments due on or before `on`
    principal_outstanding: Decimal

    @property
    def due_now(self) -> Decimal:
        return self.overdue_fee + self.usage_fee + self.principal_due

    @property
    def payoff(self) -> Decimal:
        """Everything owed: the most a repayment on this date may be."""
        return self.overdue_fee + self.usage_fee + self.principal_outstanding


def _days(start: datetime.date, end: datetime.date) -> int:
    return max(0, (end - start).days)


def accrue(terms: LoanTerms, state: LoanState, on: datetime.date) -> Accrual:
    """Fees accrued from the last settlement to `on`, each rounded once."""
    if on < state.settled_on:
        raise LoanRuleError(
            gettext("The date %(date)s is before the last settlement on %(settled)s.")
            % {"date": on, "settled": state.settled_on},
            "before_settlement",
        )
    start = state.settled_on
    normal = overdue = ZERO  # principal × days, exact
    for instalment, unpaid in zip(terms.schedule, state.unpaid, strict=True):
        normal += unpaid * _days(start, min(on, instalment.due_on))
        overdue += unpaid * _days(max(start, instalment.due_on), on)
    if terms.method == FeeMethod.FLAT and state.principal_outstanding > ZERO:
        within_term = min(on, terms.maturity)
        normal = terms.principal * _days(start, within_term) - sum(
            (
                unpaid * _days(max(start, instalment.due_on), within_term)
                for instalment, unpaid in zip(terms.schedule, state.unpaid, strict=True)
            ),
            ZERO,
        )
    rate = terms.annual_rate
    return Accrual(
        usage_fee=to_fen(normal * rate / DAYS_IN_YEAR),
        overdue_fee=to_fen(overdue * rate * terms.overdue_multiplier / DAYS_IN_YEAR),
    )


def settle(terms: LoanTerms, state: LoanState, on: datetime.date) -> LoanState:
    """Fix the fees accrued up to `on` as owed and start counting afresh from `on`."""
    accrual = accrue(terms, state, on)
    return replace(
        state,
        settled_on=on,
        overdue_fee_owed=state.overdue_fee_owed + accrual.overdue_fee,
        usage_fee_owed=state.usage_fee_owed + accrual.usage_fee,
    )


def amount_owed(terms: LoanTerms, state: LoanState, on: datetime.date) -> AmountOwed:
    settled = settle(terms, state, on)
    return AmountOwed(
        on=on,
        overdue_fee=settled.overdue_fee_owed,
        usage_fee=settled.usage_fee_owed,
        principal_due=sum(
            (
                unpaid
                for instalment, unpaid in zip(terms.schedule, settled.unpaid, strict=True)
                if instalment.due_on <= on
            ),
            ZERO,
        ),
        principal_outstanding=settled.principal_outstanding,
    )
