"""ORM tables. Annotations are append-only revisions; an assignment points at its head."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
# Row ids are INTEGER columns: 32 bits on PostgreSQL. A larger number names no row, and must be
# refused before it reaches the driver, which would overflow.
MAX_ROW_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JsonDocument}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The account's role everywhere: admins may do anything; leads may also create projects and
    # annotator accounts. What a user may do inside a project is their ProjectMember role there.
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A disabled user cannot log in, and their sessions and tokens stop working at once.
    disabled_at: Mapped[datetime | None]
    # Who disabled them (NULL: the server's operator): what an admin disabled, only an admin enables.
    disabled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ApiToken(Base):
    __tablename__ = "api_tokens"
    # Token ids appear in audits and revocations: SQLite must never hand a revoked one's id to a new token.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the owner called it, and its first characters, so a list can be read without the secret.
    label: Mapped[str] = mapped_column(String(80), default="", server_default="")
    hint: Mapped[str] = mapped_column(String(12), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginSession(Base):
    """A browser login; the cookie holds its random key and this table its hash, so logging out,
    a password change or disabling the user ends it on the server."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LabelSchemaRecord(Base):
    """A schema version as it was registered; never edited afterwards."""

    __tablename__ = "label_schemas"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(40))
    # Projects load their schema record with them; the document is parsed once per
    # process (projects.service.project_schema), so it is only read when first needed.
    document: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    label_schema_id: Mapped[int] = mapped_column(ForeignKey("label_schemas.id"))
    overlap: Mapped[int] = mapped_column(Integer)
    # Articles with fewer than `overlap` annotators, kept in step with their
    # assigned_count by annotate.slots, so progress never counts them one by one.
    unfilled_articles: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The model version (NAME@VERSION) whose predictions annotators see as suggestions, if any,
    # and the share of articles kept free of them to measure their effect (projects.control).
    suggestion_model: Mapped[str | None] = mapped_column(String(170))
    control_share: Mapped[float] = mapped_column(Float, default=0.1, server_default="0.1")
    # The order "next article" hands out unlabeled articles: "fill" (articles others started first,
    # then import order) or "uncertain" (then those the newest model is least sure of).
    queue_order: Mapped[str] = mapped_column(String(20), default="fill", server_default="fill")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Archived: no more articles are handed out, and annotators no longer see the project.
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    # Annotator quality (quality/): the share of an annotator's "next" that hands out a control item,
    # the training articles a new annotator labels before real work (0: no training round), and the
    # accuracy a trainee must reach and below which the Team page flags an annotator.
    control_rate: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    training_articles: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quality_threshold: Mapped[float] = mapped_column(Float, default=0.7, server_default="0.7")

    label_schema: Mapped[LabelSchemaRecord] = relationship(lazy="joined")


class ProjectMember(Base):
    """A user's role (annotator or lead) in one project; only members reach a project's data."""

    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set aside by a lead: their labels stay stored but leave agreement and the aggregates until restored.
    set_aside_at: Mapped[datetime | None] = mapped_column(default=None)
    # When they finished the project's training round, and how ("passed", or "let through" by a lead).
    trained_at: Mapped[datetime | None] = mapped_column(default=None)
    trained_how: Mapped[str | None] = mapped_column(String(20), default=None)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("project_id", "text_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    # The text as a reader sees it (ingest.store.normalised_digest): finds near-duplicates at
    # import, and keys the export split of articles without an external id.
    text_norm_sha256: Mapped[str | None] = mapped_column(String(64))
    outlet: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(40))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Annotators holding an open or finished assignment; kept <= project.overlap
    # by a conditional UPDATE, which is what makes assignment safe under concurrency.
    assigned_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# "Next article" reads this in order: the fullest unfilled articles first, then import order,
# so overlap sets complete early and no query sorts the unfilled articles.
Index("ix_articles_next", Article.project_id, Article.assigned_count.desc(), Article.id)
Index("ix_articles_norm_text", Article.project_id, Article.text_norm_sha256)


class Assignment(Base):
    """One annotator's work on one article; status is open, done or skipped.

    `as_lead`: a lead took the article herself, beyond the annotators' overlap.
    `kind`: "work", or a "control" or "training" item (a ControlItem), which takes no slot and whose
    labels are scored against the known answer, never counted as labels of the article.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("article_id", "user_id"),
        Index("ix_assignments_user_project", "user_id", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    as_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    kind: Mapped[str] = mapped_column(String(10), default="work", server_default="work")
    head_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("annotation_revisions.id", use_alter=True, name="fk_assignments_head_revision")
    )
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship()
    user: Mapped[User] = relationship()
    head: Mapped[AnnotationRevision | None] = relationship(foreign_keys=[head_revision_id])


class AnnotationRevision(Base):
    """An immutable saved state of one assignment's labels."""

    __tablename__ = "annotation_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("annotation_revisions.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    label_schema_id: Mapped[int] = mapped_column(ForeignKey("label_schemas.id"))
    schema_version: Mapped[str] = mapped_column(String(40))
    content: Mapped[dict[str, Any]]
    seconds_spent: Mapped[float | None] = mapped_column(Float)
    # What the annotator did with each model suggestion shown (annotate.models.SuggestionDecision).
    # SQL NULL when none were shown (not JSON null), so the index below holds only the revisions that had some.
    suggestion_decisions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    # Set on a revision a schema upgrade made: "NAME VERSION by plan SHA256" (the labels it carried over).
    migrated_from: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_annotation_revisions_decided", "assignment_id",
              sqlite_where=suggestion_decisions.is_not(None), postgresql_where=suggestion_decisions.is_not(None)),
    )


class GoldRecord(Base):
    """The settled labels of one article; points at its newest gold revision."""

    __tablename__ = "gold_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    head_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("gold_revisions.id", use_alter=True, name="fk_gold_records_head_revision")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    head: Mapped[GoldRevision | None] = relationship(foreign_keys=[head_revision_id])


class GoldRevision(Base):
    """An immutable state of a gold record, with where it came from."""

    __tablename__ = "gold_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    gold_record_id: Mapped[int] = mapped_column(ForeignKey("gold_records.id", ondelete="CASCADE"), index=True)
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("gold_revisions.id"))
    adjudicator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(20))
    source_revision_ids: Mapped[list[int]] = mapped_column(JSON)
    label_schema_id: Mapped[int] = mapped_column(ForeignKey("label_schemas.id"))
    schema_version: Mapped[str] = mapped_column(String(40))
    content: Mapped[dict[str, Any]]
    seconds_spent: Mapped[float | None] = mapped_column(Float)
    migrated_from: Mapped[str | None] = mapped_column(String(200))  # as AnnotationRevision.migrated_from
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchemaUpgrade(Base):
    """A project moved from one schema version to another, by a plan: what drafts made under the old
    version are moved by, and what the Codebook page lists."""

    __tablename__ = "schema_upgrades"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    from_schema_id: Mapped[int] = mapped_column(ForeignKey("label_schemas.id"))
    to_schema_id: Mapped[int] = mapped_column(ForeignKey("label_schemas.id"))
    plan: Mapped[str | None] = mapped_column(Text)
    plan_sha256: Mapped[str | None] = mapped_column(String(64))
    made_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    report: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(Base):
    """Labels a schema upgrade could not carry (a split or retired id, a rule they now break): back to
    their annotator (or the lead, for gold), who redoes them under the new version."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("revision_kind", "revision_id", "plan_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    revision_kind: Mapped[str] = mapped_column(String(10))  # annotation or gold
    revision_id: Mapped[int] = mapped_column(Integer)  # the head revision that needs review
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who reviews it
    label_schema_id: Mapped[int] = mapped_column(ForeignKey("label_schemas.id"))  # the version to redo them under
    plan_sha256: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class ControlItem(Base):
    """A gold article a lead turned into a control item (served among real work, scored) or a
    training item (a new annotator's first articles, answered with feedback). Its known answer is
    the article's gold under the project's current version."""

    __tablename__ = "control_items"
    __table_args__ = (Index("ix_control_items_project_purpose", "project_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))  # control or training
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Prediction(Base):
    """A model's labels for one article: never an annotator's, never in agreement unless asked for."""

    __tablename__ = "predictions"
    __table_args__ = (
        UniqueConstraint("article_id", "model", "model_version"),
        Index("ix_predictions_project_model", "project_id", "model", "model_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(80))
    model_version: Mapped[str] = mapped_column(String(80))
    content: Mapped[dict[str, Any]]  # statements carry the model's score
    # The smallest gap between the two likeliest stances among the article's statements (small: unsure).
    stance_margin: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Evaluation(Base):
    """One scoring of a model version against a pinned gold, kept so versions can be compared."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(String(80))
    model_version: Mapped[str] = mapped_column(String(80))
    gold_version: Mapped[str] = mapped_column(String(400))
    split: Mapped[str | None] = mapped_column(String(10))
    statement_keys_f1: Mapped[float | None] = mapped_column(Float)
    report: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModelVersion(Base):
    """A trained model version: its card and its file, in the database so that every host lists and
    uses every model (no host's folder holds one another host needs)."""

    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("project_id", "name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(80))
    card: Mapped[dict[str, Any]]
    file: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only to load the model
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """Long work a request enqueued and a worker on any host claims and runs (jobs/): its state (queued,
    running, done, failed), progress, heartbeat, and who runs it."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state", "state", "id"), Index("ix_jobs_project_id", "project_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    arguments: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(10), default="queued")
    stage: Mapped[str] = mapped_column(Text, default="", server_default="")
    done: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    result: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class StoredReport(Base):
    """A report over a large project (agreement, quality) that a worker computed, kept so that every host
    serves it at once: the newest of each kind and variant (a model compared, an estimator)."""

    __tablename__ = "stored_reports"
    __table_args__ = (UniqueConstraint("project_id", "kind", "variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    variant: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    seconds: Mapped[float] = mapped_column(Float)


class InstanceSecret(Base):
    """A secret every host of the installation shares (the key that signs session cookies), kept here when
    no setting names one, so a login on one host holds on every other."""

    __tablename__ = "instance_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Base):
    """A failed login, kept to slow down password guessing (shared by every app process)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_name_at", "name", "at"), Index("ix_login_failures_addr_at", "remote_addr", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    remote_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
