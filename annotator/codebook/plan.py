"""A migration plan: per field, where each old id goes in the new schema version (no database).

    target:
      leaders_meeting: summit                 # a rename (one old id onto one new id)
    category:
      security_interests: security            # a merge: several old ids onto one new id
      sovereignty: security
      demonstrated_commitment: [commitment_words, commitment_deeds]   # a split: people decide
      ceasefire_first: null                   # retired: people decide
    actor:
      new:erdogan_aide: erdogan               # a proposed actor, accepted as an existing id

The tool never guesses: a split or a retirement sends the labels that carry the id back to people.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Literal

import yaml
from pydantic import BaseModel, Field, RootModel, ValidationError

from annotator.codebook.diff import FIELD_ENTRIES, LABEL_FIELDS, LabelField, SchemaDiff
from annotator.labelschema import LabelSchema
from annotator.labelschema.models import PROPOSAL_PATTERN

Target = str | list[str] | None
StepKind = Literal["rename", "merge", "split", "retire"]


class PlanError(ValueError):
    """A plan that cannot be applied, with every problem named."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class PlanDocument(RootModel[dict[LabelField, dict[str, Target]]]):
    """The plan file as written."""


class PlanStep(BaseModel):
    field: LabelField
    old: str
    kind: StepKind
    new: list[str] = Field(default_factory=list)

    @property
    def carried(self) -> bool:
        """Whether labels holding the old id are carried by the plan alone (else people review them)."""
        return self.kind in ("rename", "merge")

    def line(self) -> str:
        where = {"rename": f"-> {self.new[0] if self.new else ''}", "merge": f"-> {self.new[0] if self.new else ''} (merged)",
                 "split": f"-> one of {', '.join(self.new)} (people decide)", "retire": "retired (people decide)"}[self.kind]
        return f"{self.field:10} {self.old} {where}"


class MigrationPlan(BaseModel):
    steps: list[PlanStep]
    sha256: str = Field(description="Of the plan file's bytes: named in every label it carries")

    def target(self, field: LabelField, old: str) -> PlanStep | None:
        return next((s for s in self.steps if s.field == field and s.old == old), None)


def read_plan(text: str) -> PlanDocument:
    try:
        return PlanDocument.model_validate(yaml.safe_load(text) or {})
    except yaml.YAMLError as error:
        raise PlanError([f"not YAML: {error}"]) from error
    except ValidationError as error:
        raise PlanError([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]) from error


def checked_plan(text: str, old: LabelSchema, new: LabelSchema) -> MigrationPlan:
    """The plan's steps, each old id one of the old version's (or a proposed `new:` id) and each new id
    one of the new version's; else PlanError naming every id that is not."""
    document = read_plan(text)
    problems: list[str] = []
    steps: list[PlanStep] = []
    for field, mapping in document.root.items():
        before = {e.id for e in FIELD_ENTRIES[field](old)}
        after = {e.id for e in FIELD_ENTRIES[field](new)}
        arriving = Counter(target for target in mapping.values() if isinstance(target, str))
        for old_id, target in mapping.items():
            if old_id not in before and not (field in ("actor", "outlet") and PROPOSAL_PATTERN.match(old_id)):
                problems.append(f"{field} {old_id!r} is not in {old.name} {old.version}")
            new_ids = [] if target is None else [target] if isinstance(target, str) else target
            problems += [f"{field} {old_id!r} -> {n!r}: {n!r} is not in {new.name} {new.version}" for n in new_ids if n not in after]
            if isinstance(target, list) and len(target) < 2:
                problems.append(f"{field} {old_id!r}: a split names two or more new ids")
            kind: StepKind = ("retire" if target is None else "split" if isinstance(target, list)
                              else "merge" if arriving[target] > 1 else "rename")
            steps.append(PlanStep(field=field, old=old_id, kind=kind, new=new_ids))
    if problems:
        raise PlanError(problems)
    return MigrationPlan(steps=steps, sha256=hashlib.sha256(text.encode()).hexdigest())


def unplanned(diff: SchemaDiff, plan: MigrationPlan | None) -> list[tuple[LabelField, str]]:
    """Ids the new version drops that the plan does not place (a rename the diff sees is placed by it):
    an error for each that labels use."""
    return [(field, old_id) for field in LABEL_FIELDS for old_id in diff.removed(field)
            if plan is None or plan.target(field, old_id) is None]
