"""Trial balance over a journal of 1,000,000 lines (PostgreSQL).

500,000 balanced two-line entries over 10 association books are bulk-loaded with
generate_series. The balance trigger is disabled during the load only (this is a throw-away
database) and re-enabled before timing. The product's `trial_balance` is timed for the busiest
book against the raw GROUP BY it boils down to.
"""

import datetime
import time
from decimal import Decimal

from django.db import connection

from associations.models import Role
from funds.journal import book_for_association
from funds.selectors import trial_balance
from tests import factories
from tests.bench import measure, print_table

ENTRIES = 500_000
BOOKS = 10


def _world():
    province = factories.area("620000", "甘肃省", "province")
    city = factories.area("620100", "兰州市", "city", province)
    county = factories.area("620123", "榆中县", "county", city)
    town = factories.area("620123100", "城关镇", "township", county)
    books = []
    for n in range(BOOKS):
        village = factories.area(f"620123100{201 + n}", f"村{n}", "village", town)
        books.append(book_for_association(factories.association(village)))
    factories.user_with_role(Role.TOWNSHIP_STATION, town)
    return books


def _load(books) -> float:
    start = time.perf_counter()
    ids = [b.pk for b in books]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE funds_journalline DISABLE TRIGGER USER")
        cursor.execute(
            """
            INSERT INTO funds_journalentry (book_id, date, memo, kind, source_type, created_at)
            SELECT (%s::bigint[])[1 + (g %% %s)], DATE '2020-01-01' + (g %% 2000), 'bench',
                   'other', '', now()
            FROM generate_series(1, %s) AS g
            """,
            [ids, len(ids), ENTRIES],
        )
        cursor.execute(
            """
            INSERT INTO funds_journalline (entry_id, book_id, date, account_id, debit, credit)
            SELECT e.id, e.book_id, e.date, a.id,
                   CASE WHEN side = 0 THEN (e.id % 997 + 1)::numeric ELSE 0 END,
                   CASE WHEN side = 1 THEN (e.id % 997 + 1)::numeric ELSE 0 END
            FROM funds_journalentry e
            CROSS JOIN (VALUES (0), (1)) AS s(side)
            JOIN funds_account a ON a.book_id = e.book_id AND a.key = CASE WHEN side = 0
                THEN (ARRAY['cash', 'loans_receivable', 'running_costs'])[1 + e.id % 3]
                ELSE (ARRAY['bank', 'usage_fee_income', 'government_capital'])[1 + e.id % 3]
              END
            WHERE e.memo = 'bench'
            """
        )
        cursor.execute("ALTER TABLE funds_journalline ENABLE TRIGGER USER")
        cursor.execute("ANALYZE funds_journalline")
        cursor.execute("ANALYZE funds_journalentry")
        cursor.execute("SELECT count(*) FROM funds_journalline")
        lines = cursor.fetchone()[0]
    print(f"loaded {lines:,} journal lines in {time.perf_counter() - start:.1f} s")
    return lines


def _raw(book_id: int):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, sum(debit), sum(credit) FROM funds_journalline"
            " WHERE book_id = %s GROUP BY account_id",
            [book_id],
        )
        return cursor.fetchall()


def run() -> None:
    if connection.vendor != "postgresql":
        print("bench_trial_balance needs PostgreSQL (set DATABASE_URL)")
        return
    books = _world()
    lines = _load(books)
    book = books[0]
    rows = trial_balance(book=book)
    assert sum(r.debit for r in rows) == sum(r.credit for r in rows) > Decimal(0)
    end = datetime.date(2023, 12, 31)
    results = [
        ("trial_balance(book), all dates", measure(lambda: trial_balance(book=book))),
        ("trial_balance(book, end=2023-12-31)", measure(lambda: trial_balance(book=book, end=end))),
        ("raw SQL GROUP BY (lower bound)", measure(lambda: _raw(book.pk))),
    ]
    lower = results[-1][1]
    print_table(
        f"Trial balance of one book ({lines // BOOKS:,} of {lines:,} lines)",
        ["query", "median ms", "x lower bound"],
        [[name, f"{t * 1000:.1f}", f"{t / lower:.2f}"] for name, t in results],
    )
