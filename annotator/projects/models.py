"""Project payloads."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt


def _printable(name: str) -> str:
    """No control, format (bidirectional overrides among them) or unassigned characters in a name."""
    if hidden := sorted({f"U+{ord(c):04X}" for c in name if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")}):
        raise ValueError(f"the name holds characters that are not shown or reorder text: {', '.join(hidden)}")
    return name


ProjectName = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[^\s/].*$"), AfterValidator(_printable)]


Overlap = Annotated[int, Field(ge=1, le=50, description="Annotators per article")]


class ProjectCreate(BaseModel):
    name: ProjectName
    overlap: Overlap = 2
    label_schema: dict[str, Any] = Field(description="The label schema document (as its YAML file holds it)")


class ProjectOut(BaseModel):
    id: int
    name: str
    overlap: int
    schema_name: str
    schema_version: str
    created_at: datetime
    archived_at: datetime | None = Field(default=None, description="Set: no articles are handed out, annotators no longer see it")
    articles: int
    your_role: str | None = Field(default=None, description="The caller's role in the project (admin for admins)")


class ProjectChange(BaseModel):
    """What a lead changes of a running project; what is left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    name: ProjectName | None = None
    overlap: StrictInt | None = Field(default=None, ge=1, le=50, description="Annotators per article; labels already saved all stay")
    archived: StrictBool | None = None


class QueueSettings(BaseModel):
    order: Literal["fill", "uncertain"] = Field(
        description="fill: articles others started first, then import order. uncertain: articles others started "
        "first, then those the newest model with stance margins is least sure of (random while there is none)")


class ProjectProgress(BaseModel):
    done: int = Field(description="Articles this user has saved labels for")
    total: int = Field(description="Done, open, and still available to this user")
