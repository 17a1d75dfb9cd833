"""Payloads of the annotate capability: what a save carries and what a load returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StringConstraints, model_validator

from annotator.textrules import storable_text

Offset = Annotated[StrictInt, Field(ge=0)]
Code = Annotated[str, Field(min_length=1, max_length=80)]
AssignmentStatus = Literal["open", "done", "skipped"]
# The kinds of span a statement holds.
SPAN_LABELS = ("actor", "precondition", "source_outlet", "evidence")
MAX_SECONDS_SPENT = 86_400.0


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Payload):
    """Characters [start, end) of the article text, with the text they quote."""

    start: Offset
    end: Offset
    text: str = Field(max_length=20_000)

    @model_validator(mode="after")
    def end_after_start(self) -> Span:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be greater than start ({self.start})")
        return self


class EntityRef(Payload):
    """A canonical vocabulary id (or `new:slug` for a proposed actor) and where it is named."""

    id: Code
    span: Span | None = None


class Precondition(Payload):
    category: Code
    span: Span | None = None


class Statement(Payload):
    actor: EntityRef
    stance: Code
    target: Code
    preconditions: list[Precondition] = Field(default_factory=list, max_length=20)
    source_outlet: EntityRef | None = None
    evidence: Span | None = None


class ArticleLabels(Payload):
    relevant: StrictBool = True
    outlet: Code | None = None
    note: Annotated[str, AfterValidator(storable_text)] = Field(default="", max_length=5_000)


class AnnotationContent(Payload):
    """The labels themselves, as stored in a revision."""

    statements: list[Statement] = Field(default_factory=list, max_length=200)
    article: ArticleLabels = Field(default_factory=ArticleLabels)


class RevisionSave(AnnotationContent):
    """A save of labels: what they are, the revision the edit started from, the time it took."""

    base_revision: StrictInt | None = Field(
        description="Revision this edit started from; null for a first save. A stale one gets 409."
    )
    # Strict: `false` or "12" is a client's mistake, not zero or twelve seconds. Never a reason to refuse
    # labels: a tab left open for days would otherwise never save again.
    seconds_spent: Annotated[StrictFloat, AfterValidator(lambda seconds: min(seconds, MAX_SECONDS_SPENT))] | None = Field(
        default=None, ge=0, allow_inf_nan=False,
        description=f"Time spent on these labels; more than {MAX_SECONDS_SPENT} (a day) is stored as a day",
    )
    schema_version: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        default=None, description="The schema version the page labeled under; a save under an older one is refused "
        "(409 schema_changed), so that the page reloads with its edits carried to the new version",
    )


class SuggestionDecision(Payload):
    """What an annotator did with one statement a model suggested."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: str = Field(max_length=80)
    model_version: str = Field(max_length=80)
    actor: Code
    target: Code
    decision: Literal["accepted", "edited", "rejected", "ignored"] = Field(
        description="accepted as is, accepted and then changed, rejected, or left alone"
    )
    changed: list[Literal["stance", "target", "preconditions", "source_outlet", "evidence", "actor"]] = Field(
        default_factory=list, description="For edited: the parts the annotator changed"
    )
    statement: int | None = Field(
        default=None, ge=0, description="For accepted and edited: which saved statement (its index) it became",
    )


class AnnotationSave(RevisionSave):
    """An annotator's own labels, and what they did with the model's suggestions shown to them."""

    suggestion_decisions: list[SuggestionDecision] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def decisions_name_saved_statements(self) -> AnnotationSave:
        for decision in self.suggestion_decisions:
            if decision.statement is not None and decision.statement >= len(self.statements):
                raise ValueError(f"a suggestion decision names statement {decision.statement}, "
                                 f"but the save has {len(self.statements)} statement(s)")
        return self


class AnnotationOut(AnnotationContent):
    article_id: int
    annotator: str
    by_lead: bool = Field(default=False, description="A lead's own labels, beside the annotators' overlap")
    status: AssignmentStatus
    revision: int | None = Field(description="Head revision id, the base_revision of the next save")
    schema_version: str | None
    saved_at: datetime | None
    suggestion_decisions: list[SuggestionDecision] = Field(
        default_factory=list, description="What the head revision's save did with the model suggestions shown"
    )
