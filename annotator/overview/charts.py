"""Geometry of the project page's progress bars; templates/charts.html draws them (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.overview.models import AnnotatorProgress, ProjectTotals


TEXT_WIDTH = 280  # room after the bars for "12 gold · 30 complete · 4 started"


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    kind: str  # the CSS class: bar-gold, bar-done, bar-open, bar-rest
    label: str
    count: int


@dataclass(frozen=True)
class BarRow:
    label: str
    y: float
    segments: list[Segment]
    text: str


@dataclass(frozen=True)
class ProgressChart:
    width: int
    height: int
    left: int
    text_x: int
    bar_height: int
    rows: list[BarRow]


def _row(label: str, y: float, parts: list[tuple[str, str, int]], scale: float, left: int, text: str) -> BarRow:
    segments, x = [], float(left)
    for kind, name, count in parts:
        segments.append(Segment(x, count * scale, kind, name, count))
        x += count * scale
    return BarRow(label, y, [s for s in segments if s.count], text)


def progress_chart(totals: ProjectTotals, people: list[AnnotatorProgress], width: int = 900) -> ProgressChart | None:
    """The whole project as one stacked bar, then one bar per annotator, all on one scale (articles)."""
    if not totals.articles:
        return None
    left, right, row_height, bar_height = 120, width - TEXT_WIDTH - 10, 34, 20
    scale = (right - left) / totals.articles
    rows = [_row(
        "all articles", 10,
        [("bar-gold", "gold", totals.gold), ("bar-done", "labeled by all", totals.complete),
         ("bar-open", "in progress", totals.in_progress), ("bar-rest", "not started", totals.unassigned)],
        scale, left, f"{totals.gold} gold · {totals.complete} complete · {totals.in_progress} started",
    )]
    for i, person in enumerate(people, start=1):
        rows.append(_row(
            person.name, 10 + i * row_height,
            [("bar-done", "done", person.done), ("bar-open", "open", person.open)],
            scale, left, f"{person.done} done · {person.open} open",
        ))
    return ProgressChart(width, 20 + len(rows) * row_height, left, width - TEXT_WIDTH, bar_height, rows)
