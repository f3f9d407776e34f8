"""The supervision indicators of DESIGN §7 and their base figures, for an area subtree (a prefix
of the division code) at a date `on` and over a period `start`..`on` (both days included).

One call answers for one area or for all the children of an area (the townships of a county,
the villages of a township) with the same fixed set of grouped aggregate queries: every query
groups by the first characters of the village code (`Substr(code, 1, L)`, L the length of the
children's prefix), so the number of queries does not depend on the number of children, loans
or households, and nothing is replayed in Python.

Decisions where DESIGN §7 is silent:

* Loans pay their instalments in schedule order (loans.domain.allocation), so the stored
  per-instalment figures (loans.services.figures) are enough: `paid_by_due` (principal of the
  instalment paid on or before its due date) gives the on-time repayment rate, `paid_on` (the
  day it was paid in full) the oldest unpaid due date on any past date. Repayments count as
  they stand now: a reversal recorded later removes a repayment from earlier dates too.
* Outstanding principal on a date = disbursed − principal repaid − principal written off,
  each up to that date; a write-off counts on the date of its journal entry. The average
  outstanding principal (for the fee yield) is the mean over every day of the period.
* A loan is overdue on `on` when its oldest unpaid due date is before `on`; in PAR30 when that
  date is more than 30 days before `on`. Overdue principal is the whole outstanding principal
  of overdue loans (as PAR counts it), not only the instalments past due.
* Cumulative repayment rate = principal of instalments fallen due by `on` that was repaid by
  `on` / principal of instalments fallen due by `on`, over every loan ever disbursed
  (written-off loans included: their unpaid principal was not collected).
* Borrowers in the period: households with a loan disbursed in the period. Members on `on`:
  households that had joined and not yet exited. Poverty status is the current one.
* Capital by source is the balance of the capital accounts on `on` (government capital,
  donated capital, member contributions, bank borrowings, accumulation as "other"); capital a
  pool has allocated to associations counts once, in the associations' books.
* Unmet demand and months waited are today's waitlist (the waitlist keeps no history).
* The effective fee yield is the usage-fee income of the period over the average outstanding
  principal of the period, not annualised.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, Substr
from django.utils import timezone

from associations.models import PREFIX_LENGTH, Area, AreaLevel, Association, Member
from associations.selectors import members_on, trained_this_year
from funds.models import AccountBalance, ApprovalStatus, Book, Expense, JournalLine
from funds.selectors import expense_reversed_by
from loans.models import Instalment, Loan, LoanTransition, Repayment, WriteOff
from loans.workflow import LoanStatus
from mutualaid.money import ZERO, to_fen

RATE = Decimal("0.0001")
MONEY_FIELD = Loan._meta.get_field("amount")
ZERO_VALUE = Value(ZERO, output_field=MONEY_FIELD)
POOR = "registered_poor"
LENT_EVER = [LoanStatus.DISBURSED, LoanStatus.REPAYING, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF]

# Capital by source: the account keys (credit-normal) whose balance each source is.
CAPITAL_SOURCES = {
    "government": ("government_capital",),
    "member": ("member_contributions",),
    "donations": ("donated_capital",),
    "bank_loan": ("bank_borrowings",),
    "other": ("accumulation",),
}
JOURNAL_KEYS = [
    *(key for keys in CAPITAL_SOURCES.values() for key in keys),
    "allocated_capital",
    "cash",
    "bank",
]


def rate(numerator: Decimal | int, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator to four places, half-up; None when the denominator is zero."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE, rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """Base figures of one area on `on` and over the period; the indicators are properties."""

    on: datetime.date
    start: datetime.date
    households: int = 0
    poor_households: int = 0
    members: int = 0
    poor_members: int = 0
    members_trained: int = 0  # at a training from 1 January to `on` (associations.selectors)
    borrowers: int = 0
    poor_borrowers: int = 0
    capital_by_source: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(CAPITAL_SOURCES, ZERO)
    )
    cash: Decimal = ZERO  # cash and bank
    disbursed: Decimal = ZERO  # in the period
    disbursed_count: int = 0
    cumulative_disbursed: Decimal = ZERO  # up to `on`
    repaid_principal: Decimal = ZERO  # in the period
    usage_fee_income: Decimal = ZERO  # in the period
    overdue_fee_income: Decimal = ZERO  # in the period
    outstanding_principal: Decimal = ZERO
    average_outstanding: Decimal = ZERO
    overdue_principal: Decimal = ZERO
    overdue_count: int = 0
    par30_principal: Decimal = ZERO
    par30_count: int = 0
    written_off: Decimal = ZERO  # in the period
    due_in_period: Decimal = ZERO
    repaid_by_due: Decimal = ZERO
    fallen_due: Decimal = ZERO
    collected_of_due: Decimal = ZERO
    waitlisted_count: int = 0
    unmet_demand: Decimal = ZERO
    longest_wait_months: int | None = None
    unreimbursed_advances: Decimal = ZERO

    @property
    def capital(self) -> Decimal:
        return sum(self.capital_by_source.values(), ZERO)

    @property
    def membership_rate(self) -> Decimal | None:
        return rate(self.members, self.households)

    @property
    def poor_membership_rate(self) -> Decimal | None:
        return rate(self.poor_members, self.poor_households)

    @property
    def poor_share_of_members(self) -> Decimal | None:
        return rate(self.poor_members, self.members)

    @property
    def borrowing_rate(self) -> Decimal | None:
        return rate(self.borrowers, self.members)

    @property
    def poor_borrower_coverage(self) -> Decimal | None:
        return rate(self.poor_borrowers, self.poor_members)

    @property
    def fund_usage_rate(self) -> Decimal | None:
        return rate(self.outstanding_principal, self.capital)

    @property
    def turnover(self) -> Decimal | None:
        return rate(self.cumulative_disbursed, self.capital)

    @property
    def on_time_repayment_rate(self) -> Decimal | None:
        return rate(self.repaid_by_due, self.due_in_period)

    @property
    def cumulative_repayment_rate(self) -> Decimal | None:
        return rate(self.collected_of_due, self.fallen_due)

    @property
    def par30(self) -> Decimal | None:
        return rate(self.par30_principal, self.outstanding_principal)

    @property
    def effective_fee_yield(self) -> Decimal | None:
        return rate(self.usage_fee_income, self.average_outstanding)

    @property
    def training_coverage(self) -> Decimal | None:
        return rate(self.members_trained, self.members)


INDICATORS = (
    "membership_rate",
    "poor_membership_rate",
    "poor_share_of_members",
    "borrowing_rate",
    "poor_borrower_coverage",
    "fund_usage_rate",
    "turnover",
    "on_time_repayment_rate",
    "cumulative_repayment_rate",
    "par30",
    "effective_fee_yield",
    "training_coverage",
)
AMOUNTS = (
    "capital",
    "outstanding_principal",
    "overdue_principal",
    "par30_principal",
    "disbursed",
    "repaid_principal",
    "written_off",
    "unmet_demand",
)


def as_json(figures: Figures) -> dict:
    """The figures as the `indicators` command prints them: amounts as strings with two
    decimals, rates with four, null where undefined."""

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    result: dict = {name: text(getattr(figures, name)) for name in INDICATORS}
    result.update({name: text(to_fen(getattr(figures, name))) for name in AMOUNTS})
    result.update(
        {
            "members": figures.members,
            "poor_members": figures.poor_members,
            "borrowers": figures.borrowers,
            "poor_borrowers": figures.poor_borrowers,
            "capital_by_source": {
                source: str(to_fen(amount)) for source, amount in figures.capital_by_source.items()
            },
            "overdue_count": figures.overdue_count,
            "waitlisted": figures.waitlisted_count,
            "longest_wait_months": figures.longest_wait_months,
            "unreimbursed_advances": str(to_fen(figures.unreimbursed_advances)),
            "on": figures.on.isoformat(),
            "from": figures.start.isoformat(),
        }
    )
    return result


# --- the queries ------------------------------------------------------------------------------


def area_figures(*, area: Area, on: datetime.date, start: datetime.date) -> Figures:
    """The figures of one area's whole subtree."""
    return _figures_by_key(area.prefix, len(area.prefix), on=on, start=start)[area.prefix]


def child_figures_by_code(
    *, area: Area, on: datetime.date, start: datetime.date
) -> dict[str, Figures]:
    """`child_figures` keyed by the child's code: the area page's hook (associations.hooks)."""
    return {child.code: figures for child, figures in child_figures(area=area, on=on, start=start)}


def figures_by_village(
    *, area: Area, on: datetime.date, start: datetime.date
) -> dict[str, Figures]:
    """The figures of every village of the subtree that has any, by village code."""
    length = PREFIX_LENGTH[AreaLevel.VILLAGE]
    return dict(_figures_by_key(area.prefix, length, on=on, start=start))


def child_figures(
    *, area: Area, on: datetime.date, start: datetime.date
) -> list[tuple[Area, Figures]]:
    """Each child area with its figures, in code order: one query for the children and the
    same grouped queries as for one area, whatever the number of children."""
    children = list(Area.objects.filter(parent=area).order_by("code"))
    if not children:
        return []
    length = PREFIX_LENGTH[AreaLevel(children[0].level)]
    by_key = _figures_by_key(area.prefix, length, on=on, start=start)
    return [(child, by_key[child.prefix[:length]]) for child in children]


def area_and_child_figures(
    *, area: Area, on: datetime.date, start: datetime.date
) -> tuple[Figures, list[tuple[Area, Figures]]]:
    """The area's figures and its children's (as `area_figures` and `child_figures`) from one
    run of the grouped queries: the area's are the sum of every key of its subtree (children,
    and the area's own books such as a county's pool), so a dashboard pays once, not twice."""
    children = list(Area.objects.filter(parent=area).order_by("code"))
    if not children:
        return area_figures(area=area, on=on, start=start), []
    length = PREFIX_LENGTH[AreaLevel(children[0].level)]
    raw = _figures_by_key(area.prefix, length, on=on, start=start, rounded=False)
    total = _merged(raw.values(), on=on, start=start)
    for figures in (*raw.values(), total):
        _to_fen(figures)
    return total, [(child, raw[child.prefix[:length]]) for child in children]


def area_child_and_village_figures(
    *, area: Area, on: datetime.date, start: datetime.date
) -> tuple[Figures, list[tuple[Area, Figures]], dict[str, Figures]]:
    """`area_and_child_figures` and `figures_by_village` from one run of the grouped queries,
    by village: a child's figures are the sum of its villages', the area's the sum of every
    key of its subtree (its own books, such as a county's pool, included). For the supervision
    report, which needs the three."""
    children = list(Area.objects.filter(parent=area).order_by("code"))
    raw = _figures_by_key(
        area.prefix, PREFIX_LENGTH[AreaLevel.VILLAGE], on=on, start=start, rounded=False
    )
    total = _merged(raw.values(), on=on, start=start)
    by_child: list[tuple[Area, Figures]] = []
    if children:
        length = len(children[0].prefix)
        by_child = [
            (
                child,
                _merged(
                    (
                        f
                        for key, f in raw.items()
                        if key[:length] == child.prefix and len(key) >= length
                    ),
                    on=on,
                    start=start,
                ),
            )
            for child in children
        ]
    for figures in (*raw.values(), total, *(f for _c, f in by_child)):
        _to_fen(figures)
    villages = {key: f for key, f in raw.items() if len(key) == PREFIX_LENGTH[AreaLevel.VILLAGE]}
    return total, by_child, villages


def _merged(parts: Iterable[Figures], *, on: datetime.date, start: datetime.date) -> Figures:
    """The sum of the figures of disjoint parts (every base figure adds up; the longest wait
    is the longest)."""
    total = Figures(on=on, start=start)
    for part in parts:
        for item in fields(total):
            name = item.name
            value = getattr(part, name)
            if name in ("on", "start"):
                continue
            if name == "capital_by_source":
                for source, amount in value.items():
                    total.capital_by_source[source] += amount
            elif name == "longest_wait_months":
                if value is not None:
                    current = total.longest_wait_months
                    total.longest_wait_months = value if current is None else max(current, value)
            else:
                setattr(total, name, getattr(total, name) + value)
    return total


Result = defaultdict[str, "Figures"]


def _figures_by_key(
    prefix: str, length: int, *, on: datetime.date, start: datetime.date, rounded: bool = True
) -> defaultdict[str, Figures]:
    result: defaultdict[str, Figures] = defaultdict(lambda: Figures(on=on, start=start))
    stand = _figures_stand(prefix, on)
    for collect in (
        _households,
        _members,
        _borrowers,
        _journal,
        partial(_flows, stand=stand),
        partial(_loan_risk, stand=stand),
        _waitlist,
        _advances,
    ):
        collect(result, prefix, length, on, start)
    if rounded:
        for figures in result.values():
            _to_fen(figures)
    return result


def _to_fen(figures: Figures) -> None:
    """Amounts to two places (SQLite sums NUMERIC columns in floating point)."""
    for item in fields(figures):
        value = getattr(figures, item.name)
        if isinstance(value, Decimal):
            setattr(figures, item.name, to_fen(value))
    figures.capital_by_source = {k: to_fen(v) for k, v in figures.capital_by_source.items()}


def _key(path: str, length: int) -> Substr:
    return Substr(path, 1, length)


def _grouped(
    queryset: QuerySet[Any], path: str, prefix: str, length: int, *extra: str
) -> QuerySet[Any]:
    return (
        queryset.filter(**{f"{path}__startswith": prefix})
        .annotate(key=_key(path, length))
        .values("key", *extra)
        .order_by()
    )


def _households(
    result: Result, prefix: str, length: int, on: datetime.date, start: datetime.date
) -> None:
    rows = _grouped(Association.objects.all(), "area__code", prefix, length).annotate(
        n=Coalesce(Sum("total_households"), 0), poor=Coalesce(Sum("registered_poor_households"), 0)
    )
    for row in rows:
        result[row["key"]].households = row["n"]
        result[row["key"]].poor_households = row["poor"]


def _members(
    result: Result, prefix: str, length: int, on: datetime.date, start: datetime.date
) -> None:
    """Members on `on`, the registered-poor among them, and those trained in the calendar year
    of `on` (DESIGN §7 training coverage), counted as the training pages count them
    (associations.selectors): one pass over the members."""
    present = Member.objects.filter(members_on(on))
    rows = _grouped(present, "association__area__code", prefix, length).annotate(
        n=Count("id"),
        poor=Count("id", filter=Q(poverty_status=POOR)),
        trained=Count("id", filter=trained_this_year(on)),
    )
    for row in rows:
        result[row["key"]].members = row["n"]
        result[row["key"]].poor_members = row["poor"]
        result[row["key"]].members_trained = row["trained"]


def _borrowers(
    result: Result, prefix: str, length: int, on: datetime.date, start: datetime.date
) -> None:
    loans = Loan.objects.filter(disbursed_on__gte=start, disbursed_on__lte=on)
    rows = _grouped(loans, "association__area__code", prefix, length).annotate(
        n=Count("member", distinct=True),
        poor=Count("member", distinct=True, filter=Q(member__poverty_status=POOR)),
    )
    for row in rows:
        result[row["key"]].borrowers = row["n"]
        result[row["key"]].poor_borrowers = row["poor"]


def _journal(
    result: Result, prefix: str, length: int, on: datetime.date, start: datetime.date
) -> None:
    """Capital by source and cash per key. A book closed through a month on or before `on`
    holds every account's totals through that month (AccountBalance, written by the month
    close), so its balance is those totals plus its lines after the month: the rows read grow
    with the books, not with their history. A book closed after `on` (a past date) or never
    closed sums its lines through `on`."""
    stored = AccountBalance.objects.filter(
        account__key__in=JOURNAL_KEYS,
        book__closed_through__lte=on,
        month_end=F("book__closed_through"),
    )

    # Each book's lines after its closed month (all of them if never closed); the earliest of
    # those bounds in the subtree makes them one range of the date index.
    def after(closed: str) -> Coalesce:
        return Coalesce(
            Case(When(**{f"{closed}__lte": on}, then=F(closed))), Value(datetime.date.min)
        )

    books = Book.objects.filter(area__code__startswith=prefix)
    earliest = books.aggregate(d=Min(after("closed_through")))["d"] or datetime.date.min
    lines = JournalLine.objects.filter(
        date__lte=on, date__gt=earliest, account__key__in=JOURNAL_KEYS
    ).filter(date__gt=after("book__closed_through"))
    balances: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for part in (stored, lines):
        rows = _grouped(part, "book__area__code", prefix, length, "account__key").annotate(
            d=Sum("debit"), c=Sum("credit")
        )
        for row in rows:
            by_account = balances[row["key"]]
            by_account[row["account__key"]] = (
                by_account.get(row["account__key"], ZERO) + (row["c"] or ZERO) - (row["d"] or ZERO)
            )
    for key, by_account in balances.items():
        figures = result[key]
        for source, accounts in CAPITAL_SOURCES.items():
            figures.capital_by_source[source] = sum(
                (by_account.get(a, ZERO) for a in accounts), ZERO
            )
        # A pool's allocations are capital of the associations that received them.
        figures.capital_by_source["government"] += by_account.get("allocated_capital", ZERO)
        figures.cash = -(by_account.get("cash", ZERO) + by_account.get("bank", ZERO))


def _bucket(path: str, start: datetime.date) -> Case:
    """The event's date, or the day before the period for everything earlier."""
    return Case(
        When(**{f"{path}__lt": start}, then=Value(start - datetime.timedelta(days=1))),
        default=F(path),
        output_field=DateField(),
    )


def _flows(
    result: Result,
    prefix: str,
    length: int,
    on: datetime.date,
    start: datetime.date,
    *,
    stand: bool,
) -> None:
    """Disbursed, repaid and written off by day (earlier days in one bucket): the outstanding
    principal on `on`, its daily average over the period, and the period's flows.

    When the stored loan figures stand on `on` (`_figures_stand`), the outstanding principal
    on `on` is the loans' stored one, and the outstanding before the period follows from it
    and the period's events: only the period's repayments and write-offs are read, not the
    whole history. Otherwise every earlier event is summed into the bucket before the period."""
    events: dict[str, dict[datetime.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    now: dict[str, Decimal] = defaultdict(Decimal)  # stored outstanding on `on`, when it stands
    loans = Loan.objects.filter(disbursed_on__lte=on).annotate(day=_bucket("disbursed_on", start))
    for row in _grouped(loans, "association__area__code", prefix, length, "day").annotate(
        s=Sum("amount"),
        n=Count("*"),
        o=Sum("principal_outstanding"),  # all in the index
    ):
        figures = result[row["key"]]
        figures.cumulative_disbursed += row["s"]
        if row["day"] >= start:
            figures.disbursed += row["s"]
            figures.disbursed_count += row["n"]
        events[row["key"]][row["day"]] += row["s"]
        now[row["key"]] += row["o"]
    repayments = Repayment.objects.filter(reversal_entry__isnull=True, paid_on__lte=on).annotate(
        day=_bucket("paid_on", start)
    )
    # An approved write-off (it has its entry) is a written-off loan's: the status lets an area
    # read its write-offs through its written-off loans (index `loan_written_off`).
    write_offs = WriteOff.objects.filter(
        entry__isnull=False, entry__date__lte=on, loan__status=LoanStatus.WRITTEN_OFF
    ).annotate(day=_bucket("entry__date", start))
    if stand:
        repayments = repayments.filter(paid_on__gte=start)
        write_offs = write_offs.filter(entry__date__gte=start)
    # A repayment carries its loan's association: one index range per association.
    for row in _grouped(repayments, "association__area__code", prefix, length, "day").annotate(
        p=Sum("principal"), f=Sum("usage_fee"), o=Sum("overdue_fee")
    ):
        if row["day"] >= start:
            result[row["key"]].repaid_principal += row["p"]
            result[row["key"]].usage_fee_income += row["f"]
            result[row["key"]].overdue_fee_income += row["o"]
        events[row["key"]][row["day"]] -= row["p"]
    by_loan = "loan__association__area__code"
    for row in _grouped(write_offs, by_loan, prefix, length, "day").annotate(s=Sum("principal")):
        if row["day"] >= start:
            result[row["key"]].written_off += row["s"]
        events[row["key"]][row["day"]] -= row["s"]
    days = (on - start).days + 1
    for key, by_day in events.items():
        # Outstanding on a day includes that day's events; it is constant between events.
        if stand:  # what stands now, less what the period's events added to it
            running = now[key] - sum((v for d, v in by_day.items() if d >= start), ZERO)
        else:
            running = sum((v for d, v in by_day.items() if d < start), ZERO)
        total, cursor = ZERO, start
        for day in sorted(d for d in by_day if d >= start):
            total += running * (day - cursor).days
            running += by_day[day]
            cursor = day
        total += running * ((on - cursor).days + 1)
        figures = result[key]
        figures.outstanding_principal = running
        figures.average_outstanding = total / days if days > 0 else ZERO  # rounded at the end


def _loan_risk(
    result: Result,
    prefix: str,
    length: int,
    on: datetime.date,
    start: datetime.date,
    *,
    stand: bool,
) -> None:
    """Principal fallen due and collected of it, overdue principal and PAR30 on `on`, and the
    period's on-time figures.

    When nothing in the subtree happened after `on` (no standing repayment paid and no
    write-off entered after it: the dashboards' usual "today"), the stored loan figures
    (loans.services.figures) are the figures on `on`, and three grouped queries answer,
    nothing per loan (`_stored_risk`: two over the instalments, one over the overdue loans).
    Otherwise (a past date) the figures on `on` are rebuilt from the repayments dated up to it
    (`_replayed_risk`)."""
    if stand:
        _stored_risk(result, prefix, length, on, start)
    else:
        _replayed_risk(result, prefix, length, on, start)
        _on_time(result, prefix, length, on, start)


def _figures_stand(prefix: str, on: datetime.date) -> bool:
    """True when the subtree's stored loan figures are its figures on `on`: one query, none
    from today on (no repayment or write-off is ever dated after today)."""
    if on >= timezone.localdate():
        return True
    later = Association.objects.filter(area__code__startswith=prefix).filter(
        Exists(
            Repayment.objects.filter(
                association=OuterRef("pk"), reversal_entry__isnull=True, paid_on__gt=on
            )
        )
        | Exists(WriteOff.objects.filter(loan__association=OuterRef("pk"), entry__date__gt=on))
    )
    return not later.exists()


def _stored_risk(
    result: Result, prefix: str, length: int, on: datetime.date, start: datetime.date
) -> None:
    """From the stored figures, after `_flows` has summed each key's loans disbursed by `on`
    (`cumulative_disbursed`). Instalments are paid in schedule order, so the principal
    collected of what fell due (min(repaid, fallen due) per loan) is the sum of the stored
    `principal_paid` of the instalments fallen due; a loan is overdue when its stored
    `oldest_unpaid_due_on` is before `on` (a written-off loan stores none) and counts with its
    stored `principal_outstanding`.

    Nothing here reads the whole history. A loan has instalments only once paid out (the
    payout builds them, its reversal deletes them), each falls due after the payout, and they
    add up to the loan's amount (loans.domain.schedules), so:

    * principal fallen due = the amount of the loans disbursed by `on`, less the principal of
      their instalments due after `on`;
    * principal collected of it = that, less the unpaid principal of instalments due by `on`.

    Three index ranges per association (PostgreSQL reads them from the indexes alone): the
    instalments due from the period's start on (the period's on-time figures and those due
    later), and the unpaid ones due before the period."""
    in_period = Q(due_on__lte=on)
    later = Q(due_on__gt=on)
    if on < timezone.localdate():  # loans disbursed after `on` have instalments too
        later &= Q(loan__disbursed_on__lte=on)
    unpaid = F("principal") - F("principal_paid")
    recent = _grouped(
        Instalment.objects.filter(due_on__gte=start), "association__area__code", prefix, length
    ).annotate(
        due=Sum("principal", filter=in_period),
        by_due=Sum("paid_by_due", filter=in_period),
        unpaid=Sum(unpaid, filter=in_period),
        later=Sum("principal", filter=later),
    )
    fallen: dict[str, Decimal] = defaultdict(Decimal)
    unpaid_due: dict[str, Decimal] = defaultdict(Decimal)
    for row in recent:
        figures = result[row["key"]]
        figures.due_in_period = row["due"] or ZERO
        figures.repaid_by_due = row["by_due"] or ZERO
        unpaid_due[row["key"]] += row["unpaid"] or ZERO
        fallen[row["key"]] -= row["later"] or ZERO
    earlier = _grouped(
        Instalment.objects.filter(due_on__lt=start, principal_paid__lt=F("principal")),
        "association__area__code",
        prefix,
        length,
    ).annotate(unpaid=Sum(unpaid))
    for row in earlier:
        unpaid_due[row["key"]] += row["unpaid"] or ZERO
    for key, figures in result.items():
        if figures.cumulative_disbursed:
            figures.fallen_due = figures.cumulative_disbursed + fallen[key]
            figures.collected_of_due = figures.fallen_due - unpaid_due[key]
    late = Q(oldest_unpaid_due_on__lt=on)
    par = Q(oldest_unpaid_due_on__lt=on - datetime.timedelta(days=30))
    loans = Loan.objects.filter(
        status__in=LENT_EVER, disbursed_on__lte=on, oldest_unpaid_due_on__lt=on
    )
    for row in _grouped(loans, "association__area__code", prefix, length).annotate(
        overdue=Sum("principal_outstanding", filter=late),
        overdue_n=Count("id", filter=late),
        par=Sum("principal_outstanding", filter=par),
        par_n=Count("id", filter=par),
    ):
        figures = result[row["key"]]
        figures.overdue_principal = row["overdue"] or ZERO
        figures.overdue_count = row["overdue_n"]
        figures.par30_principal = row["par"] or ZERO
        figures.par30_count = row["par_n"]


def _replayed_risk(
    result: Result, prefix: str, length: int, on: datetime.date, start: datetime.date
) -> None:
    """Per loan disbursed by `on`: principal repaid by `on`, principal fallen due by `on` and
    the oldest instalment unpaid on `on` (from the stored day each was paid in full). A
    correlated subquery per loan: only for dates something happened after."""
    paid = Repayment.objects.filter(
        loan=OuterRef("pk"), reversal_entry__isnull=True, paid_on__lte=on
    )
    due = Instalment.objects.filter(loan=OuterRef("pk"), due_on__lte=on)
    unpaid = Instalment.objects.filter(loan=OuterRef("pk")).filter(
        Q(paid_on__isnull=True) | Q(paid_on__gt=on)
    )
    gone = WriteOff.objects.filter(loan=OuterRef("pk"), entry__date__lte=on)
    loans = Loan.objects.filter(status__in=LENT_EVER, disbursed_on__lte=on).annotate(
        paid=_subquery_sum(paid, "principal"),
        due=_subquery_sum(due, "principal"),
        oldest=Subquery(unpaid.order_by("number").values("due_on")[:1]),
        gone=Exists(gone),
    )
    late = Q(gone=False, oldest__lt=on)
    par = Q(gone=False, oldest__lt=on - datetime.timedelta(days=30))
    left = F("amount") - F("paid")
    rows = _grouped(loans, "association__area__code", prefix, length).annotate(
        fallen=Sum("due"),
        collected=Sum(Least("paid", "due")),
        overdue=Coalesce(Sum(Case(When(late, then=left), output_field=MONEY_FIELD)), ZERO_VALUE),
        overdue_n=Count("id", filter=late),
        par=Coalesce(Sum(Case(When(par, then=left), output_field=MONEY_FIELD)), ZERO_VALUE),
        par_n=Count("id", filter=par),
    )
    for row in rows:
        figures = result[row["key"]]
        figures.fallen_due = row["fallen"] or ZERO
        figures.collected_of_due = row["collected"] or ZERO
        figures.overdue_principal = row["overdue"]
        figures.overdue_count = row["overdue_n"]
        figures.par30_principal = row["par"]
        figures.par30_count = row["par_n"]


def _subquery_sum(queryset: QuerySet[Any], column: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.values("loan").annotate(s=Sum(column)).values("s")[:1],
            output_field=MONEY_FIELD,
        ),
        ZERO_VALUE,
    )


def _on_time(
    result: Result, prefix: str, length: int, on: datetime.date, start: datetime.date
) -> None:
    instalments = Instalment.objects.filter(due_on__gte=start, due_on__lte=on)
    rows = _grouped(instalments, "association__area__code", prefix, length).annotate(
        due=Sum("principal"), by_due=Sum("paid_by_due")
    )
    for row in rows:
        result[row["key"]].due_in_period = row["due"] or ZERO
        result[row["key"]].repaid_by_due = row["by_due"] or ZERO


def _waitlist(
    result: Result, prefix: str, length: int, on: datetime.date, start: datetime.date
) -> None:
    since = LoanTransition.objects.filter(
        loan=OuterRef("pk"), to_status=LoanStatus.WAITLISTED
    ).order_by("-at", "-id")
    loans = Loan.objects.filter(status=LoanStatus.WAITLISTED).annotate(
        since=Subquery(since.values("at")[:1])
    )
    rows = _grouped(loans, "association__area__code", prefix, length).annotate(
        n=Count("id"), s=Sum("amount"), first=Min("since")
    )
    for row in rows:
        figures = result[row["key"]]
        figures.waitlisted_count = row["n"]
        figures.unmet_demand = row["s"] or ZERO
        if row["first"] is not None:
            first = row["first"].date() if hasattr(row["first"], "date") else row["first"]
            figures.longest_wait_months = max(0, _whole_months(first, on))


def _whole_months(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def _advances(
    result: Result, prefix: str, length: int, on: datetime.date, start: datetime.date
) -> None:
    expenses = (
        Expense.objects.filter(status=ApprovalStatus.APPROVED, spent_on__lte=on)
        .exclude(advanced_by="")
        .filter(Q(reimbursed_on__isnull=True) | Q(reimbursed_on__gt=on))
        .exclude(expense_reversed_by(on))  # a reversed expense is no longer owed
    )
    for row in _grouped(expenses, "book__area__code", prefix, length).annotate(s=Sum("amount")):
        result[row["key"]].unreimbursed_advances = row["s"] or ZERO
