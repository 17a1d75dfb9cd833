"""Create and find projects; register schema versions so old labels keep theirs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import BindParameter, Select, bindparam, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from annotator.auth.membership import set_member
from annotator.errors import Conflict, Invalid, NotFound, Problem
from annotator.labelschema import LabelSchema
from annotator.projects.models import ProjectChange, ProjectName, ProjectOut
from annotator.projects.slots import recount_unfilled
from annotator.storage.lean import Executor
from annotator.storage.tables import Article, LabelSchemaRecord, Project, ProjectMember, User, utcnow


def register_schema(session: Session, schema: LabelSchema) -> LabelSchemaRecord:
    """The stored record of this schema version, adding it on first use."""
    document = schema.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    record = session.scalar(
        select(LabelSchemaRecord).where(
            LabelSchemaRecord.name == schema.name, LabelSchemaRecord.version == schema.version
        )
    )
    if record is None:
        record = LabelSchemaRecord(name=schema.name, version=schema.version, document=document, sha256=digest)
        session.add(record)
        session.flush()
    elif record.sha256 != digest:
        raise Conflict(
            f"schema {schema.name!r} version {schema.version!r} is already registered with different "
            "content; give the changed schema a new version"
        )
    return record


_NAME = TypeAdapter(ProjectName)


def create_project(session: Session, name: str, schema: LabelSchema, overlap: int = 2, lead: User | None = None) -> Project:
    """A new project; `lead`, if given, becomes its first lead (its creator, in the app)."""
    try:
        _NAME.validate_python(name)
    except ValidationError as error:
        problems = [Problem.at(("name",), e["msg"]) for e in error.errors()]
        raise Invalid(f"project name {name!r} refused: {'; '.join(p.message for p in problems)}", problems) from error
    if session.scalar(select(Project.id).where(Project.name == name)) is not None:
        raise Conflict(f"project {name!r} already exists")
    project = Project(name=name, label_schema=register_schema(session, schema), overlap=overlap)
    session.add(project)
    session.flush()
    if lead is not None and lead.role != "admin":
        set_member(session, project.id, lead, "lead")
    return project


_PROJECT = select(Project).where(Project.id == bindparam("project_id"))  # built once: every save looks it up


def find_project(session: Session, key: str | int) -> Project:
    """A project by id or by name (the CLI accepts either)."""
    project = session.scalar(_PROJECT, {"project_id": int(key)}) if str(key).isdigit() else None
    if project is None:
        project = session.scalar(select(Project).where(Project.name == str(key)))
    if project is None:
        raise NotFound(f"no project {key!r}")
    return project


def find_project_or_none(session: Session, name: str) -> Project | None:
    return session.scalar(select(Project).where(Project.name == name))


class ProjectSettings(NamedTuple):
    """What the annotator loop needs of a project (its slots, its queue, its schema version), read leanly."""

    id: int
    name: str
    overlap: int
    queue_order: str
    label_schema_id: int
    schema_sha256: str
    archived_at: datetime | None
    control_rate: float
    training_articles: int
    quality_threshold: float


_SETTINGS_COLUMNS = (Project.id, Project.name, Project.overlap, Project.queue_order, Project.label_schema_id,
                     LabelSchemaRecord.sha256, Project.archived_at, Project.control_rate, Project.training_articles,
                     Project.quality_threshold)
_ITS_SCHEMA = LabelSchemaRecord.id == Project.label_schema_id


def with_project_settings(query: Select[Any], project_id: BindParameter[int] | InstrumentedAttribute[int]) -> Select[Any]:
    """The query's columns, then the settings of a project (see settings_at_end): the project bound as
    `project_id`, or the one a column of the query names. What the annotator loop needs of a project,
    read in the statement that reads what else it needs."""
    with_settings = query.add_columns(*_SETTINGS_COLUMNS)
    if isinstance(project_id, BindParameter):
        return with_settings.select_from(Project).join(LabelSchemaRecord, _ITS_SCHEMA).where(Project.id == project_id)
    return with_settings.join(Project, Project.id == project_id).join(LabelSchemaRecord, _ITS_SCHEMA)


def settings_of(project: Project) -> ProjectSettings:
    """A project row's settings, as the annotator loop reads them."""
    columns = {name: getattr(project, name) for name in ProjectSettings._fields if name != "schema_sha256"}
    return ProjectSettings(**columns, schema_sha256=project.label_schema.sha256)


def settings_at_end(row: Sequence[Any]) -> tuple[Sequence[Any], ProjectSettings]:
    """A row of a with_project_settings query: the query's own columns, and the project's settings."""
    return row[:-len(_SETTINGS_COLUMNS)], ProjectSettings(*row[-len(_SETTINGS_COLUMNS):])


_PARSED_SCHEMAS: dict[tuple[int, str], LabelSchema] = {}


def project_schema(project: Project) -> LabelSchema:
    """The project's schema, parsed once per registered version (records never change)."""
    record = project.label_schema
    return _parsed_schema(record.id, record.sha256, lambda: record.document)


def settings_schema(session: Executor, settings: ProjectSettings) -> LabelSchema:
    """The schema of a project read as ProjectSettings (its document is read only on the first use)."""
    return _parsed_schema(settings.label_schema_id, settings.schema_sha256, lambda: session.scalar(
        select(LabelSchemaRecord.document).where(LabelSchemaRecord.id == settings.label_schema_id)))


def _parsed_schema(record_id: int, sha256: str, document: Callable[[], Any]) -> LabelSchema:
    # Keyed by content too: a process may open more than one database (the tests do).
    key = (record_id, sha256)
    if key not in _PARSED_SCHEMAS:
        _PARSED_SCHEMAS[key] = LabelSchema.model_validate(document())
    return _PARSED_SCHEMAS[key]


def list_projects(session: Session, user: User | None = None) -> list[ProjectOut]:
    """Every project (for the CLI, user None), or those the user belongs to with their role in each."""
    counts = (
        select(Article.project_id, func.count(Article.id).label("articles"))
        .group_by(Article.project_id)
        .subquery()
    )
    query = select(Project, func.coalesce(counts.c.articles, 0)).outerjoin(counts, counts.c.project_id == Project.id)
    if user is None or user.role == "admin":
        everyone = None if user is None else "admin"
        return [describe_project(p, articles, everyone) for p, articles in session.execute(query.order_by(Project.id))]
    rows = session.execute(
        query.add_columns(ProjectMember.role)
        .join(ProjectMember, (ProjectMember.project_id == Project.id) & (ProjectMember.user_id == user.id))
        # An archived project is its leads' alone to see.
        .where(or_(Project.archived_at.is_(None), ProjectMember.role == "lead"))
        .order_by(Project.id)
    )
    return [describe_project(project, articles, role) for project, articles, role in rows]


def change_project(session: Session, project: Project, change: ProjectChange) -> list[str]:
    """Rename, re-overlap, archive or bring back a project; what changed, in words."""
    changed = []
    if change.name is not None and change.name != project.name:
        if find_project_or_none(session, change.name) is not None:
            raise Conflict(f"project {change.name!r} already exists")
        changed.append(f"renamed from {project.name!r} to {change.name!r}")
        project.name = change.name
    if change.overlap is not None and change.overlap != project.overlap:
        changed.append(f"overlap {project.overlap} → {change.overlap} annotator(s) per article")
        project.overlap = change.overlap
        session.flush()
        recount_unfilled(session, project)
    if change.archived is not None and change.archived != (project.archived_at is not None):
        project.archived_at = utcnow() if change.archived else None
        changed.append("archived" if change.archived else "brought back from the archive")
    session.flush()
    return changed


def describe_project(project: Project, articles: int, your_role: str | None = None) -> ProjectOut:
    return ProjectOut(
        id=project.id,
        name=project.name,
        overlap=project.overlap,
        schema_name=project.label_schema.name,
        schema_version=project.label_schema.version,
        created_at=project.created_at,
        archived_at=project.archived_at,
        articles=articles,
        your_role=your_role,
    )


def project_article_ids(session: Session, project: Project, article_ids: Iterable[int]) -> list[int]:
    """The ids, sorted and each once, all of articles in the project; else NotFound naming those that are not."""
    wanted = sorted(set(article_ids))
    found = set(session.scalars(select(Article.id).where(Article.project_id == project.id, Article.id.in_(wanted))))
    if missing := [i for i in wanted if i not in found]:
        raise NotFound(f"no article {', '.join(map(str, missing[:10]))} in project {project.name!r}")
    return wanted


def count_articles(session: Session, project: Project) -> int:
    return session.scalar(select(func.count(Article.id)).where(Article.project_id == project.id)) or 0
