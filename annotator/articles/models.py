"""What a lead may change of an article, and what deleting articles takes with them."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from annotator.storage.tables import MAX_ROW_ID
from annotator.ingest.models import OUTLET_MAX, TITLE_MAX
from annotator.textrules import storable_text


class ArticleChange(BaseModel):
    """Fields left out stay as they are; an empty outlet clears it. The text never changes: labels point into it."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    outlet: str | None = Field(default=None, max_length=OUTLET_MAX)

    @field_validator("title", "outlet")
    @classmethod
    def storable(cls, value: str | None) -> str | None:
        return None if value is None else storable_text(value).strip()

    @field_validator("title")
    @classmethod
    def title_is_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("the title is empty")
        return value


class ArticleDeletion(BaseModel):
    article_ids: list[Annotated[StrictInt, Field(ge=1, le=MAX_ROW_ID)]] = Field(min_length=1, max_length=10_000)
    dry_run: StrictBool = Field(default=False, description="Only count what would go")


class DeletionCounts(BaseModel):
    """What deleting the articles takes with them (or took)."""

    articles: int
    annotations: int = Field(description="Annotators' saved labels (head revisions), each with its history")
    annotators: int = Field(description="People who saved those labels")
    gold: int = Field(description="Articles with gold")
    predictions: int = Field(description="Model predictions stored for them")

    def in_words(self) -> str:
        parts = [f"{self.articles} article(s)"]
        if self.annotations:
            parts.append(f"{self.annotations} annotation(s) by {self.annotators} annotator(s)")
        if self.gold:
            parts.append(f"gold for {self.gold}")
        if self.predictions:
            parts.append(f"{self.predictions} model prediction(s)")
        return ", ".join(parts)
