"""Export record formats and the manifest; the JSON Schemas in schemas/ are generated from these."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from annotator.annotate.models import ArticleLabels, Span, Statement

Split = Literal["train", "dev", "test"]
ExportFormat = Literal["gold", "statements", "spans", "labelstudio"]
RecordStatus = Literal["gold", "majority_vote", "aggregate"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Provenance(Record):
    status: RecordStatus = Field(
        description="gold: settled by a lead; majority_vote or aggregate (dawid-skene, mace): not adjudicated")
    method: str = Field(description="unanimous, majority or adjudicated for gold; majority_vote, dawid-skene or mace otherwise")
    gold_revision: int | None
    adjudicator: str | None
    annotators: list[str]
    source_revisions: list[int]
    schema_version: str
    agreement: float | None = Field(
        default=None, description="For majority_vote records: share of agreeing annotator pairs on this article"
    )
    migrated_from: str | None = Field(
        default=None, description="For gold a schema upgrade carried: the version and plan it came from")
    weights: dict[str, float] | None = Field(
        default=None, description="For records not adjudicated: each annotator's weight in the aggregate (their mean "
        "estimated accuracy over the overlap; 1 for the majority vote)")
    posterior: dict[str, float] | None = Field(
        default=None, description="For records not adjudicated: per field, the chance the aggregate gives its least sure "
        "choice in this article (relevance, article_outlet, statements: kept or left out, stance, source_outlet)")
    ties: list[str] = Field(
        default_factory=list,
        description="For majority_vote records: what the annotators split evenly on, left out undecided "
        "(`statement (actor, target)` or `article.relevant` / `article.outlet`, which keep their defaults)",
    )


class GoldArticleRecord(Record):
    """`gold` format: one article a line, with its settled statements."""

    id: int
    external_id: str | None
    title: str
    text: str
    outlet: str | None
    url: str | None
    published: str | None
    meta: dict[str, Any]
    split: Split
    article: ArticleLabels
    statements: list[Statement]
    provenance: Provenance


class StatementRecord(Record):
    """`statements` format: one statement a line, with its evidence text, for stance classifiers."""

    article_id: int
    statement: int = Field(description="Position of the statement in its article, from 0")
    split: Split
    status: RecordStatus
    actor: str
    target: str
    stance: str
    preconditions: list[str]
    source_outlet: str | None
    evidence: Span
    evidence_text: str


class ManifestFile(BaseModel):
    name: str
    sha256: str
    bytes: int
    records: int


class SchemaUpgradeNote(BaseModel):
    """A move of the project to a new schema version, by a plan: the gold carried by it says so too."""

    from_version: str
    to_version: str
    plan_sha256: str | None
    at: datetime


class Manifest(BaseModel):
    project: str
    version: str
    format: ExportFormat
    created_at: datetime
    command: str
    seed: int
    split_key: str = Field(description="What an article's split is hashed from, with the seed")
    ratios: dict[Split, float]
    include_unadjudicated: bool
    aggregate: str | None = Field(default=None, description="How articles without gold were filled: majority, dawid-skene or mace")
    schema_name: str
    schema_version: str
    schema_upgrades: list[SchemaUpgradeNote] = Field(
        default_factory=list, description="The versions the project moved through to schema_version, oldest first")
    annotators: list[str]
    files: list[ManifestFile]
    counts: dict[str, Any] = Field(description="Articles and statements per split and status, labels per field")
    agreement: dict[str, float | None] = Field(description="Krippendorff's alpha per field at export time")


RECORD_MODELS: dict[str, type[BaseModel]] = {
    "gold-record": GoldArticleRecord,
    "statement-record": StatementRecord,
    "manifest": Manifest,
}


def json_schema_name(name: str) -> str:
    return f"{name}.schema.json"
