"""Stored loan figures (DESIGN §6 "what reads need at scale is stored, not replayed").

Per loan: the outstanding principal and the oldest unpaid due date. Per instalment: the
principal paid, the part of it paid on or before the due date, and the day it was paid in full.
The money services call `loan_figures_store` in the same transaction as the disbursement,
repayment, reversal (and its re-allocation), extension and write-off, so the figures always
equal the replay of the standing repayments (tests/loans/test_loan_figures.py checks it with
hypothesis).

Principal always pays the instalments in schedule order (loans.domain.allocation), so when each
instalment was paid, and how much of it by its due date, follows from the standing repayments'
principal in date order: no second replay, two small reads (instalments, repayments) and the
writes of what changed.
"""

import datetime
from decimal import Decimal

from loans.domain.fees import LoanState
from loans.models import Instalment, Loan
from loans.workflow import LoanStatus
from mutualaid.money import ZERO


def _paid_through(payments: list[tuple[datetime.date, Decimal]], day: datetime.date) -> Decimal:
    return sum((principal for paid_on, principal in payments if paid_on <= day), ZERO)


def instalment_figures(
    instalments: list[Instalment], payments: list[tuple[datetime.date, Decimal]]
) -> list[tuple[Decimal, Decimal, datetime.date | None]]:
    """(principal paid, paid by the due date, paid in full on) per instalment, in order."""
    total = sum((principal for _day, principal in payments), ZERO)
    figures, before = [], ZERO  # `before`: principal of the earlier instalments
    for instalment in instalments:
        paid = min(max(total - before, ZERO), instalment.principal)
        by_due = min(
            max(_paid_through(payments, instalment.due_on) - before, ZERO), instalment.principal
        )
        paid_on, running = None, ZERO
        if paid == instalment.principal:
            for day, principal in payments:
                running += principal
                if running >= before + instalment.principal:
                    paid_on = day
                    break
        figures.append((paid, by_due, paid_on))
        before += instalment.principal
    return figures


def loan_figures_store(
    *,
    loan: Loan,
    state: LoanState | None = None,
    instalments: list[Instalment] | None = None,
    payments: list[tuple[datetime.date, Decimal]] | None = None,
) -> None:
    """Bring the stored figures of `loan` up to date. `state` is the replayed state the caller
    already holds (after a repayment or a re-allocation); without it (disbursement, extension,
    write-off) the instalments' principal paid stands and only dates and totals are derived.
    A caller that has read them passes the instalments in order and the standing repayments'
    (paid on, principal) in date order, this one included."""
    if instalments is None:
        instalments = list(Instalment.objects.filter(loan=loan).order_by("number"))
    if payments is None:
        payments = [
            (paid_on, principal)
            for paid_on, principal in loan.repayments.filter(reversal_entry__isnull=True)
            .order_by("paid_on", "id")
            .values_list("paid_on", "principal")
        ]
    changed = []
    for instalment, (paid, by_due, paid_on) in zip(
        instalments, instalment_figures(instalments, payments), strict=True
    ):
        if (instalment.principal_paid, instalment.paid_by_due, instalment.paid_on) != (
            paid,
            by_due,
            paid_on,
        ):
            instalment.principal_paid, instalment.paid_by_due, instalment.paid_on = (
                paid,
                by_due,
                paid_on,
            )
            changed.append(instalment)
    for instalment in changed:  # usually one or two: plain updates, no savepoint
        Instalment.objects.filter(pk=instalment.pk).update(
            principal_paid=instalment.principal_paid,
            paid_by_due=instalment.paid_by_due,
            paid_on=instalment.paid_on,
        )
    if state is not None:
        unpaid = [i.principal - i.principal_paid for i in instalments]
        assert unpaid == list(state.unpaid), "stored figures disagree with the replay"
    open_rows = [i for i in instalments if i.principal_paid < i.principal]
    written_off = loan.status == LoanStatus.WRITTEN_OFF
    # A written-off loan is out of loans receivable: nothing outstanding, nothing overdue.
    loan.principal_outstanding = (
        ZERO if written_off else sum((i.principal - i.principal_paid for i in open_rows), ZERO)
    )
    loan.oldest_unpaid_due_on = None if written_off or not open_rows else open_rows[0].due_on
    Loan.objects.filter(pk=loan.pk).update(
        principal_outstanding=loan.principal_outstanding,
        oldest_unpaid_due_on=loan.oldest_unpaid_due_on,
    )
