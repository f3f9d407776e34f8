"""Derived loan facts and the extension and write-off rules: pure, no database.

Status and days past due are derived from the instalments, never stored apart from them.
"""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loans.domain.fees import LoanState, LoanTerms
from loans.domain.schedules import ABSOLUTE_MAX_TERM_MONTHS, Instalment, add_months
from loans.exceptions import LoanRuleError
from mutualaid.money import ZERO


class InstalmentStatus(models.TextChoices):
    PAID = "paid", _("paid")
    UPCOMING = "upcoming", _("not yet due")
    DUE = "due", _("due today")
    OVERDUE = "overdue", _("overdue")


@dataclass(frozen=True)
class InstalmentRow:
    number: int
    due_on: datetime.date
    principal: Decimal
    paid: Decimal
    unpaid: Decimal
    status: str
    days_overdue: int


def instalment_rows(terms: LoanTerms, state: LoanState, on: datetime.date) -> list[InstalmentRow]:
    rows = []
    for number, (instalment, unpaid) in enumerate(
        zip(terms.schedule, state.unpaid, strict=True), start=1
    ):
        if unpaid == ZERO:
            status = InstalmentStatus.PAID
        elif on < instalment.due_on:
            status = InstalmentStatus.UPCOMING
        elif on == instalment.due_on:
            status = InstalmentStatus.DUE
        else:
            status = InstalmentStatus.OVERDUE
        days = (on - instalment.due_on).days if status == InstalmentStatus.OVERDUE else 0
        rows.append(
            InstalmentRow(
                number=number,
                due_on=instalment.due_on,
                principal=instalment.principal,
                paid=instalment.principal - unpaid,
                unpaid=unpaid,
                status=status,
                days_overdue=days,
            )
        )
    return rows


def oldest_overdue_due_date(
    terms: LoanTerms, state: LoanState, on: datetime.date
) -> datetime.date | None:
    return next(
        (
            instalment.due_on
            for instalment, unpaid in zip(terms.schedule, state.unpaid, strict=True)
            if unpaid > ZERO and instalment.due_on < on
        ),
        None,
    )


def days_past_due(terms: LoanTerms, state: LoanState, on: datetime.date) -> int:
    """Days since the oldest unpaid due date (0 when nothing is overdue)."""
    oldest = oldest_overdue_due_date(terms, state, on)
    return (on - oldest).days if oldest else 0


def write_off_eligible(
    terms: LoanTerms, state: LoanState, on: datetime.date, *, overdue_months: int
) -> bool:
    """Overdue for at least `overdue_months` whole months (the policy's write-off threshold)."""
    oldest = oldest_overdue_due_date(terms, state, on)
    return oldest is not None and add_months(oldest, overdue_months) <= on


def write_off_check(
    terms: LoanTerms, state: LoanState, on: datetime.date, *, overdue_months: int
) -> None:
    if not write_off_eligible(terms, state, on, overdue_months=overdue_months):
        raise LoanRuleError(
            gettext("A loan can be written off only after %(months)s months overdue.")
            % {"months": overdue_months},
            "write_off_too_early",
        )


def extension_check(
    terms: LoanTerms,
    *,
    on: datetime.date,
    new_maturity: datetime.date,
    extensions_so_far: int,
    max_term_months: int = ABSOLUTE_MAX_TERM_MONTHS,
) -> None:
    """At most one extension, asked before maturity, ending within the maximum term."""
    if extensions_so_far >= 1:
        raise LoanRuleError(gettext("A loan can be extended only once."), "extension_twice")
    if on >= terms.maturity:
        raise LoanRuleError(
            gettext("An extension must be decided before the maturity date %(maturity)s.")
            % {"maturity": terms.maturity},
            "extension_after_maturity",
        )
    if new_maturity <= terms.maturity:
        raise LoanRuleError(
            gettext("The new maturity must be after the current one (%(maturity)s).")
            % {"maturity": terms.maturity},
            "extension_not_later",
        )
    limit = add_months(terms.disbursed_on, min(max_term_months, ABSOLUTE_MAX_TERM_MONTHS))
    if new_maturity > limit:
        raise LoanRuleError(
            gettext(
                "The new maturity %(date)s is more than %(months)s months after the "
                "disbursement (at most %(limit)s)."
            )
            % {"date": new_maturity, "months": max_term_months, "limit": limit},
            "extension_too_long",
        )


def extend(
    terms: LoanTerms,
    *,
    on: datetime.date,
    new_maturity: datetime.date,
    extensions_so_far: int,
    max_term_months: int = ABSOLUTE_MAX_TERM_MONTHS,
) -> LoanTerms:
    """The terms after an extension: the last instalment moves to the new maturity.

    The moved instalment is not yet due on `on`, so re-deriving fees for earlier settlements
    from the new schedule gives the same figures as before: history stays exact.
    """
    extension_check(
        terms,
        on=on,
        new_maturity=new_maturity,
        extensions_so_far=extensions_so_far,
        max_term_months=max_term_months,
    )
    last = terms.schedule[-1]
    schedule = (*terms.schedule[:-1], Instalment(new_maturity, last.principal))
    return replace(terms, schedule=schedule)
