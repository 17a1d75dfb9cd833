"""Each annotator's competence per field, estimated from the overlap alone: the agreement's units
(statements aligned by actor and target) fed to Dawid-Skene, one field at a time (no database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from pydantic import BaseModel, Field

from annotator.agreement.coefficients import Value
from annotator.agreement.units import ArticleUnits, UnitKey, Units
from annotator.quality.dawid_skene import MISSING, dawid_skene

# Nominal fields of agreement's units (agreement.units.FIELDS) whose values are few: sets of targets or
# of categories are left to agreement.
ESTIMATED_FIELDS = ("relevance", "article_outlet", "actors", "stance", "source_outlet")


class FieldCompetence(BaseModel):
    accuracy: float = Field(description="Estimated chance of giving the true value (Dawid-Skene over the overlap)")
    units: int = Field(description="Units of the field this annotator labeled, that someone else labeled too")


class AnnotatorCompetence(BaseModel):
    annotator: str
    fields: dict[str, FieldCompetence]


class CompetenceReport(BaseModel):
    method: str = "dawid-skene"
    annotators: list[AnnotatorCompetence]


def field_units(articles: Iterable[ArticleUnits]) -> dict[str, Units]:
    """Every unit of every estimated field, across the articles."""
    units: dict[str, Units] = {name: {} for name in ESTIMATED_FIELDS}
    for article in articles:
        for name in ESTIMATED_FIELDS:
            units[name].update(article.fields[name])
    return units


def competence(units: dict[str, Units]) -> CompetenceReport:
    """Per annotator and field: the estimated accuracy, on units two or more annotators labeled."""
    by_annotator: dict[str, dict[str, FieldCompetence]] = {}
    for name in ESTIMATED_FIELDS:
        shared = {key: values for key, values in units[name].items() if len(values) >= 2}
        if not shared:
            continue
        people = sorted({who for values in shared.values() for who in values})
        classes = sorted({str(v) for values in shared.values() for v in values.values()})
        labels = _matrix(shared, people, {value: index for index, value in enumerate(classes)})
        estimate = dawid_skene(labels, len(classes)) if len(classes) > 1 else None
        for index, person in enumerate(people):
            accuracy = float(estimate.accuracy()[index]) if estimate is not None else 1.0
            labeled = int(np.count_nonzero(labels[:, index] != MISSING))
            by_annotator.setdefault(person, {})[name] = FieldCompetence(accuracy=round(accuracy, 4), units=labeled)
    return CompetenceReport(annotators=[AnnotatorCompetence(annotator=a, fields=f) for a, f in sorted(by_annotator.items())])


def _matrix(units: Mapping[UnitKey, Mapping[str, Value]], people: list[str], classes: dict[str, int]) -> np.ndarray:
    column = {person: index for index, person in enumerate(people)}
    labels = np.full((len(units), len(people)), MISSING, dtype=np.int64)
    for row, values in enumerate(units.values()):
        for person, value in values.items():
            labels[row, column[person]] = classes[str(value)]
    return labels

