"""Each annotator's competence per field, estimated from the overlap alone: the agreement's units
(statements aligned by actor and target) fed to Dawid-Skene, one field at a time (no database)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field

from annotator.agreement.coefficients import Value
from annotator.agreement.units import ArticleUnits
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


class FieldLabels:
    """One field's labels on shared units, as integers as they stream: unit row, annotator, value."""

    def __init__(self) -> None:
        self.rows, self.people, self.values = array("i"), array("i"), array("i")
        self.units = 0
        self.classes: dict[str, int] = {}

    def add(self, values: Mapping[str, Value], people: dict[str, int]) -> None:
        for person, value in values.items():
            self.rows.append(self.units)
            self.people.append(people.setdefault(person, len(people)))
            self.values.append(self.classes.setdefault(str(value), len(self.classes)))
        self.units += 1

    def matrix(self, annotators: int) -> NDArray[np.int64]:
        labels = np.full((self.units, annotators), MISSING, dtype=np.int64)
        labels[np.frombuffer(self.rows, dtype=np.int32), np.frombuffer(self.people, dtype=np.int32)] = np.frombuffer(self.values, dtype=np.int32)
        return labels


@dataclass
class ProjectLabels:
    """Every estimated field's shared units, and the annotators by the index their labels use."""

    people: dict[str, int] = field(default_factory=dict)
    fields: dict[str, FieldLabels] = field(default_factory=lambda: {name: FieldLabels() for name in ESTIMATED_FIELDS})


def field_units(articles: Iterable[ArticleUnits]) -> ProjectLabels:
    """The estimated fields' units two or more annotators labeled, each article's let go once read
    (its units are its own: no key is shared between articles)."""
    found = ProjectLabels()
    for article in articles:
        for name in ESTIMATED_FIELDS:
            for values in article.fields[name].values():
                if len(values) >= 2:
                    found.fields[name].add(values, found.people)
    return found


def competence(labels: ProjectLabels) -> CompetenceReport:
    """Per annotator and field: the estimated accuracy, on units two or more annotators labeled."""
    names = sorted(labels.people, key=labels.people.__getitem__)
    by_annotator: dict[str, dict[str, FieldCompetence]] = {}
    for name, found in labels.fields.items():
        if not found.units:
            continue
        matrix = found.matrix(len(names))
        classes = len(found.classes)
        estimate = dawid_skene(matrix, classes).accuracy() if classes > 1 else np.ones(len(names))
        for index, person in enumerate(names):
            labeled = int(np.count_nonzero(matrix[:, index] != MISSING))
            if labeled:
                by_annotator.setdefault(person, {})[name] = FieldCompetence(accuracy=round(float(estimate[index]), 4), units=labeled)
    return CompetenceReport(annotators=[AnnotatorCompetence(annotator=a, fields=f) for a, f in sorted(by_annotator.items())])
