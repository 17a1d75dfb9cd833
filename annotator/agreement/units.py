"""From one article's saved labels to its units: statements aligned by (actor, target).

Rules, stated in every report:
- a statement's key is (actor id, target); an annotator's second statement with
  a key already used in the same article is reported as a duplicate and ignored
  (the first one counts);
- an empty article outlet or source outlet is the value "none", not a missing value:
  the annotator looked and chose none;
- an annotator who has no statement with a key has no value for that key's units
  (missing); key-set F1 measures that disagreement separately;
- actors: for every actor anyone gave a position in an article, each annotator of
  the article says "present" or "absent" (a binary unit per article and actor);
- sets (targets of an actor, precondition categories) are sorted tuples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from annotator.agreement.coefficients import Distance, Value, masi_distance, nominal_distance
from annotator.annotate.models import SPAN_LABELS

NONE = "none"
StatementKey = tuple[str, str]
Range = tuple[int, int]


class LabelSet(NamedTuple):
    """One annotator's saved labels for one article (an annotation content dict)."""

    article_id: int
    annotator: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    unit: str
    distance_name: str
    distance: Distance


FIELDS = (
    FieldSpec("relevance", "article", "nominal", nominal_distance),
    FieldSpec("article_outlet", "article", "nominal", nominal_distance),
    FieldSpec("actors", "(article, actor): present or absent in each annotator's statements", "nominal", nominal_distance),
    FieldSpec("targets", "(article, actor): the set of targets of that actor", "masi", masi_distance),
    FieldSpec("stance", "aligned statement (article, actor, target)", "nominal", nominal_distance),
    FieldSpec("preconditions", "aligned statement: the set of precondition categories", "masi", masi_distance),
    FieldSpec("source_outlet", "aligned statement", "nominal", nominal_distance),
)

UnitKey = tuple[Any, ...]
Units = dict[UnitKey, dict[str, Value]]


@dataclass
class ArticleUnits:
    """One article's units per field, each annotator's statement keys and spans, and findings."""

    article_id: int
    fields: dict[str, Units] = field(default_factory=lambda: {spec.name: defaultdict(dict) for spec in FIELDS})
    keys: dict[str, set[StatementKey]] = field(default_factory=dict)
    spans: dict[str, dict[str, set[Range]]] = field(default_factory=dict)  # annotator -> span label -> ranges
    duplicate_keys: list[tuple[str, StatementKey]] = field(default_factory=list)


def statement_key(statement: Mapping[str, Any]) -> StatementKey:
    return (statement["actor"]["id"], statement["target"])


def first_statements(
    statements: Iterable[Mapping[str, Any]],
) -> tuple[dict[StatementKey, Mapping[str, Any]], list[StatementKey]]:
    """Statements by key, the first of each key winning; and the keys seen again."""
    by_key: dict[StatementKey, Mapping[str, Any]] = {}
    repeated: list[StatementKey] = []
    for statement in statements:
        key = statement_key(statement)
        if key in by_key:
            repeated.append(key)
        else:
            by_key[key] = statement
    return by_key, repeated


def article_units(article_id: int, label_sets: Iterable[LabelSet]) -> ArticleUnits:
    """The article's units, each unit's values in annotator order (so a unit's items are already a table row)."""
    found = ArticleUnits(article_id)
    relevance, article_outlet, actors, targets, stance, preconditions, source_outlet = (
        found.fields[spec.name] for spec in FIELDS
    )
    actors_of: dict[str, set[str]] = {}
    for labels in sorted(label_sets, key=_annotator):
        who, content = labels.annotator, labels.content
        article = content["article"]
        relevance[(article_id,)][who] = "relevant" if article["relevant"] else "not_relevant"
        article_outlet[(article_id,)][who] = article["outlet"] or NONE
        by_key, repeated = first_statements(content["statements"])
        found.duplicate_keys.extend((who, key) for key in repeated)
        found.keys[who] = set(by_key)
        targets_of: dict[str, list[str]] = {}
        for (actor, target), statement in by_key.items():
            targets_of.setdefault(actor, []).append(target)
            unit = (article_id, actor, target)
            stance[unit][who] = statement["stance"]
            preconditions[unit][who] = _category_set(statement["preconditions"])
            outlet = statement["source_outlet"]
            source_outlet[unit][who] = outlet["id"] if outlet else NONE
        for actor, actor_targets in targets_of.items():
            targets[(article_id, actor)][who] = tuple(sorted(actor_targets))
        actors_of[who] = set(targets_of)
        spans = found.spans[who] = {label: set() for label in SPAN_LABELS}
        for statement in content["statements"]:  # a repeated key's spans count too: they are marks in the text
            _add_spans(spans, statement)
    for actor in sorted(set().union(*actors_of.values())):  # sorted: the same order in every process
        actors[(article_id, actor)] = {who: "present" if actor in mine else "absent" for who, mine in actors_of.items()}
    return found


def _category_set(preconditions: list[Mapping[str, Any]]) -> tuple[str, ...]:
    if len(preconditions) == 1:  # the most common case, spared a set and a sort
        return (preconditions[0]["category"],)
    return tuple(sorted({p["category"] for p in preconditions}))


def _annotator(labels: LabelSet) -> str:
    return labels.annotator


def _add_spans(spans: dict[str, set[Range]], statement: Mapping[str, Any]) -> None:
    """Add a statement's character ranges to an annotator's ranges by span label."""
    if span := statement["actor"].get("span"):
        spans["actor"].add((span["start"], span["end"]))
    if span := statement.get("evidence"):
        spans["evidence"].add((span["start"], span["end"]))
    for precondition in statement["preconditions"]:
        if span := precondition.get("span"):
            spans["precondition"].add((span["start"], span["end"]))
    if (outlet := statement["source_outlet"]) and (span := outlet.get("span")):
        spans["source_outlet"].add((span["start"], span["end"]))
