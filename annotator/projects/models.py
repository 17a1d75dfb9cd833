"""Project payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

ProjectName = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[^\s/].*$")]


class ProjectCreate(BaseModel):
    name: ProjectName
    overlap: int = Field(default=2, ge=1, le=50, description="Annotators per article")
    label_schema: dict[str, Any] = Field(description="The label schema document (as its YAML file holds it)")


class ProjectOut(BaseModel):
    id: int
    name: str
    overlap: int
    schema_name: str
    schema_version: str
    created_at: datetime
    articles: int


class ProjectProgress(BaseModel):
    done: int = Field(description="Articles this user has saved labels for")
    total: int = Field(description="Done, open, and still available to this user")
