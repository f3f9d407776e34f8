"""On PostgreSQL the database refuses what the services refuse, whoever writes."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from funds.journal import Cr, Dr, journal_post, month_close
from funds.models import EntryKind, JournalEntry
from tests.funds.conftest import ON_FUNDS_DAY

pytestmark = [
    ON_FUNDS_DAY,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
    ),
]


def _raw_entry(book, date, lines):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO funds_journalentry (book_id, date, memo, kind, source_type, created_at)"
            " VALUES (%s, %s, 'raw', 'other', '', now()) RETURNING id",
            [book.pk, date],
        )
        entry_id = cursor.fetchone()[0]
        for key, debit, credit in lines:
            cursor.execute(
                "INSERT INTO funds_journalline (entry_id, book_id, date, account_id, debit, credit)"
                " SELECT %s, %s, %s, id, %s, %s FROM funds_account WHERE book_id=%s AND key=%s",
                [entry_id, book.pk, date, debit, credit, book.pk, key],
            )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check


def test_unbalanced_raw_insert_is_refused(funded_book):
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        _raw_entry(funded_book, datetime.date(2026, 2, 1), [("cash", 10, 0), ("bank", 0, 9)])
    assert not JournalEntry.objects.filter(memo="raw").exists()


def test_balanced_raw_insert_passes(funded_book):
    with transaction.atomic():
        _raw_entry(funded_book, datetime.date(2026, 2, 1), [("cash", 10, 0), ("bank", 0, 10)])
    assert JournalEntry.objects.filter(memo="raw").count() == 1


def test_raw_insert_into_a_closed_month_is_refused(funded_book, station):
    month_close(book=funded_book, month=datetime.date(2026, 2, 1), by=station)
    with pytest.raises(IntegrityError, match="closed through"), transaction.atomic():
        _raw_entry(funded_book, datetime.date(2026, 2, 10), [("cash", 1, 0), ("bank", 0, 1)])


def test_journal_is_append_only(funded_book, clerk):
    entry = journal_post(
        book=funded_book,
        date=datetime.date(2026, 2, 1),
        memo="x",
        kind=EntryKind.OTHER,
        by=clerk,
        lines=[Dr("cash", Decimal("1")), Cr("bank", Decimal("1"))],
    )
    for statement in (
        "UPDATE funds_journalline SET debit = debit * 2 WHERE entry_id = %s",
        "DELETE FROM funds_journalline WHERE entry_id = %s",
        "UPDATE funds_journalentry SET memo = 'changed' WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
