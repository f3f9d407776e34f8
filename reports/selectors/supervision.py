"""What the monthly supervision report (DESIGN §9) shows for an area: the indicators of the
month and at month end (from reports.selectors.indicators, never recomputed here) and the lists
behind them. Every list is a fixed number of queries, except the overdue list, which replays
each overdue loan up to the month end for its overdue fee (bounded by the overdue loans).

Decisions where DESIGN §9 is silent:

* The overdue list is as it stood at the month end: a loan is in it when its oldest instalment
  unpaid at the month end fell due before the month end (the stored day each instalment was
  paid in full, as the indicators read it); its overdue principal is its whole outstanding
  principal, as the indicators count it, so the list adds up to section 1's figure.
* "Months not closed": association books not closed through the end of the month before the
  report's month (the report's own month is closed in the days after it ends).
* "Rule warnings": applications that waited for funds more than three months, and a PAR30 above
  five per cent (the thresholds are the usual supervision guidance).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from associations.models import Area, Association
from funds.models import ApprovalStatus, Book, Expense, JournalEntry, JournalLine, Transfer
from funds.selectors import expense_reversed_by
from loans.domain.allocation import Payment, replay
from loans.domain.fees import amount_owed
from loans.models import Instalment, Loan, LoanTransition, Repayment, WriteOff
from loans.selectors.loans import loan_terms
from loans.workflow import LoanStatus
from mutualaid.money import ZERO
from reports.selectors import dashboards
from reports.selectors.duplicates import DuplicateRow, duplicate_funding
from reports.selectors.indicators import (
    Figures,
    area_child_and_village_figures,
)

LENT_EVER = [LoanStatus.DISBURSED, LoanStatus.REPAYING, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF]
WAIT_WARNING_MONTHS = 3
PAR30_WARNING = Decimal("0.05")


@dataclass
class Exception_:
    """One line of section 6: its kind, where, and what."""

    kind: str
    where: str
    text: str


@dataclass
class OverdueLoan:
    """A loan overdue at the month end, as section 4 lists it."""

    loan: Loan
    oldest_due: datetime.date
    days_past_due: int
    overdue_principal: Decimal
    overdue_fee: Decimal
    contacts: list


@dataclass
class WriteOffRow:
    write_off: WriteOff
    loss: Decimal  # the part the risk reserve did not meet


@dataclass
class SupervisionData:
    area: Area
    month: datetime.date  # the first day
    end: datetime.date  # the last day
    figures: Figures
    associations: int
    children: list[tuple[Area, Figures]]
    activity: dict[str, int]
    new_loans: list[Loan]
    overdue: list[OverdueLoan]
    extensions: list[LoanTransition]
    write_offs: list[WriteOffRow]
    reversals: list[dict]
    exceptions: list[Exception_] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    flows: list[dashboards.MonthFlow] = field(default_factory=list)

    @property
    def child_level(self) -> str:
        return self.children[0][0].get_level_display() if self.children else ""


def month_end(month: datetime.date) -> datetime.date:
    following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def supervision_data(*, area: Area, month: datetime.date) -> SupervisionData:
    """Everything the report of `area` for `month` (any day of it) shows."""
    start = month.replace(day=1)
    end = month_end(start)
    prefix = area.prefix
    figures, children, villages = area_child_and_village_figures(area=area, on=end, start=start)
    return SupervisionData(
        area=area,
        month=start,
        end=end,
        figures=figures,
        associations=Association.objects.filter(area__code__startswith=prefix).count(),
        children=children,
        activity=_activity(prefix, start, end),
        new_loans=_new_loans(prefix, start, end),
        overdue=overdue_at(prefix=prefix, on=end),
        extensions=_extensions(prefix, start, end),
        write_offs=_write_offs(prefix, start, end),
        reversals=_reversals(prefix, start, end),
        exceptions=_exceptions(area, figures, villages, start, end),
        transfers=_transfers(prefix, start, end),
        flows=dashboards.monthly_flows(area=area, on=end, months=12),
    )


def _activity(prefix: str, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Applications submitted, approved and rejected in the month (status changes)."""
    rows = (
        LoanTransition.objects.filter(
            loan__association__area__code__startswith=prefix,
            at__date__gte=start,
            at__date__lte=end,
            to_status__in=[LoanStatus.SUBMITTED, LoanStatus.APPROVED, LoanStatus.REJECTED],
        )
        .exclude(from_status=LoanStatus.WAITLISTED)
        .values("to_status")
        .annotate(n=Count("loan", distinct=True))
        .order_by()
    )
    counts = {row["to_status"]: row["n"] for row in rows}
    return {
        "submitted": counts.get(LoanStatus.SUBMITTED, 0),
        "approved": counts.get(LoanStatus.APPROVED, 0),
        "rejected": counts.get(LoanStatus.REJECTED, 0),
    }


def _in_area(prefix: str) -> QuerySet[Loan]:
    return Loan.objects.filter(association__area__code__startswith=prefix)


def _new_loans(prefix: str, start: datetime.date, end: datetime.date) -> list[Loan]:
    approved = LoanTransition.objects.filter(
        loan=OuterRef("pk"), to_status=LoanStatus.APPROVED
    ).order_by("-at", "-id")
    return list(
        _in_area(prefix)
        .filter(disbursed_on__gte=start, disbursed_on__lte=end)
        .select_related("member", "association__area", "purpose", "group", "guarantor", "placement")
        .annotate(approved_at=Subquery(approved.values("at")[:1]))
        .order_by("association__area__code", "disbursed_on", "pk")
    )


def overdue_at(*, prefix: str, on: datetime.date) -> list[OverdueLoan]:
    """Loans overdue on `on` (not written off by then), the longest overdue first, with their
    overdue principal and fee on `on` (replayed from the repayments up to `on`) and whom to
    call."""
    unpaid = Instalment.objects.filter(loan=OuterRef("pk")).filter(
        Q(paid_on__isnull=True) | Q(paid_on__gt=on)
    )
    gone = WriteOff.objects.filter(loan=OuterRef("pk"), entry__date__lte=on)
    loans = list(
        _in_area(prefix)
        .filter(status__in=LENT_EVER, disbursed_on__lte=on)
        .annotate(
            oldest_due=Subquery(unpaid.order_by("number").values("due_on")[:1]), gone=Exists(gone)
        )
        .filter(gone=False, oldest_due__lt=on)
        .select_related("member", "association__area", "group", "guarantor")
        .prefetch_related(dashboards.leaders())
        .order_by("oldest_due", "pk")
    )
    # The replay's inputs for every listed loan in two queries, not two per loan.
    instalments: dict[int, list[Instalment]] = {}
    for instalment in Instalment.objects.filter(loan__in=loans).order_by("loan_id", "number"):
        instalments.setdefault(instalment.loan_id, []).append(instalment)
    payments: dict[int, list[Payment]] = {}
    for repayment in Repayment.objects.filter(
        loan__in=loans, reversal_entry__isnull=True, paid_on__lte=on
    ).order_by("loan_id", "paid_on", "id"):
        payments.setdefault(repayment.loan_id, []).append(
            Payment(repayment.paid_on, repayment.amount)
        )
    rows = []
    for loan in loans:
        terms = loan_terms(loan, instalments=instalments.get(loan.pk, []))
        _allocations, state = replay(terms, payments.get(loan.pk, []))
        owed = amount_owed(terms, state, on)
        rows.append(
            OverdueLoan(
                loan=loan,
                oldest_due=loan.oldest_due,
                days_past_due=(on - loan.oldest_due).days,
                overdue_principal=owed.principal_outstanding,
                overdue_fee=owed.overdue_fee,
                contacts=dashboards.contacts(loan),
            )
        )
    return rows


def _extensions(prefix: str, start: datetime.date, end: datetime.date) -> list[LoanTransition]:
    return list(
        LoanTransition.objects.filter(
            loan__association__area__code__startswith=prefix,
            at__date__gte=start,
            at__date__lte=end,
            from_status=F("to_status"),
            from_status__in=[LoanStatus.DISBURSED, LoanStatus.REPAYING],
        )
        .select_related("loan__member", "loan__association__area", "by")
        .order_by("at", "pk")
    )


def _write_offs(prefix: str, start: datetime.date, end: datetime.date) -> list[WriteOffRow]:
    """Write-offs approved in the month, each with the part the reserve did not meet."""
    write_offs = (
        WriteOff.objects.filter(
            loan__association__area__code__startswith=prefix,
            entry__date__gte=start,
            entry__date__lte=end,
        )
        .select_related("loan__member", "loan__association__area", "entry")
        .order_by("entry__date", "pk")
    )
    return [WriteOffRow(w, (w.principal or ZERO) - (w.from_reserve or ZERO)) for w in write_offs]


def _reversals(prefix: str, start: datetime.date, end: datetime.date) -> list[dict]:
    """Repayments reversed in the month and other journal entries reversed in the month."""
    repayments = Repayment.objects.filter(
        loan__association__area__code__startswith=prefix,
        reversal_entry__date__gte=start,
        reversal_entry__date__lte=end,
    ).select_related("loan__member", "loan__association__area", "reversal_entry")
    rows = [
        {
            "date": cast(JournalEntry, r.reversal_entry).date,
            "where": r.loan.association.area.name,
            "what": _("Repayment of %(name)s, %(amount)s yuan")
            % {"name": r.loan.member.name, "amount": r.amount},
            "reason": r.reversal_reason,
        }
        for r in repayments
    ]
    repayment_entries = [r.reversal_entry_id for r in repayments if r.reversal_entry_id]
    entries = (
        JournalEntry.objects.filter(
            book__area__code__startswith=prefix,
            date__gte=start,
            date__lte=end,
            reverses__isnull=False,
        )
        .exclude(pk__in=repayment_entries)
        .select_related("book__area", "reverses")
    )
    rows += [
        {
            "date": e.date,
            "where": e.book.area.name,
            "what": cast(JournalEntry, e.reverses).memo,
            "reason": e.memo,
        }
        for e in entries
    ]
    return sorted(rows, key=lambda row: row["date"])


def _duplicate_text(row: DuplicateRow) -> str:
    """Why a household is listed under duplicate funding (reports.selectors.duplicates)."""
    parts = []
    if row.other_loans:
        parts.append(
            _("%(name)s holds a mutual-aid loan and another subsidised loan")
            % {"name": row.member.name}
        )
    if row.elsewhere:
        parts.append(
            _("%(name)s also borrows in %(villages)s under the same ID number")
            % {
                "name": row.member.name,
                "villages": "、".join(loan.association.area.name for loan in row.elsewhere),
            }
        )
    return "；".join(parts)


def _exceptions(
    area: Area,
    figures: Figures,
    villages: dict[str, Figures],
    start: datetime.date,
    end: datetime.date,
) -> list[Exception_]:
    prefix = area.prefix
    found = [
        Exception_(str(_("Duplicate funding")), row.village.name, _duplicate_text(row))
        for row in duplicate_funding(area=area, on=end)
    ]
    old = end - datetime.timedelta(days=30)
    advances = (
        Expense.objects.filter(
            book__area__code__startswith=prefix,
            status=ApprovalStatus.APPROVED,
            spent_on__lte=old,
        )
        .exclude(advanced_by="")
        .filter(Q(reimbursed_on__isnull=True) | Q(reimbursed_on__gt=end))
        .exclude(expense_reversed_by(end))
        .select_related("book__area")
        .order_by("spent_on", "pk")
    )
    found += [
        Exception_(
            str(_("Advance not reimbursed for over 30 days")),
            e.book.area.name,
            _("%(who)s advanced %(amount)s yuan on %(date)s")
            % {"who": e.advanced_by, "amount": e.amount, "date": e.spent_on},
        )
        for e in advances
    ]
    previous_end = start - datetime.timedelta(days=1)
    books = Book.objects.filter(area__code__startswith=prefix, association__isnull=False).filter(
        Q(closed_through__isnull=True) | Q(closed_through__lt=previous_end)
    )
    found += [
        Exception_(
            str(_("Month not closed")),
            book.area.name,
            _("Books closed through %(date)s") % {"date": book.closed_through or "—"},
        )
        for book in books.select_related("area").order_by("area__code")
    ]
    found += _receivable_mismatches(area, villages, end)
    found += _warnings(area, figures)
    return found


def _receivable_mismatches(
    area: Area, loans: dict[str, Figures], end: datetime.date
) -> list[Exception_]:
    """Villages whose loans receivable at the month end differ from their loans' outstanding
    principal (the indicators' figure, `loans` by village code)."""
    ledger = {
        row["book__area__code"]: (row["d"] or ZERO) - (row["c"] or ZERO)
        for row in JournalLine.objects.filter(
            book__area__code__startswith=area.prefix,
            book__association__isnull=False,
            account__key="loans_receivable",
            date__lte=end,
        )
        .values("book__area__code")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    }
    names = dict(Area.objects.filter(code__in=set(ledger) | set(loans)).values_list("code", "name"))
    result = []
    for code in sorted(set(ledger) | set(loans)):
        books = ledger.get(code, ZERO)
        lent = loans[code].outstanding_principal if code in loans else ZERO
        if books != lent:
            result.append(
                Exception_(
                    str(_("Loans receivable differ from the loans")),
                    names.get(code, code),
                    _("books %(books)s yuan, loans %(loans)s yuan")
                    % {"books": books, "loans": lent},
                )
            )
    return result


def _warnings(area: Area, figures: Figures) -> list[Exception_]:
    result = []
    if (figures.longest_wait_months or 0) > WAIT_WARNING_MONTHS:
        result.append(
            Exception_(
                str(_("Rule warning")),
                area.name,
                _("An application has waited for funds %(months)s months")
                % {"months": figures.longest_wait_months},
            )
        )
    if figures.par30 is not None and figures.par30 > PAR30_WARNING:
        result.append(
            Exception_(
                str(_("Rule warning")),
                area.name,
                _("PAR30 is %(rate)s%%, above 5%%") % {"rate": f"{figures.par30 * 100:.2f}"},
            )
        )
    return result


def _transfers(prefix: str, start: datetime.date, end: datetime.date) -> list[Transfer]:
    """Approved transfers between a pool and the area's associations in the month."""
    return list(
        Transfer.objects.filter(
            status=ApprovalStatus.APPROVED,
            on__gte=start,
            on__lte=end,
            target__area__code__startswith=prefix,
        )
        .select_related("pool__area", "target__area")
        .order_by("on", "pk")
    )
