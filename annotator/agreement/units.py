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


def first_statements(
    statements: Iterable[Mapping[str, Any]],
) -> tuple[dict[StatementKey, Mapping[str, Any]], list[StatementKey]]:
    """Statements by key, the first of each key winning; and the keys seen again."""
    by_key: dict[StatementKey, Mapping[str, Any]] = {}
    repeated: list[StatementKey] = []
    for statement in statements:
        key = (statement["actor"]["id"], statement["target"])
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
    article_unit = (article_id,)
    actors_of: dict[str, Iterable[str]] = {}
    for _, who, content in sorted(label_sets, key=_annotator):
        article = content["article"]
        relevance[article_unit][who] = "relevant" if article["relevant"] else "not_relevant"
        article_outlet[article_unit][who] = article["outlet"] or NONE
        statements = content["statements"]
        by_key, repeated = first_statements(statements)
        if repeated:
            found.duplicate_keys.extend((who, key) for key in repeated)
        found.keys[who] = set(by_key)
        targets_of: dict[str, list[str]] = {}
        for (actor, target), statement in by_key.items():
            if actor in targets_of:
                targets_of[actor].append(target)
            else:
                targets_of[actor] = [target]
            unit = (article_id, actor, target)
            stance[unit][who] = statement["stance"]
            preconditions[unit][who] = _category_set(statement["preconditions"])
            outlet = statement["source_outlet"]
            source_outlet[unit][who] = outlet["id"] if outlet else NONE
        for actor, actor_targets in targets_of.items():
            targets[(article_id, actor)][who] = tuple(actor_targets) if len(actor_targets) == 1 else tuple(sorted(actor_targets))
        actors_of[who] = targets_of.keys()
        found.spans[who] = _spans(statements)  # a repeated key's spans count too: they are marks in the text
    for actor in sorted(set().union(*actors_of.values())):  # sorted: the same order in every process
        actors[(article_id, actor)] = {who: "present" if actor in mine else "absent" for who, mine in actors_of.items()}
    return found


def _category_set(preconditions: list[Mapping[str, Any]]) -> tuple[str, ...]:
    if len(preconditions) == 1:  # the most common case, spared a set and a sort
        return (preconditions[0]["category"],)
    return tuple(sorted({p["category"] for p in preconditions}))


def _spans(statements: Iterable[Mapping[str, Any]]) -> dict[str, set[Range]]:
    """An annotator's character ranges by span label."""
    actor: set[Range] = set()
    precondition: set[Range] = set()
    source_outlet: set[Range] = set()
    evidence: set[Range] = set()
    for statement in statements:
        if span := statement["actor"].get("span"):
            actor.add((span["start"], span["end"]))
        for item in statement["preconditions"]:
            if span := item.get("span"):
                precondition.add((span["start"], span["end"]))
        if (outlet := statement["source_outlet"]) and (span := outlet.get("span")):
            source_outlet.add((span["start"], span["end"]))
        if span := statement.get("evidence"):
            evidence.add((span["start"], span["end"]))
    return {"actor": actor, "precondition": precondition, "source_outlet": source_outlet, "evidence": evidence}


def _annotator(labels: LabelSet) -> str:
    return labels.annotator
