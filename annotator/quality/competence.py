"""Each annotator's competence per field, estimated from the overlap alone: the agreement's units
(statements aligned by actor and target) fed to an estimator (estimators.py), one field at a time (no database)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from annotator.agreement.coefficients import Value
from annotator.agreement.units import ArticleUnits
from annotator.quality.estimators import MISSING, Estimate, Method, estimate

# Every field of agreement's units (agreement.units.FIELDS); a set (an actor's targets, a statement's
# precondition categories) is one value here, right only when the whole set is.
ESTIMATED_FIELDS = ("relevance", "article_outlet", "actors", "targets", "stance", "preconditions", "source_outlet")


class FieldLabels:
    """One field's labels on shared units, as integers as they stream: unit row, annotator, value; and
    each unit's article."""

    def __init__(self) -> None:
        self.rows, self.people, self.values = array("i"), array("i"), array("i")
        self.articles = array("i")
        self.classes: dict[Value, int] = {}  # by the value itself: a set's text is made once, for the report

    @property
    def units(self) -> int:
        return len(self.articles)

    def add(self, article_id: int, values: Mapping[str, Value], people: dict[str, int]) -> None:
        # Called for every unit of every field: lookups before inserts, no call per label it can spare.
        row, classes = len(self.articles), self.classes
        for person, value in values.items():
            self.rows.append(row)
            if (index := people.get(person)) is None:
                index = people[person] = len(people)
            self.people.append(index)
            if (code := classes.get(value)) is None:
                code = classes[value] = len(classes)
            self.values.append(code)
        self.articles.append(article_id)

    def matrix(self, annotators: int) -> NDArray[np.int64]:
        labels = np.full((self.units, annotators), MISSING, dtype=np.int64)
        labels[np.frombuffer(self.rows, dtype=np.int32), np.frombuffer(self.people, dtype=np.int32)] = np.frombuffer(self.values, dtype=np.int32)
        return labels


@dataclass
class ProjectLabels:
    """Every estimated field's shared units, and the annotators by the index their labels use."""

    people: dict[str, int] = field(default_factory=dict)
    fields: dict[str, FieldLabels] = field(default_factory=lambda: {name: FieldLabels() for name in ESTIMATED_FIELDS})

    @property
    def names(self) -> list[str]:
        return sorted(self.people, key=self.people.__getitem__)


def field_units(articles: Iterable[ArticleUnits]) -> ProjectLabels:
    """The estimated fields' units two or more annotators labeled, each article's let go once read
    (its units are its own: no key is shared between articles)."""
    found = ProjectLabels()
    for article in articles:
        for name in ESTIMATED_FIELDS:
            for values in article.fields[name].values():
                if len(values) >= 2:
                    found.fields[name].add(article.article_id, values, found.people)
    return found


@dataclass
class FieldEstimate:
    """One field's fit: its values by index, the labels it was fitted on (units x annotators), the estimate."""

    values: list[str]
    labels: NDArray[np.int64]
    articles: NDArray[np.int32]
    fit: Estimate

    @cached_property
    def index(self) -> dict[str, int]:
        return {value: i for i, value in enumerate(self.values)}

    def labeled(self, annotator: int) -> int:
        return int(np.count_nonzero(self.labels[:, annotator] != MISSING))

    def accuracy(self) -> NDArray[np.float64]:
        return self.fit.accuracy() if len(self.values) > 1 else np.ones(self.labels.shape[1])

    def expected_confusion(self, annotator: int) -> NDArray[np.float64]:
        """How often, by the estimate, this annotator gave each value (columns) where each was true (rows)."""
        given = self.labels[:, annotator]
        seen = given != MISSING
        return self.fit.posterior[seen].T @ np.eye(len(self.values))[given[seen]]


def fit_fields(labels: ProjectLabels, method: Method = "dawid-skene") -> dict[str, FieldEstimate]:
    """Each estimated field with shared units, fitted."""
    fitted = {}
    for name, found in labels.fields.items():
        if found.units:
            matrix = found.matrix(len(labels.people))
            values = [str(value) for value in sorted(found.classes, key=found.classes.__getitem__)]
            fitted[name] = FieldEstimate(values, matrix, np.frombuffer(found.articles, dtype=np.int32),
                                         estimate(matrix, len(values), method))
    return fitted
