"""Records read from import files, and the report an import gives back."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from annotator.textrules import storable_json, storable_text

TITLE_MAX = 300
OUTLET_MAX = 200


class ArticleRecord(BaseModel):
    """One article as a JSONL line (or a normalised .txt file / Label Studio task) gives it."""

    model_config = ConfigDict(extra="forbid")

    id: str | int | None = Field(default=None, description="The article's id in the source system")
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    text: str = Field(max_length=2_000_000)
    outlet: str | None = Field(default=None, max_length=OUTLET_MAX)
    url: str | None = Field(default=None, max_length=2_000)
    published: str | None = Field(default=None, description="ISO 8601 date or date-time")
    meta: dict[str, Any] = Field(default_factory=dict)

    @field_validator("text")
    @classmethod
    def text_is_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value

    @field_validator("text", "title", "outlet", "url", "published")
    @classmethod
    def text_is_storable(cls, value: str | None) -> str | None:
        return None if value is None else storable_text(value)

    @field_validator("meta")
    @classmethod
    def meta_is_storable(cls, value: dict[str, Any]) -> dict[str, Any]:
        return storable_json(value)  # type: ignore[no-any-return]

    @field_validator("published")
    @classmethod
    def published_is_iso(cls, value: str | None) -> str | None:
        if value is None:
            return None
        for parse in (date.fromisoformat, datetime.fromisoformat):
            try:
                parse(value)
                return value
            except ValueError:
                continue
        raise ValueError(f"{value!r} is not an ISO 8601 date or date-time")

    def resolved_title(self) -> str:
        return self.title.strip() if self.title and self.title.strip() else derived_title(self.text)


HEADLINE_MAX_CHARS = 120
HEADLINE_MAX_WORDS = 20
SHORT_TITLE_CHARS = 80
BREADCRUMB = re.compile(r"\s+[»›>|]\s+")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s")


def derived_title(text: str) -> str:
    """A title for an article that came without one.

    The first line is the title when it reads as a headline: short, and not a
    sentence that ends with a full stop (a site's breadcrumb trail before it is
    dropped). Otherwise the article starts with body text, and the title is its
    first sentence, cut at a word.
    """
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    headline = BREADCRUMB.split(first)[-1]
    if len(headline) <= HEADLINE_MAX_CHARS and len(headline.split()) <= HEADLINE_MAX_WORDS and not headline.endswith("."):
        return headline
    sentence = SENTENCE_END.split(first, maxsplit=1)[0]
    return _cut_at_word(sentence, SHORT_TITLE_CHARS)


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return f"{cut}…"


class SourcePosition(BaseModel):
    """Where a record came from: a file and, inside it, a line or a task number."""

    source: str
    line: int | None = None
    task: int | None = None

    def where(self) -> str:
        """`file line 3`, `file task 2` or `file`, as reports print it."""
        if self.line is not None:
            return f"{self.source} line {self.line}"
        return f"{self.source} task {self.task}" if self.task is not None else self.source


class Rejection(SourcePosition):
    reason: str


class ReadRecord(SourcePosition):
    record: ArticleRecord


class Duplicate(SourcePosition):
    duplicate_of: int = Field(description="Id of the article already holding this text")


REPORTED = 100  # records named one by one in a report; the rest are counted


class RejectionTally(BaseModel):
    """The records an import refused: all counted, the first REPORTED named, so a hostile file of
    millions of bad lines gets a report of bounded size."""

    rejected_count: int = 0
    rejected: list[Rejection] = Field(default_factory=list, description=f"The first {REPORTED} rejected records")

    def reject(self, found: Rejection) -> None:
        self.rejected_count += 1
        if len(self.rejected) < REPORTED:
            self.rejected.append(found)

    def rejection_lines(self) -> list[str]:
        """The rejections as a command prints them, ending with how many were counted but not named."""
        lines = [f"  rejected   {rejection.where()}: {rejection.reason}" for rejection in self.rejected]
        if (unnamed := self.rejected_count - len(self.rejected)) > 0:
            lines.append(f"  and {unnamed} more rejected, counted above (the first {REPORTED} are named)")
        return lines


class ImportReport(RejectionTally):
    """What an article import did."""

    imported: int = 0
    article_ids: list[int] = Field(default_factory=list)
    duplicate_count: int = 0
    duplicates: list[Duplicate] = Field(default_factory=list, description=f"The first {REPORTED} duplicates")

    def duplicate(self, found: Duplicate) -> None:
        self.duplicate_count += 1
        if len(self.duplicates) < REPORTED:
            self.duplicates.append(found)


class ArticleSummary(BaseModel):
    id: int
    external_id: str | None
    title: str
    outlet: str | None
    assigned_count: int


class ArticleOut(ArticleSummary):
    project_id: int
    text: str
    url: str | None
    published: str | None
    meta: dict[str, Any]
