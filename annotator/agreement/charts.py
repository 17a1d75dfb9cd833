"""Geometry of the agreement pictures; templates/charts.html draws them as SVG (pure, no I/O)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from annotator.agreement.models import ConfusionMatrix, DailyCount, FieldAgreement

# Series differ by dash pattern as well as colour.
SERIES_STYLES = (
    ("#1d4ed8", ""), ("#c2410c", "6 3"), ("#15803d", "2 3"), ("#6d28d9", "8 3 2 3"),
    ("#0f766e", "4 4"), ("#a16207", "1 4"), ("#be185d", "10 4"), ("#334155", "3 2 1 2"),
)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class AlphaRow:
    label: str
    y: float
    x: float | None
    x_low: float | None
    x_high: float | None
    text: str
    doubtful: bool


@dataclass(frozen=True)
class AlphaChart:
    width: int
    height: int
    left: int
    right: int
    zero_x: float
    rows: list[AlphaRow]
    ticks: list[Tick]


def alpha_chart(fields: list[FieldAgreement], width: int = 720) -> AlphaChart | None:
    """Alpha per field as a dot with its bootstrap interval as a whisker; None when no alpha is defined."""
    if all(f.alpha.value is None for f in fields):
        return None
    left, right, row_height = 150, width - 230, 30
    values = [v for f in fields for v in (f.alpha.value, f.alpha_interval.low) if v is not None]
    low = max(-1.0, min([0.0, *values]))
    low = math.floor(low * 10) / 10
    scale = lambda v: left + (v - low) / (1 - low) * (right - left)  # noqa: E731
    rows = []
    for i, f in enumerate(fields):
        value, interval = f.alpha.value, f.alpha_interval
        if value is None:
            text = "undefined"
        elif f.alpha.caution:
            text = f"{value:.2f} (n={f.alpha.n_units}, too few)"
        else:
            text = f"{value:.2f} (n={f.alpha.n_units})"
        rows.append(
            AlphaRow(
                label=f.field,
                y=20 + i * row_height,
                x=scale(value) if value is not None else None,
                x_low=scale(interval.low) if interval.low is not None else None,
                x_high=scale(interval.high) if interval.high is not None else None,
                text=text,
                doubtful=f.alpha.caution is not None,
            )
        )
    ticks = [Tick(scale(t / 10), f"{t / 10:g}") for t in range(int(round(low * 10)), 11, 2 if low >= -0.4 else 5)]
    return AlphaChart(width, 40 + len(fields) * row_height, left, right, scale(0), rows, ticks)


@dataclass(frozen=True)
class Cell:
    x: float
    y: float
    count: int
    shade: float


@dataclass(frozen=True)
class ConfusionChart:
    title: str
    size: int
    cell: int
    offset: int
    labels: list[Tick]
    cells: list[Cell]


LABEL_CHAR_WIDTH = 9  # px per character at the page's font size, for room around the labels


def confusion_chart(matrix: ConfusionMatrix, cell: int = 44, title: str | None = None) -> ConfusionChart | None:
    """The matrix as shaded cells; column labels stand upright above it so none is cut. None when empty."""
    peak = max((c for row in matrix.counts for c in row), default=0)
    if not peak:
        return None
    offset = 16 + LABEL_CHAR_WIDTH * max(len(label) for label in matrix.labels)
    if title is None:
        title = "all pairs (both directions)" if matrix.annotators is None else f"{matrix.annotators[0]} (rows) × {matrix.annotators[1]} (columns)"
    cells = [
        Cell(offset + j * cell, offset + i * cell, count, count / peak)
        for i, row in enumerate(matrix.counts)
        for j, count in enumerate(row)
    ]
    labels = [Tick(offset + i * cell + cell / 2, label) for i, label in enumerate(matrix.labels)]
    return ConfusionChart(title, offset + cell * len(matrix.labels) + 10, cell, offset, labels, cells)


@dataclass(frozen=True)
class Series:
    annotator: str
    points: str
    colour: str
    dash: str


@dataclass(frozen=True)
class ThroughputChart:
    width: int
    height: int
    left: int
    bottom: int
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]


def throughput_chart(counts: list[DailyCount], width: int = 720, height: int = 240) -> ThroughputChart | None:
    """Items finished per day, one line per annotator; None below two days (a line needs two points)."""
    if len({c.day for c in counts}) < 2:
        return None
    left, bottom, top, right = 50, height - 30, 10, width - 20
    first, last = min(c.day for c in counts), max(c.day for c in counts)
    days = max((last - first).days, 1)
    peak = max(c.items for c in counts)
    x = lambda d: left + (d - first).days / days * (right - left)  # noqa: E731
    y = lambda n: bottom - n / peak * (bottom - top)  # noqa: E731
    by_annotator: dict[str, list[DailyCount]] = defaultdict(list)
    for c in counts:
        by_annotator[c.annotator].append(c)
    series = []
    for i, (who, points) in enumerate(sorted(by_annotator.items())):
        colour, dash = SERIES_STYLES[i % len(SERIES_STYLES)]
        series.append(Series(who, " ".join(f"{x(p.day):.1f},{y(p.items):.1f}" for p in points), colour, dash))
    x_ticks = [Tick(x(d), d.isoformat()) for d in sorted({first, last})]
    y_ticks = [Tick(y(n), str(n)) for n in sorted({0, peak})]
    return ThroughputChart(width, height, left, bottom, series, x_ticks, y_ticks)
