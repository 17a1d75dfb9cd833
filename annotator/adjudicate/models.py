"""Payloads of adjudication: the side-by-side comparison and gold records."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from annotator.annotate.models import AnnotationContent, ArticleLabels, RevisionSave, Statement

GoldMethod = Literal["unanimous", "majority", "adjudicated"]


class AnnotatorVersion(BaseModel):
    annotator: str
    revision: int
    article: ArticleLabels
    by_lead: bool = Field(default=False, description="A lead's own labels, beside the annotators' overlap")
    schema_version: str = Field(default="", description="The schema version they were made under (or carried to)")


class KeyRow(BaseModel):
    """One statement key (actor, target) and each annotator's statement for it."""

    actor: str
    target: str
    statements: dict[str, Statement | None] = Field(description="Annotator name -> their statement, null if absent")
    differs: list[str] = Field(description="Parts that are not the same for everyone: presence, stance, ...")
    tie: bool = Field(default=False, description="The annotators split evenly on this statement: the lead decides")


class ArticleComparison(BaseModel):
    article_id: int
    versions: list[AnnotatorVersion]
    rows: list[KeyRow]
    article_differs: list[str]
    unanimous: bool
    proposal: AnnotationContent = Field(description="Majority vote per key and field: a starting point for gold")
    ties: list[str] = Field(
        default_factory=list, description="What the annotators split evenly on, left out of the proposal for the lead"
    )
    disputed_by: list[str] = Field(
        default_factory=list, description="Annotators whose labels, saved after the gold was settled, disagree with it"
    )


class GoldSave(RevisionSave):
    """A lead's settled labels for an article."""


class GoldOut(AnnotationContent):
    article_id: int
    revision: int | None
    method: GoldMethod | None
    adjudicator: str | None
    source_revision_ids: list[int]
    schema_version: str | None
    saved_at: datetime | None


class BulkAcceptance(BaseModel):
    accepted: int = Field(description="Articles every annotator the overlap asks for has done, all agreeing: now gold")
    already_gold: int
    not_unanimous: int = Field(description="Done by all, not all agreeing: for the lead to settle")
    incomplete: int = Field(description="Still being labeled: fewer done than the overlap asks for (at least two), or some open")

    def summary(self) -> str:
        return (
            f"{self.accepted} unanimous article(s) accepted as gold; {self.not_unanimous} need adjudication, "
            f"{self.incomplete} are not done by every annotator yet, {self.already_gold} already had gold."
        )


class RestoredRevision(BaseModel):
    revision: int = Field(description="The new head revision")
    restored_from: int
