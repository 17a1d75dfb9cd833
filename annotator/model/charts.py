"""Geometry of the learning curve: test F1 against the gold articles used (pure; charts.html draws it)."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.model.card import CurvePoint

WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 640, 260, 56, 40, 16, 150


@dataclass(frozen=True)
class Line:
    name: str
    kind: str  # CSS class
    points: list[tuple[float, float, str]]  # x, y, and what the point says

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in self.points)


@dataclass(frozen=True)
class LearningCurve:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    x_ticks: list[tuple[float, int]]
    y_ticks: list[tuple[float, str]]
    lines: list[Line]


def learning_curve(points: list[CurvePoint]) -> LearningCurve | None:
    """Two lines (statement F1, stance macro-F1) over 0..1, one point per share of the train split used."""
    if len(points) < 2:
        return None
    most = max(p.articles for p in points)
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(articles: int) -> float:
        return LEFT + (right - LEFT) * articles / most

    def y(value: float) -> float:
        return bottom - (bottom - TOP) * value

    lines = [
        Line(label, kind, [(x(p.articles), y(v), f"{p.articles} articles: {label} {v:.3f}") for p in points
                           if (v := getattr(p, field)) is not None])
        for label, kind, field in (("statement F1", "curve-keys", "statement_keys_f1"),
                                   ("stance macro-F1", "curve-stance", "stance_macro_f1"))
    ]
    return LearningCurve(WIDTH, HEIGHT, LEFT, right, TOP, bottom, [(x(p.articles), p.articles) for p in points],
                         [(y(v), f"{v:.1f}") for v in (0.0, 0.25, 0.5, 0.75, 1.0)], [line for line in lines if line.points])
