"""Recording repayments end to end through `repayment_record` under 1, 8 and 32 concurrent
clients (separate processes), spread over villages and all in one village, against a raw-SQL
transaction doing the same writes (lock the loan and the book, one entry, two lines, the
repayment row, the loan's figures) measured in the same run on other loans of the same world.
Afterwards: every book balanced, loans receivable = outstanding principal, every repayment
recorded exactly once, the stored figures of the touched loans equal to the replay.

BENCH_SECONDS (default 8) per run; BENCH_CLIENTS (default "1,8,32").
"""

import gc
import multiprocessing
import os
import time
import uuid
from decimal import Decimal
from multiprocessing.connection import Connection
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone

from associations.models import RoleAssignment, User
from funds.models import Account
from loans.models import Loan, Repayment
from loans.services.money import repayment_record
from tests.bench import percentile, print_table, uptime
from worldgen.check import QUERIES, figures

WORLD = True
AMOUNT = Decimal("10.00")

Task = tuple[int, int, int, int, int, int]  # loan, clerk, book, cash, fee income, association


def _tasks(one_village: bool, *, taken: set[int]) -> tuple[list[Task], list[Task]]:
    """(product tasks, floor tasks): lent loans with principal left, one per village (spread)
    or every one of the busiest village, halved between the product and the floor. Loans in
    `taken` (used by an earlier run) are left out: the floor's rows are not real repayments,
    so a loan the floor paid cannot be replayed by the product afterwards."""
    lent = Loan.objects.filter(
        status__in=["disbursed", "repaying"], principal_outstanding__gt=100
    ).exclude(pk__in=taken)
    if one_village:
        busiest = (
            lent.values("association_id")
            .annotate(n=Sum("principal_outstanding"))
            .order_by("-n")
            .first()
        )
        assert busiest is not None
        rows = list(lent.filter(association_id=busiest["association_id"]).order_by("id"))
    else:
        rows = list(lent.order_by("association_id", "id").distinct("association_id"))
    clerks = dict(
        RoleAssignment.objects.filter(role="village_clerk").values_list("area_id", "user_id")
    )
    codes = dict(
        Loan.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "association__area_id")
    )
    accounts = {
        (book, key): pk
        for pk, book, key in Account.objects.filter(key__in=["cash", "usage_fee_income"])
        .filter(book__association_id__in={r.association_id for r in rows})
        .values_list("pk", "book__association_id", "key")
    }
    books = dict(
        Account.objects.filter(book__association_id__in={r.association_id for r in rows})
        .values_list("book__association_id", "book_id")
        .distinct()
    )
    tasks = [
        (
            r.pk,
            clerks[codes[r.pk]],
            books[r.association_id],
            accounts[(r.association_id, "cash")],
            accounts[(r.association_id, "usage_fee_income")],
            r.association_id,
        )
        for r in rows
    ]
    return tasks[0::2], tasks[1::2]


def _product(task: Task, users: dict[int, User], run: str) -> None:
    loan_id, clerk = task[0], task[1]
    if clerk not in users:
        users[clerk] = User.objects.get(pk=clerk)
    repayment_record(
        loan=Loan(pk=loan_id),
        amount=AMOUNT,
        paid_on=timezone.localdate(),
        by=users[clerk],
        token=f"{run}-{uuid.uuid4().hex}",
        confirmed=True,
    )


def _floor(task: Task, _users: dict[int, User], run: str) -> None:
    loan, clerk, book, cash, fee, association = task
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM loans_loan WHERE id = %s FOR UPDATE", [loan])
        cursor.execute("SELECT id FROM funds_book WHERE id = %s FOR UPDATE", [book])
        cursor.execute(
            "INSERT INTO funds_journalentry (book_id, date, memo, kind, source_type, source_id,"
            " created_by_id, created_at) VALUES (%s, %s, 'floor', 'repayment', 'loans.loan', %s,"
            " %s, now()) RETURNING id",
            [book, today, loan, clerk],
        )
        entry = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO funds_journalline (entry_id, book_id, date, account_id, debit, credit)"
            " VALUES (%s, %s, %s, %s, %s, 0), (%s, %s, %s, %s, 0, %s)",
            [entry, book, today, cash, AMOUNT, entry, book, today, fee, AMOUNT],
        )
        cursor.execute(
            "INSERT INTO loans_repayment (loan_id, association_id, paid_on, amount,"
            " overdue_fee, usage_fee, principal, token, entry_id, recorded_by_id, recorded_at,"
            " reversal_reason) VALUES (%s, %s, %s, %s, 0, %s, 0, %s, %s, %s, now(), '')",
            [loan, association, today, AMOUNT, AMOUNT, f"{run}-{uuid.uuid4().hex}", entry, clerk],
        )
        cursor.execute(
            "UPDATE loans_loan SET principal_outstanding = principal_outstanding WHERE id = %s",
            [loan],
        )


def _client(
    how: str,
    tasks: list[Task],
    index: int,
    step: int,
    start: float,
    seconds: float,
    run: str,
    out: Connection,
) -> None:
    """Record repayments on tasks index, index + step, … in turn (step = the number of
    clients): each client keeps to loans of its own, as each clerk pays the loans of the people
    before them; with fewer loans than clients, the extra clients share one."""
    work = _product if how == "product" else _floor
    users: dict[int, User] = {}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    own = tasks[index::step] or [tasks[index % len(tasks)]]
    position = 0
    try:
        # Warm up as a long-lived web worker is warm: the clerks, a connection, the queries'
        # first compilation; then wait for the others.
        for task in own:
            if task[1] not in users:
                users[task[1]] = User.objects.get(pk=task[1])
        list(
            Loan.objects.select_related("association", "member").filter(pk__in=[t[0] for t in own])
        )
        while time.time() < start:
            time.sleep(0.001)
        while time.time() < start + seconds:
            task = own[position % len(own)]
            position += 1
            began = time.perf_counter()
            try:
                work(task, users, run)
                latencies.append(time.perf_counter() - began)
            except Exception as error:  # counted, not raised: the figures say how many
                name = type(error).__name__
                errors[name] = errors.get(name, 0) + 1
        out.send((latencies, errors))
    finally:
        connections.close_all()
        out.close()


def _run(how: str, tasks: list[Task], clients: int, seconds: float, run: str) -> dict[str, Any]:
    connections.close_all()
    context = multiprocessing.get_context("fork")
    # The children share the parent's heap until they write to it; frozen, the collector does
    # not write to every object of it in each child (copy on write).
    gc.collect()
    gc.freeze()
    start = time.time() + 1.5 + 0.1 * clients
    pipes, processes = [], []
    for index in range(clients):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_client, args=(how, tasks, index, clients, start, seconds, run, send)
        )
        process.start()
        pipes.append(receive)
        processes.append(process)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    for pipe in pipes:
        got, failed = pipe.recv()
        latencies += got
        for name, count in failed.items():
            errors[name] = errors.get(name, 0) + count
    for process in processes:
        process.join()
    gc.unfreeze()
    return {
        "ok": len(latencies),
        "rate": len(latencies) / seconds,
        "p50": percentile(latencies, 0.5) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "errors": errors,
    }


def _exact(run_prefix: str, expected: int, loan_ids: list[int]) -> str:
    with connection.cursor() as cursor:
        problems = []
        for name in ("unbalanced books", "loans receivable differs from outstanding principal"):
            cursor.execute(QUERIES[name])
            if cursor.fetchall():
                problems.append(name)
    recorded = Repayment.objects.filter(token__startswith=run_prefix)
    count = recorded.count()
    total = recorded.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if count != expected or total != AMOUNT * expected:
        problems.append(f"{count} recorded, {expected} acknowledged")
    if figures(lambda _line: None, loan_ids=loan_ids):
        problems.append("figures differ from the replay")
    return "exact" if not problems else "; ".join(problems)


def run() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", "8"))
    counts = [int(c) for c in os.environ.get("BENCH_CLIENTS", "1,8,32").split(",")]
    rows = []
    taken: set[int] = set()
    for one_village in (False, True):
        product_tasks, floor_tasks = _tasks(one_village, taken=taken)
        taken |= {task[0] for task in product_tasks + floor_tasks}
        where = "one village" if one_village else "spread"
        for clients in counts:
            load = uptime()
            run_id = f"bench-{uuid.uuid4().hex[:8]}"
            product = _run("product", product_tasks, clients, seconds, run_id)
            exact = _exact(run_id, product["ok"], [t[0] for t in product_tasks])
            floor = _run("floor", floor_tasks, clients, seconds, f"floor-{run_id}")
            rows.append(
                [
                    where,
                    clients,
                    len(product_tasks),
                    f"{product['rate']:.0f}",
                    f"{product['p50']:.0f}",
                    f"{product['p95']:.0f}",
                    f"{floor['rate']:.0f}",
                    f"{floor['p50']:.0f}",
                    f"{floor['p95']:.0f}",
                    f"{floor['rate'] / max(product['rate'], 0.001):.1f}",
                    sum(product["errors"].values()) or "",
                    exact,
                    load.replace("load average ", ""),
                ]
            )
            print("  ", rows[-1], product["errors"] or "", floor["errors"] or "", flush=True)
    print_table(
        f"repayment_record vs raw-SQL transaction, {seconds:.0f} s per run",
        [
            "loans",
            "clients",
            "n loans",
            "rec/s",
            "p50 ms",
            "p95 ms",
            "floor/s",
            "floor p50",
            "floor p95",
            "x slower",
            "errors",
            "afterwards",
            "load",
        ],
        rows,
    )
