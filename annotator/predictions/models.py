"""A predictions file's lines, and what an evaluation reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from annotator.annotate.models import AnnotationContent, ArticleLabels, Statement

MODEL_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,79}$"


class PredictedStatement(Statement):
    score: float | None = Field(default=None, ge=0, le=1, description="The model's confidence in the statement")


class PredictionLine(BaseModel):
    """One JSONL line: a model's labels for one article (the import-annotations line, plus the model)."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    article_id: int | None = None
    external_id: str | None = None
    model: str = Field(pattern=MODEL_NAME)
    model_version: str = Field(pattern=MODEL_NAME)
    statements: list[PredictedStatement] = Field(default_factory=list, max_length=200)
    article: ArticleLabels = Field(default_factory=ArticleLabels)
    stance_margin: float | None = Field(
        default=None, ge=0, le=1, allow_inf_nan=False,
        description="The smallest gap between the two likeliest stances among the statements; an uncertainty-first "
        "queue gives the articles with the smallest margin first",
    )

    def content(self) -> AnnotationContent:
        """The labels alone, as an annotation stores them (scores dropped)."""
        return AnnotationContent.model_validate({
            "statements": [s.model_dump(exclude={"score"}) for s in self.statements], "article": self.article.model_dump(),
        })


class Interval(BaseModel):
    low: float
    high: float


class GoldSource(BaseModel):
    """Which gold an evaluation is against: a project's current gold, or a pinned export file."""

    source: str = Field(description="The project, or the gold.jsonl file")
    version: str = Field(description="What pins this gold: an export's version and hash, or a project's newest gold revision")
    split: str | None
    articles: int


class PredictionCoverage(BaseModel):
    articles_with_predictions: int
    gold_articles_without_prediction: int = Field(description="Scored as if the model predicted nothing")
    predictions_without_gold: int = Field(description="Not scored")


class HumanComparison(BaseModel):
    annotator: str
    articles: int
    statement_keys_f1: float | None
    stance_accuracy: float | None


class EvaluationReport(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model: str
    model_version: str
    gold: GoldSource
    created_at: datetime
    predictions: PredictionCoverage
    statement_keys: dict[str, Any]
    fields: dict[str, Any]
    spans: dict[str, Any]
    intervals: dict[str, Interval | None] = Field(
        description="95% bootstrap interval over articles of each figure, by its dotted path (e.g. statement_keys.f1)"
    )
    humans: list[HumanComparison] = Field(description="Each annotator's same figures against the same gold")
    model_in_human_range: dict[str, str | None] = Field(
        description="Per figure: 'inside', 'below' or 'above' the annotators' range; null without two annotators"
    )
    definitions: dict[str, str]
    bootstrap: dict[str, int]
