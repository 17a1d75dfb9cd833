"""Quality payloads: settings a lead changes, control items added, and the report per annotator."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from annotator.jobs.reports import Kept
from annotator.quality.controls import Accuracy

Purpose = Literal["control", "training"]


class QualitySettings(BaseModel):
    """What a lead sets of a project's quality checks; what is left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    control_rate: StrictFloat | StrictInt | None = Field(
        default=None, ge=0, le=0.5, description="Share of each annotator's next articles that are control items (0 to 0.5)")
    training_articles: StrictInt | None = Field(
        default=None, ge=0, le=100, description="Training items a new annotator labels first, with feedback (0: no training round)")
    quality_threshold: StrictFloat | StrictInt | None = Field(
        default=None, ge=0, le=1, description="Share right a trainee must reach; below it the Team page flags an annotator")


class ControlItemsAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Purpose = "control"
    count: StrictInt | None = Field(default=None, ge=1, le=100_000, description="How many gold articles to turn (all left, if absent)")


class ControlItemsOut(BaseModel):
    added: int = Field(description="Gold articles this request turned into items")
    control_items: int
    training_items: int
    gold_left: int = Field(description="Gold articles under the current version that are neither yet")
    control_rate: float
    training_articles: int
    quality_threshold: float


class MemberStanding(BaseModel):
    """A lead's say on one member: set aside (or restored), or let through the training round."""

    model_config = ConfigDict(extra="forbid")

    set_aside: bool | None = None
    let_through: Literal[True] | None = None


class FieldQuality(BaseModel):
    accuracy: float | None = Field(description="Chance of giving the true value, estimated from the overlap (null: "
                                   "no shared units of this field, or a field not estimated: spans, statements)")
    low: float | None = Field(description="Wilson 95% interval of the estimate, lower end, as if its units were independent")
    high: float | None = Field(description="Wilson 95% interval of the estimate, upper end")
    units: int = Field(description="Units of the field this annotator labeled that someone else labeled too")
    control: Accuracy = Field(description="On control items, against the known answer")


class Confusion(BaseModel):
    """An annotator's estimated confusion matrix for a field: rows the true value, columns the value given."""

    field: str
    values: list[str]
    matrix: list[list[float]]


class DriftPoint(BaseModel):
    at: datetime = Field(description="When the window's last answer was saved")
    accuracy: float = Field(description="Share right over the window's control answers")
    answers: int


class TrainingOut(BaseModel):
    required: int
    done: int
    score: float | None
    finished_at: datetime | None
    how: str | None


class AnnotatorQuality(BaseModel):
    annotator: str
    set_aside: bool
    fields: dict[str, FieldQuality]
    control: Accuracy = Field(description="Every field of every control answer, pooled")
    training: TrainingOut | None
    confusions: list[Confusion]
    drift: list[DriftPoint]
    flags: list[str]


class ExampleSentence(BaseModel):
    article_id: int
    title: str
    sentence: str


class ConfusedPair(BaseModel):
    """Two values annotators confuse: how often the estimate says `given` was said where `truth` was meant."""

    field: str
    truth: str
    given: str
    times: float = Field(description="Expected count over every annotator's labels")
    annotators: list[str] = Field(description="Who confuse them most, most first")
    examples: list[ExampleSentence]


class QualityReport(Kept):
    project: str
    method: str = "dawid-skene"
    threshold: float
    control_rate: float
    control_items: int
    training_items: int
    annotators: list[AnnotatorQuality]
    confusions: list[ConfusedPair]


class FeedbackLine(BaseModel):
    """One place where a trainee's answer and the known answer part."""

    field: str
    where: str = Field(description="The article, an actor, or a statement (actor → target)")
    yours: str
    known: str
    explanation: str = Field(description="What the codebook says of the known value")


class TrainingFeedback(BaseModel):
    article_id: int
    right: int = Field(description="Units of this answer that match the known answer")
    scored: int
    lines: list[FeedbackLine]
    training: TrainingOut
