"""A model card: what a trained baseline learned from, how, and how well it did on held-out gold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from annotator.predictions.models import EvaluationReport

HEADLINE_FIGURES = {
    "statement_keys_f1": ("statement_keys", "f1"),
    "stance_accuracy": ("fields", "stance", "accuracy"),
    "stance_macro_f1": ("fields", "stance", "macro_f1"),
    "target_accuracy": ("fields", "target", "accuracy"),
    "preconditions_f1": ("fields", "preconditions", "f1"),
    "source_outlet_accuracy": ("fields", "source_outlet", "accuracy"),
}


class SplitCounts(BaseModel):
    train: int
    dev: int
    test: int


class CurvePoint(BaseModel):
    articles: int = Field(description="Gold articles of the train split used")
    statement_keys_f1: float | None
    stance_macro_f1: float | None


class ModelCard(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model: str
    version: str
    created_at: datetime
    gold_source: str
    gold_version: str
    split: dict[str, Any] = Field(description="How articles were split: the key, seed and ratios of `annotator export`")
    seed: int
    training_seconds: float
    counts: SplitCounts
    features: list[str]
    libraries: dict[str, str]
    dev: dict[str, float | None]
    test: dict[str, float | None]
    majority_baseline_test: dict[str, float | None] = Field(
        description="The same model with every stance the training's most frequent one, on the test split")
    learning_curve: list[CurvePoint]


def headline(report: EvaluationReport | None) -> dict[str, float | None]:
    """The card's figures from an evaluation report (empty when the split had no articles)."""
    if report is None:
        return {}
    found = report.model_dump()
    figures: dict[str, float | None] = {}
    for name, path in HEADLINE_FIGURES.items():
        value: Any = found
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        figures[name] = value if isinstance(value, int | float) else None
    figures["articles"] = report.gold.articles
    return figures
