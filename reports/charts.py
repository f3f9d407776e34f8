"""Geometry of the report's SVG charts, drawn on the server by plain SVG templates
(reports/pdf/_hbars.svg, _months.svg): no JavaScript, no screenshots. Pure arithmetic."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
LABEL_WIDTH = 130
BAR_HEIGHT = 18
GAP = 6


@dataclass(frozen=True)
class HBar:
    label: str
    value: Decimal
    note: str
    y: int
    width: float


@dataclass(frozen=True)
class HBarChart:
    bars: list[HBar]
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = WIDTH - LABEL_WIDTH - 120


def hbars(items: list[tuple[str, Decimal, str]]) -> HBarChart:
    """One horizontal bar per (label, value, note), scaled to the largest value."""
    top = max((value for _label, value, _note in items), default=Decimal(0)) or Decimal(1)
    plot = WIDTH - LABEL_WIDTH - 120
    bars = [
        HBar(label, value, note, GAP + i * (BAR_HEIGHT + GAP), round(float(value / top) * plot, 1))
        for i, (label, value, note) in enumerate(items)
    ]
    return HBarChart(bars, GAP + len(bars) * (BAR_HEIGHT + GAP) + GAP)


@dataclass(frozen=True)
class MonthPair:
    label: str
    x: float
    first_y: float
    first_height: float
    second_y: float
    second_height: float


@dataclass(frozen=True)
class MonthChart:
    months: list[MonthPair]
    bar_width: float
    height: int
    baseline: int
    top_label: Decimal


def month_pairs(items: list[tuple[str, Decimal, Decimal]], *, height: int = 180) -> MonthChart:
    """Two bars a month (e.g. disbursed and repaid) on a shared scale."""
    baseline = height - 24
    plot_height = baseline - 16
    top = max((max(a, b) for _label, a, b in items), default=Decimal(0)) or Decimal(1)
    step = (WIDTH - 60) / max(len(items), 1)
    bar = step * 0.35

    def scaled(value: Decimal) -> float:
        return round(float(value / top) * plot_height, 1)

    months = []
    for i, (label, first, second) in enumerate(items):
        x = 50 + i * step
        h1, h2 = scaled(first), scaled(second)
        months.append(MonthPair(label, round(x, 1), baseline - h1, h1, baseline - h2, h2))
    return MonthChart(months, round(bar, 1), height, baseline, top)
