"""Bulk writes: ids reserved from each table's sequence, rows copied in (COPY on PostgreSQL,
executemany elsewhere). Field names are checked against the models at start."""

import datetime
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models

BLOCK = 20_000


class Ids:
    """Ids for one table, reserved in blocks from its sequence (or its max id on SQLite), so
    several generator processes can write to one database without clashes."""

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        self.next_id = 0
        self.last_id = -1

    def _reserve(self, count: int) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(14014)")
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                    " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                    [self.table, self.table, count],
                )
                end = cursor.fetchone()[0]
                self.next_id, self.last_id = end - count + 1, end
            else:
                start = max(self.last_id + 1, 1)
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{self.table}"')
                start = max(start, cursor.fetchone()[0] + 1)
                self.next_id, self.last_id = start, start + count - 1

    def __call__(self) -> int:
        if self.next_id > self.last_id:
            self._reserve(BLOCK)
        value = self.next_id
        self.next_id += 1
        return value


class Table:
    """Rows of one model as tuples, in the order of `fields` (model field names)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.model = model
        self.columns = [model._meta.get_field(name).column for name in fields]  # type: ignore[union-attr]
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *row: Any) -> None:
        self.rows.append(row)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def _pg_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def write(tables: Iterable[Table]) -> int:
    """Insert every table's rows in the order given (parents before children). Returns rows."""
    total = 0
    with connection.cursor() as cursor:
        for table in tables:
            if not table.rows:
                continue
            name, cols = table.model._meta.db_table, ", ".join(f'"{c}"' for c in table.columns)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{name}" ({cols}) FROM STDIN') as copy:
                    for row in table.rows:
                        copy.write_row([_pg_value(v) for v in row])
            else:
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(
                    f'INSERT INTO "{name}" ({cols}) VALUES ({marks})',
                    [[_sqlite_value(v) for v in row] for row in table.rows],
                )
            total += len(table.rows)
            table.rows.clear()
    return total
