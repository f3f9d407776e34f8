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
