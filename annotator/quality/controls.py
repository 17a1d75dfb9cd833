"""An answer on a control or training item scored against its known answer, field by field, with the
statement matching agreement uses (agreement.units); and the 95% interval of an accuracy (pure)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from annotator.agreement.coefficients import Value
from annotator.agreement.units import FIELDS, LabelSet, article_units
from annotator.labelschema import LabelSchema

# Pseudo-annotators of the comparison: no user name has parentheses.
KNOWN, ANSWER = "(known answer)", "(answer)"
# Whether the annotator found each statement the known answer has (and no other): a unit per key of either.
STATEMENTS = "statements"
# Whether each span (by label, exact characters) of either answer is in both.
SPANS = "spans"
SCORED_FIELDS = ("relevance", "article_outlet", STATEMENTS, *(spec.name for spec in FIELDS[2:]), SPANS)
Z_95 = 1.959964


class Accuracy(BaseModel):
    """A share of units answered right, with its Wilson 95% interval."""

    correct: int
    n: int
    accuracy: float | None = Field(description="correct / n; None when n is 0")
    low: float | None = Field(description="Wilson 95% interval, lower end")
    high: float | None = Field(description="Wilson 95% interval, upper end")

    @classmethod
    def of(cls, correct: int, n: int) -> Accuracy:
        if not n:
            return cls(correct=0, n=0, accuracy=None, low=None, high=None)
        low, high = wilson_interval(correct, n)
        return cls(correct=correct, n=n, accuracy=round(correct / n, 4), low=round(low, 4), high=round(high, 4))


def wilson_interval(correct: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion: honest at small n and near 0 or 1."""
    share = correct / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Difference:
    """One unit where the answer and the known answer part: the field, which unit, and both values."""

    field: str
    unit: tuple[Any, ...]
    given: Value | None
    known: Value | None


@dataclass(frozen=True)
class ScoredAnswer:
    tallies: dict[str, tuple[int, int]]  # field -> (correct, units)
    differences: list[Difference]


def score_answer(known: Mapping[str, Any], given: Mapping[str, Any]) -> ScoredAnswer:
    """Per field, the units the answer got right and the units scored.

    Article fields and actors' presence are always scored; a statement's stance, preconditions and
    outlet (and an actor's targets) only where both name its key, since a missed or extra statement
    is already counted once, under `statements`.
    """
    units = article_units(0, [LabelSet(0, KNOWN, known), LabelSet(0, ANSWER, given)])
    tallies: dict[str, tuple[int, int]] = {}
    differences: list[Difference] = []
    keys = units.keys.get(KNOWN, set()), units.keys.get(ANSWER, set())
    marked = units.spans.get(KNOWN, {}), units.spans.get(ANSWER, {})
    presence_units = {
        STATEMENTS: _presence_units([(key,) for key in keys[0]], [(key,) for key in keys[1]]),
        SPANS: _presence_units([(label, at) for label, ranges in marked[0].items() for at in ranges],
                               [(label, at) for label, ranges in marked[1].items() for at in ranges]),
    }
    for name in SCORED_FIELDS:
        field_units: Iterable[tuple[tuple[Any, ...], Mapping[str, Value]]] = (
            presence_units[name].items() if name in presence_units else units.fields[name].items())
        correct = scored = 0
        for unit, values in field_units:
            if KNOWN not in values or ANSWER not in values:
                continue
            scored += 1
            if values[KNOWN] == values[ANSWER]:
                correct += 1
            else:
                differences.append(Difference(name, unit, values[ANSWER], values[KNOWN]))
        tallies[name] = (correct, scored)
    return ScoredAnswer(tallies, differences)


def _presence(present: bool) -> str:
    return "present" if present else "absent"


def _presence_units(known: list[tuple[Any, ...]], given: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], dict[str, Value]]:
    """A unit per thing either answer has, saying in which it is."""
    in_known, in_given = set(known), set(given)
    return {unit: {KNOWN: _presence(unit in in_known), ANSWER: _presence(unit in in_given)} for unit in in_known | in_given}


def explanation(schema: LabelSchema, difference: Difference) -> str:
    """What the codebook says of the known value: the description a trainee should read again."""
    known = difference.known
    statement = schema.statement
    if difference.field == "relevance":
        return schema.article.relevant_help
    if difference.field == "stance":
        return _described(statement.stance.choices, [known])
    if difference.field == "preconditions":
        return _described(statement.preconditions.categories, list(known) if isinstance(known, tuple) else [])
    if difference.field == "targets":
        return _described(statement.target.choices, list(known) if isinstance(known, tuple) else [])
    if difference.field == SPANS:
        label, (start, end) = difference.unit
        said = "marks" if known == "present" else "does not mark"
        return f"The known answer {said} characters {start}–{end} as {label}."
    if difference.field == STATEMENTS:
        ((actor, target),) = difference.unit
        said = "names" if known == "present" else "does not name"
        return f"The known answer {said} a statement by {actor} about {target}. {statement.actor.help}".strip()
    if difference.field in ("article_outlet", "source_outlet"):
        return schema.article.outlet.help if difference.field == "article_outlet" else statement.source_outlet.help
    return statement.actor.help


def _described(choices: Iterable[Any], ids: list[Any]) -> str:
    by_id = {choice.id: choice for choice in choices}
    return " ".join(f"{by_id[i].label}: {by_id[i].description}".rstrip(": ") for i in ids if i in by_id)
