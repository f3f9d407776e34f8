"""Benchmarks: `make bench` (or `python -m tests.bench [bench_name …]`).

Each `bench_*.py` module has `run() -> None` that builds its data in a throw-away test database,
times the product's code and a raw-SQL lower bound in the same run, and prints a table.
Figures are printed, never asserted: tests stay free of timing.
"""

import statistics
import time
from collections.abc import Callable


def measure(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """Median wall time in seconds over `repeat` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_table(title: str, headers: list[str], rows: list[list[object]]) -> None:
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        padded = (c.rjust(w) if index else c.ljust(w) for c, w in zip(row, widths, strict=True))
        print("  " + "  ".join(padded))
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


# --- isolation: a database per benchmark ----------------------------------------------------

import contextlib  # noqa: E402
import datetime  # noqa: E402
import os  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from django.db import connection, transaction  # noqa: E402

# The world the WORLD benchmarks read: `make bench WORLD=county` (default), small or province;
# BENCH_WORLD_DB names an existing generated database to copy instead of generating one.
WORLDS = {
    "small": (1, 2, 5, 80, 5),
    "county": (1, 15, 20, 80, 5),
    "province": (86, 15, 13, 80, 5),
}
TODAY = datetime.date(2026, 11, 30)
_world: dict[str, str] = {}


def uptime() -> str:
    """The machine's load when a figure was taken (the figures mean little without it)."""
    with open("/proc/loadavg") as f:
        one, five, fifteen = f.read().split()[:3]
    return f"load average {one}, {five}, {fifteen} on {os.cpu_count()} cores"


def _admin(sql: str) -> None:
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(sql)


def _copy(template: str, name: str) -> None:
    """A copy of `template`; from PostgreSQL 15 on, by copying its files (STRATEGY FILE_COPY)
    rather than writing every block through the WAL: a province's many gigabytes in a few
    minutes instead of much longer."""
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    connection.ensure_connection()
    strategy = " STRATEGY FILE_COPY" if connection.pg_version >= 150000 else ""
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')


@contextlib.contextmanager
def isolated(template: str, label: str) -> Iterator[None]:
    """Run in a fresh copy of `template` (PostgreSQL) or in a rolled-back transaction."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
        return
    base = connection.settings_dict["NAME"]
    name = f"bench_{os.getpid()}_{label}"[:63]
    _copy(template, name)
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = base
        _admin(f'DROP DATABASE IF EXISTS "{name}"')


def world_template(base: str) -> str:
    """The generated world, made once per run (or BENCH_WORLD_DB), as a template database."""
    if os.environ.get("BENCH_WORLD_DB"):
        return os.environ["BENCH_WORLD_DB"]
    size = os.environ.get("WORLD", "county")
    if size in _world:
        return _world[size]
    from worldgen.build import generate
    from worldgen.config import Config, county_plans

    counties, townships, villages, members, years = WORLDS[size]
    name = f"{base}_world_{size}"[:63]
    _copy(base, name)
    connection.settings_dict["NAME"] = name
    try:
        start = TODAY.replace(year=TODAY.year - years)
        result = generate(
            Config(seed=14, today=TODAY, start=start, members=members),
            county_plans(counties, townships, villages),
            workers=2,
            log=lambda _line: None,
        )
    finally:
        connection.close()
        connection.settings_dict["NAME"] = base
    print(
        f"\nworld {size}: {counties * townships * villages} villages x {members} members x "
        f"{years} years, {result['rows']:,.0f} rows in {result['seconds']:.0f} s; {uptime()}"
    )
    _world[size] = name
    return name


def drop_worlds() -> None:
    for name in _world.values():
        _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _world.clear()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def timings(fn: Callable[[], object], *, repeat: int = 20) -> tuple[float, float]:
    """Median and p95 wall time in seconds over `repeat` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), percentile(times, 0.95)
