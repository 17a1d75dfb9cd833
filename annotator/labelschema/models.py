"""The shape of a label schema file; pydantic refuses anything else, naming the field."""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SpanRule = Literal["required", "optional", "none"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(StrictModel):
    """One value of a closed list: a stance, a target, a precondition category."""

    id: Identifier
    label: Text
    description: str = ""
    example: str = ""


class StanceChoice(Choice):
    requires_precondition: bool = False


class VocabularyEntry(StrictModel):
    """A canonical actor or outlet, with the names articles use for it."""

    id: Identifier
    label: Text
    aliases: list[Text] = Field(default_factory=list)
    kind: str = ""

    def names(self) -> list[str]:
        return [self.label, *self.aliases]


def _unique_ids(entries: list[Choice] | list[VocabularyEntry]) -> list[str]:
    return [value for value, count in Counter(e.id for e in entries).items() if count > 1]


class ChoiceField(StrictModel):
    help: str = ""
    choices: list[Choice] = Field(min_length=1)

    @model_validator(mode="after")
    def ids_are_unique(self) -> ChoiceField:
        if duplicates := _unique_ids(self.choices):
            raise ValueError(f"duplicate choice ids: {', '.join(duplicates)}")
        return self

    def ids(self) -> list[str]:
        return [c.id for c in self.choices]


class StanceField(ChoiceField):
    choices: list[StanceChoice] = Field(min_length=1)  # type: ignore[assignment]


class EntityField(StrictModel):
    """A field whose value is a vocabulary id, optionally anchored to a span."""

    help: str = ""
    vocabulary: Literal["actors", "outlets"]
    span: SpanRule = "optional"
    allow_proposals: bool = False


class PreconditionField(StrictModel):
    help: str = ""
    span: SpanRule = "required"
    categories: list[Choice] = Field(min_length=1)

    def ids(self) -> list[str]:
        return [c.id for c in self.categories]


class SpanField(StrictModel):
    help: str = ""
    span: SpanRule = "required"


class StatementSchema(StrictModel):
    actor: EntityField
    stance: StanceField
    target: ChoiceField
    preconditions: PreconditionField
    source_outlet: EntityField
    evidence: SpanField


class ArticleSchema(StrictModel):
    outlet: EntityField
    relevant_help: str = ""


class Vocabularies(StrictModel):
    actors: list[VocabularyEntry] = Field(min_length=1)
    outlets: list[VocabularyEntry] = Field(default_factory=list)


class LabelSchema(StrictModel):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=80)]
    version: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]*$", max_length=40)]
    title: Text
    description: str = ""
    guidelines: Text
    statement: StatementSchema
    article: ArticleSchema
    vocabularies: Vocabularies

    @field_validator("version", mode="before")
    @classmethod
    def version_may_be_a_number(cls, value: object) -> object:
        # YAML reads `version: 3` as an int; it is still a version label.
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def vocabularies_are_consistent(self) -> LabelSchema:
        for name in ("actors", "outlets"):
            entries: list[VocabularyEntry] = getattr(self.vocabularies, name)
            if duplicates := _unique_ids(entries):
                raise ValueError(f"vocabularies.{name}: duplicate ids: {', '.join(duplicates)}")
            owners: dict[str, str] = {}
            for entry in entries:
                for alias in entry.names():
                    key = alias.casefold()
                    if owners.setdefault(key, entry.id) != entry.id:
                        raise ValueError(
                            f"vocabularies.{name}: alias {alias!r} names both {owners[key]!r} and {entry.id!r}"
                        )
        return self

    def vocabulary(self, name: str) -> list[VocabularyEntry]:
        return getattr(self.vocabularies, name)

    def vocabulary_ids(self, name: str) -> frozenset[str]:
        return self._vocabulary_ids[name]

    @cached_property
    def _vocabulary_ids(self) -> dict[str, frozenset[str]]:
        """Each vocabulary's ids, made once per schema: every save checks its statements against them."""
        return {name: frozenset(e.id for e in self.vocabulary(name)) for name in type(self.vocabularies).model_fields}

    def stance(self, stance_id: str) -> StanceChoice | None:
        return next((c for c in self.statement.stance.choices if c.id == stance_id), None)


PROPOSAL_PREFIX = "new:"
PROPOSAL_PATTERN = re.compile(r"^new:[a-z][a-z0-9_]{1,59}$")
