"""What changes between two versions of a label schema, field by field (no database).

A change either touches labels (an id added or gone, a rule tightened or loosened) or is text only
(a label, help, description, example, alias or the guidelines), which no stored label can notice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from annotator.labelschema import LabelSchema
from annotator.labelschema.models import Choice, VocabularyEntry

# The fields whose values are ids a label holds, and where each schema keeps them.
LabelField = Literal["stance", "target", "category", "actor", "outlet"]
Entries = Sequence[Choice] | Sequence[VocabularyEntry]
FIELD_ENTRIES: dict[LabelField, Callable[[LabelSchema], Entries]] = {
    "stance": lambda s: s.statement.stance.choices,
    "target": lambda s: s.statement.target.choices,
    "category": lambda s: s.statement.preconditions.categories,
    "actor": lambda s: s.vocabularies.actors,
    "outlet": lambda s: s.vocabularies.outlets,
}
LABEL_FIELDS: tuple[LabelField, ...] = tuple(FIELD_ENTRIES)
ChangeKind = Literal["added", "removed", "renamed", "text", "rule"]


class SchemaChange(BaseModel):
    """One change, as the diff names it."""

    field: str = Field(description="stance, target, category, actor, outlet, a rule's field, or schema")
    kind: ChangeKind
    old: str | None = Field(default=None, description="The old id (or the old value of a rule)")
    new: str | None = Field(default=None, description="The new id (or the new value of a rule)")
    detail: str = ""
    touches_labels: bool

    def line(self) -> str:
        what = {"added": f"+ {self.new}", "removed": f"- {self.old}", "renamed": f"{self.old} -> {self.new}",
                "text": self.old or "", "rule": f"{self.old} -> {self.new}"}[self.kind]
        touches = "" if self.touches_labels else " (text only: touches no labels)"
        return f"{self.field:10} {self.kind:8} {what}{': ' + self.detail if self.detail else ''}{touches}"


class SchemaDiff(BaseModel):
    old_version: str
    new_version: str
    changes: list[SchemaChange]

    def touching_labels(self) -> list[SchemaChange]:
        return [c for c in self.changes if c.touches_labels]

    def removed(self, field: LabelField) -> list[str]:
        """Ids of the field that the new version lacks, and no id of the same meaning replaces."""
        return [c.old for c in self.changes if c.field == field and c.kind == "removed" and c.old]

    def renamed(self, field: LabelField) -> dict[str, str]:
        """Old id -> new id, where the new version gives the same label and description a new id."""
        return {c.old: c.new for c in self.changes if c.field == field and c.kind == "renamed" and c.old and c.new}


def schema_diff(old: LabelSchema, new: LabelSchema) -> SchemaDiff:
    changes = [change for field in FIELD_ENTRIES for change in _field_changes(field, old, new)]
    changes += list(_rule_changes(old, new))
    changes += list(_text_changes(old, new))
    return SchemaDiff(old_version=old.version, new_version=new.version, changes=changes)


def _field_changes(field: LabelField, old: LabelSchema, new: LabelSchema) -> Iterator[SchemaChange]:
    before = {e.id: e for e in FIELD_ENTRIES[field](old)}
    after = {e.id: e for e in FIELD_ENTRIES[field](new)}
    gone = [i for i in before if i not in after]
    came = [i for i in after if i not in before]
    # An id gone and one come with the same label and description: the same meaning under a new id.
    renamed: dict[str, str] = {}
    for old_id in gone:
        twin = next((i for i in came if i not in renamed.values() and _meaning(after[i]) == _meaning(before[old_id])), None)
        if twin is not None:
            renamed[old_id] = twin
    for old_id, new_id in renamed.items():
        yield SchemaChange(field=field, kind="renamed", old=old_id, new=new_id, detail="same label and description",
                           touches_labels=True)
    yield from (SchemaChange(field=field, kind="removed", old=i, touches_labels=True) for i in gone if i not in renamed)
    yield from (SchemaChange(field=field, kind="added", new=i, touches_labels=True) for i in came if i not in renamed.values())
    for kept in (i for i in before if i in after):
        for part in _text_parts(before[kept], after[kept]):
            yield SchemaChange(field=field, kind="text", old=kept, detail=part, touches_labels=False)


def _meaning(entry: Choice | VocabularyEntry) -> tuple[str, str]:
    return entry.label.casefold(), getattr(entry, "description", "").casefold()


def _text_parts(before: Choice | VocabularyEntry, after: Choice | VocabularyEntry) -> Iterator[str]:
    for part in ("label", "description", "example", "aliases", "kind"):
        if getattr(before, part, None) != getattr(after, part, None):
            yield f"{part} changed"


def _rule_changes(old: LabelSchema, new: LabelSchema) -> Iterator[SchemaChange]:
    """Rules a stored label can break: a stance that now needs a precondition, a span now required."""
    for stance in new.statement.stance.choices:
        before = old.stance(stance.id)
        if before is not None and before.requires_precondition != stance.requires_precondition:
            yield SchemaChange(field="stance", kind="rule", old=str(before.requires_precondition).lower(),
                               new=str(stance.requires_precondition).lower(),
                               detail=f"{stance.id} requires a precondition", touches_labels=stance.requires_precondition)
    spans = {
        "actor": lambda s: s.statement.actor.span, "preconditions": lambda s: s.statement.preconditions.span,
        "source_outlet": lambda s: s.statement.source_outlet.span, "evidence": lambda s: s.statement.evidence.span,
    }
    for name, rule in spans.items():
        if rule(old) != rule(new):
            # Only a span that becomes required can find stored labels wanting.
            yield SchemaChange(field=name, kind="rule", old=rule(old), new=rule(new), detail="span",
                               touches_labels=rule(new) == "required")
    for name, entity in (("actor", lambda s: s.statement.actor), ("source_outlet", lambda s: s.statement.source_outlet)):
        if entity(old).allow_proposals != entity(new).allow_proposals:
            yield SchemaChange(field=name, kind="rule", old=str(entity(old).allow_proposals).lower(),
                               new=str(entity(new).allow_proposals).lower(), detail="annotators may propose new ids",
                               touches_labels=not entity(new).allow_proposals)


def _text_changes(old: LabelSchema, new: LabelSchema) -> Iterator[SchemaChange]:
    for part in ("title", "description", "guidelines"):
        if getattr(old, part) != getattr(new, part):
            yield SchemaChange(field="schema", kind="text", old=part, detail="changed", touches_labels=False)
    helps = {
        "actor": lambda s: s.statement.actor.help, "stance": lambda s: s.statement.stance.help,
        "target": lambda s: s.statement.target.help, "preconditions": lambda s: s.statement.preconditions.help,
        "source_outlet": lambda s: s.statement.source_outlet.help, "evidence": lambda s: s.statement.evidence.help,
        "article.outlet": lambda s: s.article.outlet.help, "article.relevant": lambda s: s.article.relevant_help,
    }
    for name, help_of in helps.items():
        if help_of(old) != help_of(new):
            yield SchemaChange(field=name, kind="text", old="help", detail="changed", touches_labels=False)
