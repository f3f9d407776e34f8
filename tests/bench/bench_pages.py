"""Pages of a generated world with the test client (median and p95 over BENCH_REPEAT runs,
default 10, after one warm-up), each against a hand-written raw-SQL floor doing the page's
essential reads in the same run, with the number of queries the page issued.

Pages: the city, county and township dashboards (city and county offices, township committee), a
village's loan list (its clerk), the committee inbox, the page of the loan with most repayments,
its borrower's home page, the cash ledger of the first book and the county's book list.
"""

import os
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from associations.models import Area, Association, Member, User
from associations.services.access import access_code_issue
from funds.models import Account, JournalLine
from loans.models import Loan, Repayment
from tests.bench import print_table, timings, uptime

WORLD = True


def _sql(sql: str, params: list[Any]) -> Callable[[], object]:
    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _page(client: Client, url: str) -> Callable[[], object]:
    def get() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _connections(repeat: int) -> list[object]:
    """What CONN_MAX_AGE=0 adds to every request: a new connection (and its health check)
    against a query on a connection kept open."""

    def fresh() -> object:
        connection.close()
        return _sql("SELECT 1", [])()

    median, p95 = timings(fresh, repeat=repeat * 5)
    kept, kept_p95 = timings(_sql("SELECT 1", []), repeat=repeat * 5)
    return [
        "new connection per request",
        1,
        f"{median * 1000:.1f}",
        f"{p95 * 1000:.1f}",
        f"{kept * 1000:.2f}",
        f"{kept_p95 * 1000:.2f}",
        f"{median / max(kept, 1e-6):.0f}",
    ]


def run() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "10"))
    county = Area.objects.filter(level="county").order_by("code").first()
    assert county is not None
    township = Area.objects.filter(parent=county).order_by("code").first()
    assert township is not None
    village = Area.objects.filter(parent=township).order_by("code").first()
    assert village is not None
    busiest = (
        Repayment.objects.filter(loan__association__area__code__startswith=village.code)
        .values("loan_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    loan = Loan.objects.get(pk=busiest["loan_id"])
    assert loan is not None
    cash = (
        Account.objects.filter(key="cash", book__association__isnull=False)
        .order_by("book_id")
        .first()
    )
    assert cash is not None
    lines = JournalLine.objects.filter(account=cash).count()
    city = county.parent
    assert city is not None
    # Generated households have no logins: the clerk gives the borrower of the busiest loan one
    # (this benchmark's own copy of the world), as a household gets its first activation code.
    access_code_issue(member=loan.member, by=User.objects.get(username=f"clerk_{village.code}"))
    member = Client()
    member.force_login(Member.objects.get(pk=loan.member_id).user)
    county_user = _client(f"county_{county.code}")
    committee = _client(f"committee_{township.code}")
    clerk = _client(f"clerk_{village.code}")
    prefix = county.code + "%"
    t_prefix = township.code + "%"
    city_villages = Association.objects.filter(area__code__startswith=city.prefix).count()
    pages = [
        (
            f"city dashboard ({city_villages:,} villages)",
            _page(_client(f"city_{city.code}"), reverse("reports:dashboard", args=[city.code])),
            _sql(
                "SELECT SUBSTRING(a.area_id, 1, 6), COUNT(*), SUM(l.principal_outstanding),"
                " SUM(l.amount) FROM loans_loan l"
                " JOIN associations_association a ON a.id = l.association_id"
                " WHERE a.area_id LIKE %s GROUP BY 1",
                [city.prefix + "%"],
            ),
        ),
        (
            "county dashboard",
            _page(county_user, reverse("reports:dashboard", args=[county.code])),
            _sql(
                "SELECT a.area_id, COUNT(*), SUM(l.principal_outstanding), SUM(l.amount)"
                " FROM loans_loan l JOIN associations_association a ON a.id = l.association_id"
                " WHERE a.area_id LIKE %s GROUP BY a.area_id",
                [prefix],
            ),
        ),
        (
            "township dashboard",
            _page(committee, reverse("reports:dashboard", args=[township.code])),
            _sql(
                "SELECT a.area_id, COUNT(*), SUM(l.principal_outstanding), SUM(l.amount)"
                " FROM loans_loan l JOIN associations_association a ON a.id = l.association_id"
                " WHERE a.area_id LIKE %s GROUP BY a.area_id",
                [t_prefix],
            ),
        ),
        (
            "village loan list",
            _page(clerk, reverse("loans:loan_list")),
            _sql(
                "SELECT l.id, l.amount, l.status, l.principal_outstanding, m.name"
                " FROM loans_loan l JOIN associations_member m ON m.id = l.member_id"
                " JOIN associations_association a ON a.id = l.association_id"
                " WHERE a.area_id LIKE %s ORDER BY l.created_at DESC, l.id DESC LIMIT 25",
                [village.code + "%"],
            ),
        ),
        (
            "committee inbox",
            _page(committee, reverse("loans:inbox")),
            _sql(
                "SELECT l.id, l.amount, m.name FROM loans_loan l"
                " JOIN associations_member m ON m.id = l.member_id"
                " JOIN associations_association a ON a.id = l.association_id"
                " WHERE a.area_id LIKE %s"
                " AND l.status IN ('board_reviewed', 'waitlisted', 'in_notice')"
                " ORDER BY l.created_at, l.id LIMIT 25",
                [t_prefix],
            ),
        ),
        (
            "loan page",
            _page(clerk, reverse("loans:loan_detail", args=[loan.pk])),
            _sql(
                "SELECT * FROM loans_loan l JOIN loans_instalment i ON i.loan_id = l.id"
                " LEFT JOIN loans_repayment r ON r.loan_id = l.id WHERE l.id = %s",
                [loan.pk],
            ),
        ),
        (
            "member's home page",
            _page(member, reverse("home")),
            _sql(
                "SELECT l.id, l.principal_outstanding, i.due_on, i.principal - i.principal_paid"
                " FROM loans_loan l JOIN loans_instalment i ON i.loan_id = l.id"
                " WHERE l.member_id = %s AND i.principal_paid < i.principal"
                " ORDER BY i.due_on LIMIT 3",
                [loan.member_id],
            ),
        ),
        (
            f"cash ledger ({lines:,} lines)",
            _page(
                _client(f"clerk_{cash.book.area_id}"),
                reverse("funds:account_ledger", args=[cash.book_id, cash.code]),
            ),
            _sql(
                "SELECT l.date, l.debit, l.credit, e.memo FROM funds_journalline l"
                " JOIN funds_journalentry e ON e.id = l.entry_id WHERE l.account_id = %s"
                " ORDER BY l.date DESC, l.id DESC LIMIT 50",
                [cash.pk],
            ),
        ),
        (
            "book list (county)",
            _page(county_user, reverse("funds:book_list")),
            _sql(
                "SELECT b.id, b.name FROM funds_book b WHERE b.area_id LIKE %s"
                " ORDER BY b.area_id LIMIT 50",
                [prefix],
            ),
        ),
    ]
    rows = []
    for name, page, floor in pages:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            page()
        queries = len(captured)  # now: every request clears the log (reset_queries)
        median, p95 = timings(page, repeat=repeat)
        floor_median, floor_p95 = timings(floor, repeat=repeat)
        rows.append(
            [
                name,
                queries,
                f"{median * 1000:.0f}",
                f"{p95 * 1000:.0f}",
                f"{floor_median * 1000:.1f}",
                f"{floor_p95 * 1000:.1f}",
                f"{median / max(floor_median, 1e-6):.0f}",
            ]
        )
        print("  ", rows[-1], flush=True)
    rows.append(_connections(repeat))
    print_table(
        f"pages, {repeat} runs each; {uptime()}",
        ["page", "queries", "median ms", "p95 ms", "floor ms", "floor p95", "x floor"],
        rows,
    )
