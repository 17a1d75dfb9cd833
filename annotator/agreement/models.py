"""The agreement report, as the API, the CLI (--json) and the page all give it."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, model_validator

from annotator.jobs.reports import Kept

# Below these a figure is computed but not to be trusted: one disagreement among three
# units swings alpha from 1 to below 0. The report says so beside the value.
MIN_UNITS = 5
MIN_ITEMS = 10


class Figure(BaseModel):
    """A coefficient with what it rests on; null with the reason when it is undefined."""

    value: float | None
    n_units: int = Field(description="Units (or articles) the figure rests on")
    n_pairs: int = Field(default=0, description="Pairs of values compared")
    reason: str | None = Field(default=None, description="Why value is null")
    caution: str | None = Field(default=None, description="Why a value that is there should not be trusted yet")

    @model_validator(mode="after")
    def warn_when_too_few(self) -> Figure:
        if self.value is not None and self.caution is None and self.n_units < MIN_UNITS:
            self.caution = f"only {self.n_units} unit(s), too few to trust ({MIN_UNITS} or more wanted)"
        return self


class AlphaInterval(BaseModel):
    low: float | None
    high: float | None
    samples: int
    undefined_samples: int
    seed: int


class PairFigure(BaseModel):
    annotators: tuple[str, str]
    figure: Figure


class FieldAgreement(BaseModel):
    field: str
    unit: str = Field(description="What one unit is for this field")
    distance: str = Field(description="nominal, or masi for sets")
    alpha: Figure
    alpha_interval: AlphaInterval
    fleiss_kappa: Figure
    observed: Figure
    cohen_kappa: list[PairFigure]


class F1Figure(BaseModel):
    value: float | None
    matches: int
    size_a: int
    size_b: int
    n_articles: int
    reason: str | None = None
    caution: str | None = Field(default=None, description="Why a value that is there should not be trusted yet")

    @model_validator(mode="after")
    def warn_when_too_few(self) -> F1Figure:
        items = self.size_a + self.size_b
        if self.value is not None and self.caution is None and items < MIN_ITEMS:
            self.caution = f"only {items} item(s) compared, too few to trust ({MIN_ITEMS} or more wanted)"
        return self


class PairF1(BaseModel):
    annotators: tuple[str, str]
    figure: F1Figure


class KeyAgreement(BaseModel):
    """Statement keys (actor, target) per article and pair: pairwise F1, micro-averaged."""

    pooled: F1Figure
    pairs: list[PairF1]


class SpanAgreement(BaseModel):
    label: str
    exact: F1Figure
    overlap: F1Figure
    exact_pairs: list[PairF1]
    overlap_pairs: list[PairF1]
    spans_per_annotator: dict[str, int]


class AnnotatorSummary(BaseModel):
    name: str
    items_done: int
    median_seconds: float | None
    agreement_with_others: Figure
    agreement_with_gold: Figure


class ArticleDisagreement(BaseModel):
    article_id: int
    title: str
    score: float = Field(description="0 = full agreement, 1 = none")
    annotators: list[str]
    fields: list[str] = Field(description="Fields with at least one disagreeing pair")


class DuplicateKey(BaseModel):
    article_id: int
    annotator: str
    actor: str
    target: str


class ConfusionMatrix(BaseModel):
    """Counts of stance pairs: rows the first annotator's value, columns the second's."""

    annotators: tuple[str, str] | None = Field(description="null for the pooled, symmetric matrix")
    labels: list[str]
    counts: list[list[int]]


class DailyCount(BaseModel):
    annotator: str
    day: date
    items: int


class GroupFigures(BaseModel):
    group: str
    articles: int
    alpha: dict[str, Figure] = Field(description="Krippendorff's alpha per field, within the group")
    median_seconds: float | None = Field(description="Median seconds an annotator spent on an article")
    agreement_with_gold: Figure


class Acceptance(BaseModel):
    rate: float | None
    kept: int
    shown: int


class SuggestionEffect(BaseModel):
    groups: list[GroupFigures] = Field(description="With suggestions, then the blind control")
    decisions: dict[str, int] = Field(description="Suggested statements accepted, edited, rejected and ignored")
    acceptance: dict[str, Acceptance] = Field(description="Per field, the share of suggested values kept")
    definitions: dict[str, str]


class AgreementReport(Kept):
    project_id: int
    schema_version: str | None = Field(default=None, description="The version every label compared was made under "
                                       "(or carried to); labels waiting for review under an older one are left out")
    generated_at: datetime
    annotators: list[str]
    articles_labeled: int = Field(description="Articles with labels from two or more annotators")
    definitions: dict[str, str]
    fields: list[FieldAgreement]
    statement_keys: KeyAgreement
    spans: list[SpanAgreement]
    stance_confusion: list[ConfusionMatrix]
    per_annotator: list[AnnotatorSummary]
    throughput: list[DailyCount]
    most_disagreed: list[ArticleDisagreement]
    duplicate_keys: list[DuplicateKey]
    model: str | None = Field(
        default=None, description="A model counted as a pseudo-annotator (model:NAME@VERSION), only when asked for"
    )
    suggestions: SuggestionEffect | None = Field(
        default=None, description="Articles labeled with a model's suggestions beside the blind control share"
    )
