"""From saved labels to units: statements aligned by (actor, target) across annotators.

Rules, stated in every report:
- a statement's key is (actor id, target); an annotator's second statement with
  a key already used in the same article is reported as a duplicate and ignored
  (the first one counts);
- an empty article outlet or source outlet is the value "none", not a missing value:
  the annotator looked and chose none;
- an annotator who has no statement with a key has no value for that key's units
  (missing); key-set F1 measures that disagreement separately.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.agreement.coefficients import Distance, Value, masi_distance, nominal_distance

NONE = "none"
StatementKey = tuple[str, str]
SPAN_LABELS = ("actor", "precondition", "source_outlet", "evidence")


@dataclass(frozen=True)
class LabelSet:
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
    FieldSpec("actors", "article (the set of actor ids holding a position)", "masi", masi_distance),
    FieldSpec("targets", "(article, actor) (the set of targets of that actor)", "masi", masi_distance),
    FieldSpec("stance", "aligned statement (article, actor, target)", "nominal", nominal_distance),
    FieldSpec("preconditions", "aligned statement (the set of precondition categories)", "masi", masi_distance),
    FieldSpec("source_outlet", "aligned statement", "nominal", nominal_distance),
)

UnitKey = tuple[Any, ...]
FieldUnits = dict[UnitKey, dict[str, Value]]


@dataclass
class Aligned:
    """Every field's units, each annotator's statement keys per article, and the findings."""

    fields: dict[str, FieldUnits] = field(default_factory=lambda: {spec.name: {} for spec in FIELDS})
    keys: dict[int, dict[str, set[StatementKey]]] = field(default_factory=lambda: defaultdict(dict))
    spans: dict[str, dict[int, dict[str, set[tuple[int, int]]]]] = field(
        default_factory=lambda: {label: defaultdict(dict) for label in SPAN_LABELS}
    )
    duplicate_keys: list[tuple[int, str, StatementKey]] = field(default_factory=list)


def statement_key(statement: Mapping[str, Any]) -> StatementKey:
    return (statement["actor"]["id"], statement["target"])


def first_statements(statements: Iterable[Mapping[str, Any]]) -> tuple[dict[StatementKey, Mapping[str, Any]], list[StatementKey]]:
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


def align(label_sets: Iterable[LabelSet]) -> Aligned:
    aligned = Aligned()
    fields = aligned.fields
    for labels in label_sets:
        article, who, content = labels.article_id, labels.annotator, labels.content
        fields["relevance"].setdefault((article,), {})[who] = "relevant" if content["article"]["relevant"] else "not_relevant"
        fields["article_outlet"].setdefault((article,), {})[who] = content["article"]["outlet"] or NONE
        by_key, repeated = first_statements(content["statements"])
        aligned.duplicate_keys.extend((article, who, key) for key in repeated)
        aligned.keys[article][who] = set(by_key)
        fields["actors"].setdefault((article,), {})[who] = frozenset(actor for actor, _ in by_key)
        targets: dict[str, set[str]] = defaultdict(set)
        for (actor, target), statement in by_key.items():
            targets[actor].add(target)
            unit = (article, actor, target)
            fields["stance"].setdefault(unit, {})[who] = statement["stance"]
            fields["preconditions"].setdefault(unit, {})[who] = frozenset(p["category"] for p in statement["preconditions"])
            outlet = statement["source_outlet"]
            fields["source_outlet"].setdefault(unit, {})[who] = outlet["id"] if outlet else NONE
        for actor, actor_targets in targets.items():
            fields["targets"].setdefault((article, actor), {})[who] = frozenset(actor_targets)
        for label, spans in _spans(content["statements"]).items():
            aligned.spans[label][article][who] = spans
    return aligned


def _spans(statements: Iterable[Mapping[str, Any]]) -> dict[str, set[tuple[int, int]]]:
    """Each span label's distinct character ranges in one annotator's statements."""
    found: dict[str, set[tuple[int, int]]] = {label: set() for label in SPAN_LABELS}

    def add(label: str, span: Mapping[str, Any] | None) -> None:
        if span:
            found[label].add((span["start"], span["end"]))

    for statement in statements:
        add("actor", statement["actor"].get("span"))
        for precondition in statement["preconditions"]:
            add("precondition", precondition.get("span"))
        if statement["source_outlet"]:
            add("source_outlet", statement["source_outlet"].get("span"))
        add("evidence", statement.get("evidence"))
    return found
