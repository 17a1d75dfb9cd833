"""An article's audit trail: every annotation and gold revision with who and when; restoring one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from annotator.annotate.models import AnnotationContent
from annotator.annotate.service import append_revision
from annotator.errors import NotFound
from annotator.projects.service import find_project, project_schema
from annotator.storage.tables import AnnotationRevision, Article, Assignment, GoldRecord, GoldRevision, User


class RevisionEntry(BaseModel):
    kind: Literal["annotation", "gold"]
    revision: int
    base_revision: int | None
    labels_of: str = "gold"
    author: str
    created_at: datetime
    statements: int
    method: str | None = None
    current: bool


class History(BaseModel):
    article_id: int
    revisions: list[RevisionEntry]


def article_history(session: Session, article: Article) -> History:
    owner, author = aliased(User), aliased(User)
    annotation_rows = session.execute(
        select(AnnotationRevision, owner.name, author.name, Assignment.head_revision_id)
        .join(Assignment, Assignment.id == AnnotationRevision.assignment_id)
        .join(owner, owner.id == Assignment.user_id)
        .join(author, author.id == AnnotationRevision.author_id)
        .where(Assignment.article_id == article.id)
    ).all()
    gold_rows = session.execute(
        select(GoldRevision, User.name, GoldRecord.head_revision_id)
        .join(GoldRecord, GoldRecord.id == GoldRevision.gold_record_id)
        .join(User, User.id == GoldRevision.adjudicator_id)
        .where(GoldRecord.article_id == article.id)
    ).all()
    entries = [
        RevisionEntry(kind="annotation", revision=r.id, base_revision=r.base_revision_id, labels_of=labels_of,
                      author=by, created_at=r.created_at, statements=len(r.content["statements"]), current=r.id == head)
        for r, labels_of, by, head in annotation_rows
    ] + [
        RevisionEntry(kind="gold", revision=r.id, base_revision=r.base_revision_id, author=by, created_at=r.created_at,
                      statements=len(r.content["statements"]), method=r.method, current=r.id == head)
        for r, by, head in gold_rows
    ]
    return History(article_id=article.id, revisions=sorted(entries, key=lambda e: (e.created_at, e.kind, e.revision)))


def restore_annotation(session: Session, revision_id: int, lead: User) -> int:
    """Make an earlier revision of an annotator's labels their newest again (as a new revision)."""
    found = session.execute(
        select(AnnotationRevision, Assignment)
        .join(Assignment, Assignment.id == AnnotationRevision.assignment_id)
        .where(AnnotationRevision.id == revision_id)
    ).first()
    if found is None:
        raise NotFound(f"no annotation revision {revision_id}")
    revision, assignment = found
    project = find_project(session, assignment.project_id)
    content = AnnotationContent.model_validate(revision.content)
    base = assignment.head_revision_id
    # The decisions about suggestions belong to the labels they were made with: restored with them.
    return append_revision(session, assignment.id, project, project_schema(project), lead, content, base,
                           revision.seconds_spent, revision.suggestion_decisions).id
