"""check_world: the books and the loans of a generated (or any) world obey the rules.

Grouped queries for the books; the loans' stored figures are compared with a replay of their
standing repayments (loans.domain.allocation.replay and loans.services.figures), in batches.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection

from loans.domain import schedules
from loans.domain.allocation import Payment, replay
from loans.domain.fees import LoanTerms
from loans.services.figures import instalment_figures

ZERO = Decimal("0.00")

# Differences are compared with half a fen: exact on PostgreSQL, and SQLite sums in floats.
QUERIES: dict[str, str] = {
    # Every book's debits equal its credits.
    "unbalanced books": """
        SELECT book_id, SUM(debit) - SUM(credit) FROM funds_journalline
        GROUP BY book_id HAVING ABS(SUM(debit) - SUM(credit)) > 0.005""",
    # A book's totals stored at its last closed month (AccountBalance) equal its lines through
    # that month, account by account, and a book closed through a month has them.
    "closed totals differ from the lines": """
        WITH sums AS (
            SELECT l.book_id, l.account_id, SUM(l.debit) AS d, SUM(l.credit) AS c
            FROM funds_journalline l JOIN funds_book b ON b.id = l.book_id
            WHERE l.date <= b.closed_through GROUP BY l.book_id, l.account_id),
        stored AS (
            SELECT a.book_id, a.account_id, a.debit, a.credit
            FROM funds_accountbalance a JOIN funds_book b ON b.id = a.book_id
            WHERE a.month_end = b.closed_through)
        SELECT s.book_id, s.account_id FROM sums s
        LEFT JOIN stored t ON t.account_id = s.account_id
        WHERE t.account_id IS NULL OR ABS(t.debit - s.d) > 0.005 OR ABS(t.credit - s.c) > 0.005
        UNION ALL
        SELECT t.book_id, t.account_id FROM stored t
        LEFT JOIN sums s ON s.account_id = t.account_id WHERE s.account_id IS NULL""",
    # Loans receivable of each association equals its loans' outstanding principal.
    "loans receivable differs from outstanding principal": """
        SELECT b.id, COALESCE(l.ledger, 0), COALESCE(o.outstanding, 0)
        FROM funds_book b
        LEFT JOIN (SELECT jl.book_id, SUM(jl.debit - jl.credit) AS ledger
                   FROM funds_journalline jl JOIN funds_account a ON a.id = jl.account_id
                   WHERE a.key = 'loans_receivable' GROUP BY jl.book_id) l ON l.book_id = b.id
        LEFT JOIN (SELECT association_id, SUM(principal_outstanding) AS outstanding
                   FROM loans_loan GROUP BY association_id) o ON o.association_id = b.association_id
        WHERE b.association_id IS NOT NULL
          AND ABS(COALESCE(l.ledger, 0) - COALESCE(o.outstanding, 0)) > 0.005""",
    # Cash and bank never below zero at the end of any day.
    "cash or bank below zero": """
        SELECT account_id, day, running FROM (
          SELECT account_id, day, SUM(movement) OVER (PARTITION BY account_id ORDER BY day)
                 AS running
          FROM (SELECT jl.account_id, jl.date AS day, SUM(jl.debit - jl.credit) AS movement
                FROM funds_journalline jl JOIN funds_account a ON a.id = jl.account_id
                WHERE a.key IN ('cash', 'bank') GROUP BY jl.account_id, jl.date) d) r
        WHERE running < -0.005""",
    # A member's contribution is what the books received from that household (there is no
    # typed copy): never refunded beyond what was received.
    "contribution refunded beyond the books": """
        SELECT e.source_id, SUM(jl.credit - jl.debit)
        FROM funds_journalentry e
        JOIN funds_journalline jl ON jl.entry_id = e.id
        JOIN funds_account a ON a.id = jl.account_id AND a.key = 'member_contributions'
        WHERE e.source_type = 'associations.member'
        GROUP BY e.source_id
        HAVING SUM(jl.credit - jl.debit) < -0.005""",
    # Amounts and terms within the rules; at most one extension within 24 months.
    "loan outside the amount or term rules": """
        SELECT id, amount, term_months, extensions FROM loans_loan
        WHERE amount < 1000 OR amount > 20000 OR term_months > 24 OR extensions > 1""",
    "extended beyond 24 months": """
        SELECT l.id FROM loans_loan l JOIN loans_instalment i ON i.loan_id = l.id
        WHERE l.disbursed_on IS NOT NULL
        GROUP BY l.id, l.disbursed_on
        HAVING MAX(i.due_on) > l.disbursed_on + INTERVAL '24 months'""",
    # A household's first loan is at most 10,000 yuan.
    "first loan above 10,000": """
        SELECT l.id FROM loans_loan l
        WHERE l.disbursed_on IS NOT NULL AND l.amount > 10000 AND NOT EXISTS (
          SELECT 1 FROM loans_loan p WHERE p.member_id = l.member_id
            AND p.disbursed_on IS NOT NULL AND p.disbursed_on < l.disbursed_on)""",
    # Groups: 1-2 leaders who are party members or wealth leaders, 3-5 households.
    "group composition broken": """
        SELECT g.id FROM guarantees_guaranteegroup g
        JOIN guarantees_groupmembership gm ON gm.group_id = g.id AND gm.left_on IS NULL
        JOIN associations_member m ON m.id = gm.member_id
        WHERE g.status = 'active'
        GROUP BY g.id
        HAVING SUM(CASE WHEN gm.role = 'leader' THEN 1 ELSE 0 END) NOT BETWEEN 1 AND 2
            OR SUM(CASE WHEN gm.role = 'household' THEN 1 ELSE 0 END) NOT BETWEEN 3 AND 5
            OR SUM(CASE WHEN gm.role = 'leader' AND NOT (m.is_party_member OR m.is_wealth_leader)
                        THEN 1 ELSE 0 END) > 0""",
    # A group loan's borrower is in its group.
    "group loan to a non-member": """
        SELECT l.id FROM loans_loan l WHERE l.guarantee_kind = 'group' AND NOT EXISTS (
          SELECT 1 FROM guarantees_groupmembership gm
          WHERE gm.group_id = l.group_id AND gm.member_id = l.member_id)""",
    # What the indicators' principal fallen due rests on (reports.selectors.indicators): a
    # schedule adds up to its loan's amount, belongs to a paid-out loan and falls due after it.
    "schedule not adding up to a paid-out loan's amount": """
        SELECT l.id FROM loans_loan l JOIN loans_instalment i ON i.loan_id = l.id
        GROUP BY l.id, l.amount, l.disbursed_on
        HAVING ABS(SUM(i.principal) - l.amount) > 0.005 OR l.disbursed_on IS NULL
            OR MIN(i.due_on) <= l.disbursed_on""",
    # Instalments and repayments carry their loan's association (loans 0011; PostgreSQL holds
    # it by a foreign key, SQLite only by the services and the generator).
    "instalment or repayment of another association": """
        SELECT i.id FROM loans_instalment i JOIN loans_loan l ON l.id = i.loan_id
        WHERE i.association_id <> l.association_id
        UNION ALL
        SELECT r.id FROM loans_repayment r JOIN loans_loan l ON l.id = r.loan_id
        WHERE r.association_id <> l.association_id""",
    # Every repayment's split adds up and its entry is in the loan's book.
    "repayment and its entry disagree": """
        SELECT r.id FROM loans_repayment r JOIN funds_journalentry e ON e.id = r.entry_id
        JOIN (SELECT entry_id, SUM(debit) AS d FROM funds_journalline GROUP BY entry_id) s
          ON s.entry_id = e.id
        WHERE r.reversal_entry_id IS NULL AND ABS(s.d - r.amount) > 0.005""",
}


def _sqlite(sql: str) -> str:
    return sql.replace("INTERVAL '24 months'", "0").replace(
        "l.disbursed_on + 0", "date(l.disbursed_on, '+24 months')"
    )


def books_and_rules(log: Callable[[str], None]) -> int:
    problems = 0
    with connection.cursor() as cursor:
        for name, sql in QUERIES.items():
            cursor.execute(sql if connection.vendor == "postgresql" else _sqlite(sql))
            rows = cursor.fetchall()
            problems += len(rows)
            log(f"{'ok ' if not rows else 'BAD'} {name}: {len(rows)} {rows[:3] if rows else ''}")
    return problems


def write_offs(log: Callable[[str], None]) -> int:
    """Written off only after 12 months overdue: the oldest instalment not paid in full by the
    write-off's date fell due at least 12 months before it."""
    sql = """
        SELECT w.loan_id, e.date,
               (SELECT MIN(i.due_on) FROM loans_instalment i WHERE i.loan_id = w.loan_id
                  AND (i.paid_on IS NULL OR i.paid_on > e.date))
        FROM loans_writeoff w JOIN funds_journalentry e ON e.id = w.entry_id"""
    bad = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for loan, day, oldest in cursor.fetchall():
            day = _date(day)
            if oldest is None or _date(oldest) + relativedelta(months=12) > day:
                bad.append(loan)
    log(f"{'ok ' if not bad else 'BAD'} write-off before 12 months overdue: {len(bad)} {bad[:3]}")
    return len(bad)


def _date(value: datetime.date | str) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def figures(
    log: Callable[[str], None],
    *,
    every: int = 1,
    batch: int = 5000,
    loan_ids: list[int] | None = None,
) -> int:
    """Stored figures (outstanding, oldest unpaid due date, per-instalment paid, paid by due,
    paid in full on) equal the replay of the standing repayments, for every `every`-th loan."""
    from loans.models import Instalment, Loan, Repayment

    lent = Loan.objects.filter(disbursed_on__isnull=False).order_by("id")
    if loan_ids is not None:
        lent = lent.filter(id__in=loan_ids)
    ids = list(lent.values_list("id", flat=True))[::every]
    bad, checked = [], 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        instalments = defaultdict(list)
        for row in Instalment.objects.filter(loan_id__in=chunk).order_by("loan_id", "number"):
            instalments[row.loan_id].append(row)
        payments = defaultdict(list)
        for loan_id, paid_on, amount, principal in (
            Repayment.objects.filter(loan_id__in=chunk, reversal_entry__isnull=True)
            .order_by("loan_id", "paid_on", "id")
            .values_list("loan_id", "paid_on", "amount", "principal")
        ):
            payments[loan_id].append((paid_on, amount, principal))
        for loan in Loan.objects.filter(id__in=chunk).only(
            "id",
            "amount",
            "disbursed_on",
            "fee_rate",
            "fee_method",
            "overdue_multiplier",
            "status",
            "principal_outstanding",
            "oldest_unpaid_due_on",
        ):
            rows, paid = instalments[loan.pk], payments[loan.pk]
            assert loan.disbursed_on and loan.fee_rate is not None and loan.overdue_multiplier
            try:
                terms = LoanTerms(
                    principal=loan.amount,
                    disbursed_on=loan.disbursed_on,
                    schedule=tuple(schedules.Instalment(i.due_on, i.principal) for i in rows),
                    annual_rate=loan.fee_rate,
                    method=loan.fee_method,
                    overdue_multiplier=loan.overdue_multiplier,
                )
            except ValueError:  # a schedule the domain refuses: reported, not raised
                bad.append(loan.pk)
                checked += 1
                continue
            allocations, state = replay(terms, [Payment(d, a) for d, a, _p in paid])
            expected = instalment_figures(
                rows,
                [
                    (d, a.principal)
                    for d, a in zip([d for d, _a, _p in paid], allocations, strict=True)
                ],
            )
            stored = [(i.principal_paid, i.paid_by_due, i.paid_on) for i in rows]
            written_off = loan.status == "written_off"
            open_rows = [i for i, f in zip(rows, expected, strict=True) if f[0] < i.principal]
            outstanding = ZERO if written_off else state.principal_outstanding
            oldest = None if written_off or not open_rows else open_rows[0].due_on
            split_ok = [p for _d, _a, p in paid] == [a.principal for a in allocations]
            if (
                stored != expected
                or loan.principal_outstanding != outstanding
                or loan.oldest_unpaid_due_on != oldest
                or not split_ok
            ):
                bad.append(loan.pk)
            checked += 1
    log(
        f"{'ok ' if not bad else 'BAD'} stored figures equal the replay: {checked} loans checked, "
        f"{len(bad)} differ {bad[:5]}"
    )
    return len(bad)


def check(log: Callable[[str], None] = print, *, every: int = 1) -> int:
    return books_and_rules(log) + write_offs(log) + figures(log, every=every)
