"""One stored label document moved onto a new schema version by a plan (no database).

Ids the plan renames or merges are replaced; an id it splits or retires, or a rule of the new
version the labels break, means people decide: the document is not carried, and the reasons say why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotator.annotate.checks import check_annotation
from annotator.annotate.models import AnnotationContent
from annotator.codebook.diff import LABEL_FIELDS, LabelField, SchemaDiff
from annotator.codebook.plan import MigrationPlan, PlanStep
from annotator.labelschema import LabelSchema


@dataclass
class Migrated:
    """What became of one label document."""

    content: dict[str, Any] | None  # the carried labels; None when people must decide
    reasons: list[str] = field(default_factory=list)
    steps: Counter[tuple[LabelField, str]] = field(default_factory=Counter)  # (field, old id) it held that change: how often
    unplanned: set[tuple[LabelField, str]] = field(default_factory=set)  # ids gone from the new version, in no plan


class Steps:
    """The plan's steps, and the renames the diff sees, by field and old id."""

    def __init__(self, plan: MigrationPlan | None, diff: SchemaDiff) -> None:
        self.by_id: dict[tuple[LabelField, str], PlanStep] = {
            (name, old): PlanStep(field=name, old=old, kind="rename", new=[renamed])
            for name in LABEL_FIELDS for old, renamed in diff.renamed(name).items()
        }
        for step in plan.steps if plan else []:
            self.by_id[(step.field, step.old)] = step
        self.gone = {(name, old) for name in LABEL_FIELDS for old in diff.removed(name)}
        # A rule the new version tightened can refuse labels no id change touches: check every document.
        self.recheck = any(change.kind == "rule" and change.touches_labels for change in diff.changes)

    def get(self, key: tuple[LabelField, str]) -> PlanStep | None:
        return self.by_id.get(key)


def migrate(content: Mapping[str, Any], text: str, steps: Steps, new: LabelSchema) -> Migrated:
    """The document under the new version, or why people must decide."""
    moved = orjson.loads(orjson.dumps(content))  # a copy to change: JSON through orjson, 20 times copy.deepcopy's speed
    outcome = Migrated(content=None)
    for number, statement in enumerate(moved["statements"], start=1):
        where = f"statement {number}"
        _move(statement["actor"], "id", "actor", where, steps, outcome)
        _move(statement, "stance", "stance", where, steps, outcome)
        _move(statement, "target", "target", where, steps, outcome)
        for precondition in statement["preconditions"]:
            _move(precondition, "category", "category", where, steps, outcome)
        if statement.get("source_outlet"):
            _move(statement["source_outlet"], "id", "outlet", where, steps, outcome)
    if moved["article"].get("outlet"):
        _move(moved["article"], "outlet", "outlet", "the article", steps, outcome)
    if outcome.reasons or outcome.unplanned:
        return outcome
    if not outcome.steps and not steps.recheck:  # nothing in it changed, and it met the same rules
        outcome.content = dict(content)
        return outcome
    labels = AnnotationContent.model_validate(moved)
    if problems := check_annotation(labels, text, new):
        outcome.reasons += [f"{_place(p.loc)}: {p.message} under {new.name} {new.version}" for p in problems]
        return outcome
    outcome.content = labels.model_dump(mode="json")
    return outcome


def _move(holder: dict[str, Any], key: str, field_name: LabelField, where: str, steps: Steps, outcome: Migrated) -> None:
    old = holder.get(key)
    if not old:
        return
    step = steps.get((field_name, old))
    if step is None:
        if (field_name, old) in steps.gone:
            outcome.unplanned.add((field_name, old))
        return
    outcome.steps[(field_name, old)] += 1
    if step.carried:
        holder[key] = step.new[0]
    elif step.kind == "split":
        outcome.reasons.append(f"{where}: {field_name} {old!r} was split into {', '.join(step.new)}: choose one")
    else:
        outcome.reasons.append(f"{where}: {field_name} {old!r} was retired: choose another or remove it")


def _place(loc: Sequence[str | int]) -> str:
    if len(loc) >= 2 and loc[0] == "statements" and isinstance(loc[1], int):
        return f"statement {loc[1] + 1}"
    return ".".join(map(str, loc))
