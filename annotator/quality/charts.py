"""Geometry of the Team page's pictures; templates/team.html draws them as SVG (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.agreement.charts import ConfusionChart, confusion_chart
from annotator.agreement.models import ConfusionMatrix
from annotator.quality.models import Confusion, DriftPoint


@dataclass(frozen=True)
class DriftChart:
    width: int
    height: int
    points: str  # the polyline's points
    threshold_y: float
    last: float


def drift_chart(points: list[DriftPoint], threshold: float, width: int = 160, height: int = 36) -> DriftChart | None:
    """The share right over each window of control answers, 0 to 1 from bottom to top, with the threshold
    as a line; None below two windows."""
    if len(points) < 2:
        return None
    y = lambda share: height - 2 - share * (height - 4)  # noqa: E731
    step = (width - 4) / (len(points) - 1)
    line = " ".join(f"{2 + i * step:.1f},{y(p.accuracy):.1f}" for i, p in enumerate(points))
    return DriftChart(width, height, line, y(threshold), points[-1].accuracy)


def estimated_confusion_chart(annotator: str, confusion: Confusion) -> ConfusionChart | None:
    """An annotator's estimated confusion matrix as percentages of each true value (rows) given as each column."""
    percent = [[round(100 * share) for share in row] for row in confusion.matrix]
    return confusion_chart(ConfusionMatrix(annotators=None, labels=confusion.values, counts=percent), cell=40,
                           title=f"{annotator}: {confusion.field}, % of each true value (rows) given as (columns)")
