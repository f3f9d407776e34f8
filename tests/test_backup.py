"""Backup and restore (issue 9): a pg_dump of the database, restored into a fresh one, holds
the same books and loans. Runs where the tests use PostgreSQL (CI)."""

import datetime
import shutil
import sqlite3
from contextlib import closing
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from associations.models import Association, Role
from funds import selectors
from funds.journal import book_for_association
from funds.models import Account, Book, JournalLine
from funds.services import capital_receive
from loans.models import Loan, LoanPurpose
from loans.services import money
from mutualaid.backup import backup, restore
from tests import factories
from tests.loans.conftest import apply_for, to_ready


def _lend(world, *, amount: str, repaid: str | None) -> Loan:
    users = world.inside.users
    purposes = {p.code: p for p in LoanPurpose.objects.all()}
    group = factories.scoped_group(world)
    borrower = (
        group.memberships.filter(role="household").exclude(member__loans__isnull=False)[0].member
    )
    loan = to_ready(apply_for(world, borrower, group, users, purposes, amount=amount), users)
    loan = money.loan_disburse(
        loan=loan, by=users[Role.TOWNSHIP_STATION], on=datetime.date(2026, 1, 15)
    )
    if repaid:
        money.repayment_record(
            loan=loan,
            amount=Decimal(repaid),
            paid_on=datetime.date(2026, 3, 15),
            by=users[Role.VILLAGE_CLERK],
            token=f"backup-{loan.pk}",
        )
    loan.refresh_from_db()
    return loan


def _small_world(world) -> None:
    clerk = world.inside.users[Role.VILLAGE_CLERK]
    capital_receive(
        book=book_for_association(world.inside.association),
        source="government",
        contributor="县财政局",
        into="cash",
        amount=Decimal("30000"),
        received_on=datetime.date(2026, 1, 2),
        by=clerk,
    )
    book_for_association(world.outside.association)  # a book with no entries yet
    _lend(world, amount="6000", repaid="1234.56")
    _lend(world, amount="4000", repaid=None)


def _balances_here() -> dict:
    return {
        (book.pk, row.code): (row.debit, row.credit)
        for book in Book.objects.all()
        for row in selectors.trial_balance(book=book)
    }


def _conninfo(settings_dict: dict, name: str) -> str:
    parts = {
        "dbname": name,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in parts.items() if v})


def _balances_there(db: psycopg.Connection) -> dict:
    rows = db.execute(
        f"""SELECT a.book_id, a.code, COALESCE(SUM(l.debit), 0), COALESCE(SUM(l.credit), 0)
            FROM {Account._meta.db_table} a
            LEFT JOIN {JournalLine._meta.db_table} l ON l.account_id = a.id
            GROUP BY a.book_id, a.code"""
    ).fetchall()
    return {(book, code): (debit, credit) for book, code, debit, credit in rows}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="postgresql-client is not installed")
# Committed data: pg_dump runs in its own session and sees only what is committed.
@pytest.mark.django_db(transaction=True)
def test_dump_restored_into_a_fresh_database_keeps_books_and_loans(world, tmp_path):
    _small_world(world)
    balances = _balances_here()
    outstanding = dict(Loan.objects.values_list("pk", "principal_outstanding"))
    # Not a vacuous comparison: money moved and the loans are partly repaid.
    assert Decimal("6000") - Decimal("1234.56") < max(outstanding.values()) <= Decimal("6000")
    assert any(debit > 0 for debit, _credit in balances.values())
    assert Association.objects.count() == 2 and Book.objects.count() >= 2

    source = connection.settings_dict
    dump = backup(source, tmp_path / "mutualaid.dump")
    assert dump.stat().st_size > 0

    fresh = f"{source['NAME']}_restored"
    with psycopg.connect(_conninfo(source, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.execute(f'CREATE DATABASE "{fresh}"')
        try:
            restore({**source, "NAME": fresh}, dump)
            with psycopg.connect(_conninfo(source, fresh)) as restored:
                assert _balances_there(restored) == balances
                loans = restored.execute(
                    f"SELECT id, principal_outstanding FROM {Loan._meta.db_table}"
                ).fetchall()
                assert dict(loans) == outstanding
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_sqlite_backup_and_restore_copy_the_file(tmp_path):
    """The embedded set-up's path: SQLite's online backup API, out and back in."""
    live = tmp_path / "db.sqlite3"
    with closing(sqlite3.connect(live)) as db, db:
        db.execute("CREATE TABLE t (amount TEXT)")
        db.execute("INSERT INTO t VALUES ('1234.56')")
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(live)}
    copy = backup(database, tmp_path / "backups" / "copy.sqlite3")
    with closing(sqlite3.connect(live)) as db, db:
        db.execute("DELETE FROM t")
    restore(database, copy)
    with closing(sqlite3.connect(live)) as db:
        assert db.execute("SELECT amount FROM t").fetchall() == [("1234.56",)]
