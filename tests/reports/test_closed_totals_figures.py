"""What the dashboards read instead of the whole history (issue 14) gives the figures the whole
history gives: each closed book's balances as its stored totals at its last closed month plus
its lines after it (today, a day inside the open month, a day the books have since closed
past), and, when the loans' stored figures stand, the outstanding principal and its average
from the stored outstanding and the period's events only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.models import Area
from funds.models import AccountBalance, Book
from loans.models import Instalment, Loan
from reports.selectors.indicators import area_and_child_figures
from worldgen.build import generate
from worldgen.config import Config, county_plans

TODAY = datetime.date(2026, 11, 30)

pytestmark = pytest.mark.django_db


def _journal_figures(area: Area, on: datetime.date) -> dict[str, tuple]:
    total, children = area_and_child_figures(area=area, on=on, start=datetime.date(on.year, 1, 1))
    return {a.code: (f.cash, dict(f.capital_by_source)) for a, f in [(area, total), *children]}


def test_closed_totals_and_later_lines_give_the_figures_of_every_line():
    generate(
        Config(seed=3, today=TODAY, start=datetime.date(2023, 11, 30), members=20),
        county_plans(1, 2, 2),
        log=lambda _line: None,
    )
    county = Area.objects.get(level="county")
    closed = set(Book.objects.exclude(closed_through=None).values_list("closed_through", flat=True))
    assert closed == {datetime.date(2026, 9, 30)} and AccountBalance.objects.exists()
    days = [
        TODAY,
        datetime.date(2026, 10, 15),
        datetime.date(2026, 9, 30),
        datetime.date(2026, 3, 3),
    ]
    with CaptureQueriesContext(connection) as queries:
        read = {day: _journal_figures(county, day) for day in days}
    assert any("funds_accountbalance" in q["sql"] for q in queries.captured_queries)
    # The oracle: the same figures with no closed totals, every balance summed from its lines.
    AccountBalance.objects.all().delete()
    Book.objects.update(closed_through=None)
    for day in days:
        assert read[day] == _journal_figures(county, day), day
    assert read[TODAY][county.code][0] > 0  # the county holds cash: the figures are not empty


def test_books_closed_before_the_closed_totals_get_them_from_the_migration():
    """funds 0005: a book closed through a month with no totals stored gets them, equal to its
    lines; a book that has them is left as it is."""
    from importlib import import_module

    from django.apps import apps
    from django.db.models import Sum

    from funds.models import JournalLine

    backfill = import_module("funds.migrations.0005_closed_totals_backfill").backfill
    generate(
        Config(seed=5, today=TODAY, start=datetime.date(2025, 11, 30), members=10),
        county_plans(1, 1, 2),
        log=lambda _line: None,
    )
    first, second = Book.objects.exclude(closed_through=None).order_by("id")[:2]
    kept = list(AccountBalance.objects.filter(book=second).values_list("id", "debit", "credit"))
    AccountBalance.objects.filter(book=first).delete()
    backfill(apps, None)
    stored = {
        r.account_id: (r.debit, r.credit)
        for r in AccountBalance.objects.filter(book=first, month_end=first.closed_through)
    }
    summed = {
        row["account_id"]: (row["d"], row["c"])
        for row in JournalLine.objects.filter(book=first, date__lte=first.closed_through)
        .values("account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by()
    }
    assert stored and stored.keys() == summed.keys()
    assert all(stored[a] == tuple(round(v, 2) for v in summed[a]) for a in stored)
    assert kept == list(
        AccountBalance.objects.filter(book=second).values_list("id", "debit", "credit")
    )


def test_the_period_and_the_stored_outstanding_give_the_flows_of_the_whole_history():
    from collections import defaultdict
    from functools import partial

    from reports.selectors import indicators

    generate(
        Config(seed=9, today=TODAY, start=datetime.date(2022, 11, 30), members=30),
        county_plans(1, 2, 2),
        log=lambda _line: None,
    )
    county = Area.objects.get(level="county")
    village = len(Area.objects.filter(level="village").first().code)
    for start in (datetime.date(2026, 1, 1), datetime.date(2025, 12, 1), datetime.date(2023, 6, 1)):
        flows = {}
        for stand in (True, False):
            result = defaultdict(partial(indicators.Figures, on=TODAY, start=start))
            with CaptureQueriesContext(connection) as queries:
                indicators._flows(result, county.prefix, village, TODAY, start, stand=stand)
            flows[stand] = {
                key: (
                    f.outstanding_principal,
                    round(f.average_outstanding, 2),
                    f.repaid_principal,
                    f.usage_fee_income,
                    f.written_off,
                    f.disbursed,
                    f.cumulative_disbursed,
                )
                for key, f in result.items()
            }
            repayments = [
                q["sql"] for q in queries.captured_queries if "loans_repayment" in q["sql"]
            ]
            assert ('"paid_on" >=' in repayments[0]) == stand  # the period's only, or all
        assert flows[True] == flows[False], start
        assert sum(v[0] for v in flows[True].values()) > 0 and len(flows[True]) == 4


def test_the_book_list_balances_read_the_closed_totals_and_the_later_lines():
    from funds.selectors import book_balances

    generate(
        Config(seed=4, today=TODAY, start=datetime.date(2024, 11, 30), members=20),
        county_plans(1, 1, 3),
        log=lambda _line: None,
    )
    books = list(Book.objects.order_by("id"))
    with CaptureQueriesContext(connection) as queries:
        read = book_balances(books=books)
    assert len(queries) == 2 and any(
        "funds_accountbalance" in q["sql"] for q in queries.captured_queries
    )
    AccountBalance.objects.all().delete()  # the oracle: every balance summed from its lines
    Book.objects.update(closed_through=None)
    summed = book_balances(books=books)
    assert read == summed and all(v["cash"] > 0 for v in read.values())


def test_fallen_due_from_the_loans_and_the_later_instalments_equals_every_instalment():
    """`_stored_risk` reads no instalment due before the period but the unpaid ones: the
    principal fallen due and collected of it equal the sums over every instalment of every
    loan lent by the day (the oracle below), for each township and the county, over periods
    starting this year, two years back and on the day itself (a one-day period), with
    written-off loans among them."""
    generate(
        Config(seed=5, today=TODAY, start=datetime.date(2023, 11, 30), members=20),
        county_plans(1, 2, 2),
        log=lambda _line: None,
    )
    county = Area.objects.get(level="county")
    lent = ["disbursed", "repaying", "closed", "written_off"]
    for start in (datetime.date(2026, 1, 1), datetime.date(2024, 11, 30), TODAY):
        total, children = area_and_child_figures(area=county, on=TODAY, start=start)
        oracle: dict[str, list] = {}
        for i in Instalment.objects.filter(loan__status__in=lent, due_on__lte=TODAY).values(
            "loan__association__area__code", "due_on", "principal", "principal_paid", "paid_by_due"
        ):
            sums = oracle.setdefault(i["loan__association__area__code"][:9], [0, 0, 0, 0])
            sums[0] += i["principal"]
            sums[1] += i["principal_paid"]
            if i["due_on"] >= start:
                sums[2] += i["principal"]
                sums[3] += i["paid_by_due"]
        read = {
            area.code: [f.fallen_due, f.collected_of_due, f.due_in_period, f.repaid_by_due]
            for area, f in children
        }
        assert read == oracle, start
        assert [total.fallen_due, total.collected_of_due] == [
            sum(v[0] for v in oracle.values()),
            sum(v[1] for v in oracle.values()),
        ]
        assert total.fallen_due > total.collected_of_due > 0  # some principal is unpaid
    written_off = Loan.objects.filter(status="written_off")
    assert written_off.exists()  # their unpaid instalments count as fallen, not collected
