"""Repayment allocation and re-derivation of a loan's state: pure, Decimal, no database.

A repayment first settles the fees up to its date, then pays overdue fee → usage fee →
principal, oldest instalment first. Paying early therefore pays fees only up to the payment
date, and any principal beyond what is due goes to the next instalments in date order.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from loans.domain.fees import LoanState, LoanTerms, amount_owed, settle
from loans.exceptions import LoanRuleError
from mutualaid.money import ZERO, to_fen


@dataclass(frozen=True)
class Payment:
    paid_on: datetime.date
    amount: Decimal


@dataclass(frozen=True)
class Allocation:
    paid_on: datetime.date
    amount: Decimal
    overdue_fee: Decimal
    usage_fee: Decimal
    principal: Decimal
    principal_by_instalment: tuple[Decimal, ...]  # aligned with the schedule


def allocate(
    terms: LoanTerms, state: LoanState, *, amount: Decimal, paid_on: datetime.date
) -> tuple[Allocation, LoanState]:
    """Split one repayment and return it with the loan's state after it."""
    if amount <= ZERO or amount != to_fen(amount):
        raise LoanRuleError(_("The amount must be positive, in yuan and fen."), "repayment_amount")
    owed = amount_owed(terms, state, paid_on)
    if amount > owed.payoff:
        raise LoanRuleError(
            _("%(amount)s yuan is more than everything owed on %(date)s: %(owed)s yuan.")
            % {"amount": amount, "date": paid_on, "owed": owed.payoff},
            "overpayment",
        )
    state = settle(terms, state, paid_on)
    left = amount
    overdue_fee = min(left, state.overdue_fee_owed)
    left -= overdue_fee
    usage_fee = min(left, state.usage_fee_owed)
    left -= usage_fee
    by_instalment = []
    for unpaid in state.unpaid:
        part = min(left, unpaid)
        by_instalment.append(part)
        left -= part
    paid = tuple(by_instalment)
    new_state = replace(
        state,
        overdue_fee_owed=state.overdue_fee_owed - overdue_fee,
        usage_fee_owed=state.usage_fee_owed - usage_fee,
        unpaid=tuple(u - p for u, p in zip(state.unpaid, paid, strict=True)),
    )
    allocation = Allocation(
        paid_on=paid_on,
        amount=amount,
        overdue_fee=overdue_fee,
        usage_fee=usage_fee,
        principal=sum(paid, ZERO),
        principal_by_instalment=paid,
    )
    return allocation, new_state


def replay(terms: LoanTerms, payments: Iterable[Payment]) -> tuple[list[Allocation], LoanState]:
    """Re-derive every allocation and the current state from the repayments still standing.

    Payments are taken in date order (stable for the same date). Reversing a repayment is
    replaying without it; a back-dated entry that would make a later one an over-payment
    raises LoanRuleError.
    """
    state = LoanState.opening(terms)
    allocations = []
    for payment in sorted(payments, key=lambda p: p.paid_on):
        allocation, state = allocate(terms, state, amount=payment.amount, paid_on=payment.paid_on)
        allocations.append(allocation)
    return allocations, state
