"""What the project page asks for (filters) and shows (rows, totals, progress per annotator)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ArticleState = Literal["unassigned", "in_progress", "done", "disagreement", "gold", "gold_disputed"]
SortOrder = Literal["imported", "title", "fewest_done", "most_done", "most_doubtful"]

STATE_NAMES: dict[str, str] = {
    "unassigned": "unassigned",
    "in_progress": "in progress",
    "done": "done by N annotators",
    "disagreement": "disagreement (not yet gold)",
    "gold": "gold",
    "gold_disputed": "gold, disagreed with since",
}
SORT_NAMES: dict[str, str] = {
    "imported": "import order",
    "title": "title",
    "fewest_done": "fewest annotators done first",
    "most_done": "most annotators done first",
    "most_doubtful": "most doubtful first (settle these first)",
}


class ArticleFilter(BaseModel):
    """The project page's query string: which articles, in what order."""

    q: str = Field(default="", max_length=200, description="Words in the title or the text")
    state: ArticleState | Literal[""] = ""
    done_by: int | None = Field(default=None, ge=0, le=50, description="With state=done: exactly this many annotators done")
    sort: SortOrder = "imported"
    page: int = Field(default=1, ge=1, le=100_000)

    def query_args(self) -> dict[str, str | int]:
        """The filter as query-string arguments, without defaults (for links and redirects)."""
        return {k: v for k, v in self.model_dump(exclude_defaults=True).items() if v not in (None, "")}


class ArticleRow(BaseModel):
    id: int
    title: str
    outlet: str | None
    state: ArticleState
    done: int
    open: int
    holders: list[tuple[str, str]] = Field(description="(annotator, assignment status), by name")
    doubt: float | None = Field(default=None, description="With sort=most_doubtful: how unsure the Dawid-Skene aggregate "
                                "is of the article (1 less its least sure choice); null without gold-free labels")


class ArticlePage(BaseModel):
    rows: list[ArticleRow]
    total: int | None = Field(description="Articles matching the filter; null when only counted page by page")
    has_more: bool


class ProjectTotals(BaseModel):
    articles: int
    gold: int
    complete: int = Field(description="Labeled by as many annotators as the overlap asks, without gold yet")
    in_progress: int = Field(description="Started, not complete, without gold")
    unassigned: int
    awaiting_review: int = Field(default=0, description="Label documents (annotators' and gold) a schema upgrade sent back for review")


class AnnotatorProgress(BaseModel):
    name: str
    done: int
    open: int
