"""Labels saved as append-only revisions.

A save inserts a revision, then moves the assignment's head pointer with a
compare-and-swap on the base revision; if another save moved it first, the
whole transaction rolls back and the client gets 409. Who holds which article
is annotate.assignment's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, exists, insert, select, update
from sqlalchemy.orm import Session

from annotator.annotate.assignment import ARTICLE, add_assignment, assignment_of, assignment_state, claim
from annotator.annotate.checks import check_annotation
from annotator.annotate.models import AnnotationContent, AnnotationOut, AnnotationSave, RevisionSave, SuggestionDecision
from annotator.auth.models import role_allows
from annotator.errors import Conflict, Forbidden, Invalid, NotFound, SchemaChanged, StaleRevision
from annotator.labelschema import LabelSchema
from annotator.projects.service import ProjectSettings, settings_at_end, with_project_settings
from annotator.projects.slots import take_slot
from annotator.storage.lean import Executor, LeanQuery, dialect_name
from annotator.storage.revisions import advance_head
from annotator.storage.tables import (
    AnnotationRevision,
    Article,
    Assignment,
    Project,
    Review,
    User,
    utcnow,
)

# The statements of the annotator loop (read, save) run leanly (storage.lean).
_ARTICLE_AND_ASSIGNMENT = (
    select(*ARTICLE.columns, Assignment.id)
    .outerjoin(Assignment, and_(Assignment.article_id == Article.id, Assignment.user_id == bindparam("user_id")))
    .where(Article.id == bindparam("article_id"))
)
_READABLE = LeanQuery(_ARTICLE_AND_ASSIGNMENT)
_READABLE_WITH_PROJECT = LeanQuery(with_project_settings(_ARTICLE_AND_ASSIGNMENT, Article.project_id))
_REVISION_VALUES = ("assignment_id", "base_revision_id", "author_id", "label_schema_id", "schema_version", "content",
                    "seconds_spent", "suggestion_decisions", "created_at")
_NEW_REVISION = LeanQuery(
    insert(AnnotationRevision)
    .values({name: bindparam(name) for name in _REVISION_VALUES})
    .returning(AnnotationRevision.id, AnnotationRevision.created_at, AnnotationRevision.schema_version)
)
_REVISION_AS_SAVED = LeanQuery(
    select(AnnotationRevision.base_revision_id, AnnotationRevision.author_id, AnnotationRevision.content,
           AnnotationRevision.suggestion_decisions, AnnotationRevision.created_at, AnnotationRevision.schema_version)
    .where(AnnotationRevision.id == bindparam("revision_id"))
)


# A save on PostgreSQL, where each statement is a round trip to the server: the assignment locked and
# checked, the revision inserted, the head moved and a review the revision settles marked, in one
# statement. It writes nothing unless the head still points at the base (the lock makes a concurrent
# save from the same base wait, then find the head moved); anything else (no assignment yet, a stale
# base, a save sent again) returns no row and goes the general way.
_HELD = (
    select(Assignment.id)
    .where(Assignment.article_id == bindparam("article_id"), Assignment.user_id == bindparam("author_id"),
           Assignment.status != "skipped", Assignment.head_revision_id.is_not_distinct_from(bindparam("base_revision_id")))
    .with_for_update()
    .cte("held")
)
_INSERTED = (
    insert(AnnotationRevision)
    .from_select(list(_REVISION_VALUES), select(
        _HELD.c.id, *(bindparam(name, type_=AnnotationRevision.__table__.c[name].type) for name in _REVISION_VALUES[1:])))
    .returning(AnnotationRevision.id, AnnotationRevision.created_at, AnnotationRevision.schema_version, AnnotationRevision.assignment_id)
    .cte("inserted")
)
_MOVED = (
    update(Assignment).where(Assignment.id == _INSERTED.c.assignment_id)
    .values(head_revision_id=_INSERTED.c.id, status="done", updated_at=bindparam("created_at"))
    .returning(Assignment.id)
    .cte("moved")
)
_SETTLED = (
    update(Review)
    .where(Review.revision_kind == "annotation", Review.revision_id == bindparam("base_revision_id"), Review.resolved_at.is_(None),
           exists(select(_MOVED.c.id)))
    .values(resolved_at=bindparam("created_at"))
    .returning(Review.id)
    .cte("settled")
)
_SAVED_IN_ONE_STATEMENT = LeanQuery(
    select(_INSERTED.c.id, _INSERTED.c.created_at, _INSERTED.c.schema_version)
    .add_cte(_MOVED).add_cte(_SETTLED)
)


class InvalidAnnotation(Invalid):
    code = "invalid_annotation"


class StoredRevision(NamedTuple):
    id: int
    created_at: datetime
    schema_version: str


def readable_article(session: Executor, article_id: int, user: User, role: str) -> Article:
    """The article if this user, with this role in its project, may read it: leads any,
    annotators those assigned to them."""
    return _readable(_READABLE.first(session, {"article_id": article_id, "user_id": user.id}), article_id, role)


def readable_article_and_project(session: Executor, article_id: int, user: User, role: str) -> tuple[Article, ProjectSettings]:
    """readable_article, and the settings of its project read in the same statement (a save needs both)."""
    row = _READABLE_WITH_PROJECT.first(session, {"article_id": article_id, "user_id": user.id})
    own, settings = (None, None) if row is None else settings_at_end(row)
    article = _readable(own, article_id, role)
    assert settings is not None  # found with the article
    return article, settings


def _readable(row: Sequence[Any] | None, article_id: int, role: str) -> Article:
    if row is None:
        raise NotFound(f"no article {article_id}")
    *article, assignment_id = row
    if assignment_id is None and not role_allows(role, "lead"):
        raise Forbidden(f"article {article_id} is not assigned to you")
    return ARTICLE.detached(article)


def load_annotation(session: Session, article: Article, user: User) -> AnnotationOut:
    assignment = assignment_of(session, article.id, user)
    if assignment is None:
        return AnnotationOut(
            article_id=article.id, annotator=user.name, status="open", revision=None,
            schema_version=None, saved_at=None,
        )
    return _describe(assignment, user)


def all_annotations(session: Session, article: Article) -> list[AnnotationOut]:
    """Every annotator's head revision of this article (for leads)."""
    rows = session.execute(
        select(Assignment, User)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.article_id == article.id)
        .order_by(User.name)
    )
    return [_describe(assignment, user) for assignment, user in rows]


def _describe(assignment: Assignment, user: User) -> AnnotationOut:
    head = assignment.head
    content = AnnotationContent.model_validate(head.content) if head else AnnotationContent()
    return AnnotationOut(
        article_id=assignment.article_id,
        annotator=user.name,
        by_lead=assignment.as_lead,
        status=assignment.status,  # type: ignore[arg-type]
        revision=head.id if head else None,
        schema_version=head.schema_version if head else None,
        saved_at=head.created_at if head else None,
        suggestion_decisions=[SuggestionDecision.model_validate(d) for d in (head.suggestion_decisions or [])] if head else [],
        **content.model_dump(),
    )


def checked_content(
    labels: AnnotationContent, article: Article, schema: LabelSchema, what: str = "annotation"
) -> AnnotationContent:
    """The labels alone (without a save's base revision or timing), or a refusal naming every problem.
    A save made under a schema version the project has left is refused first (SchemaChanged)."""
    if isinstance(labels, RevisionSave) and labels.schema_version not in (None, schema.version):
        raise SchemaChanged.since(labels.schema_version, schema.version)
    # The parts are validated already (labels is an AnnotationContent): taken over, not checked twice.
    content = AnnotationContent.model_construct(statements=labels.statements, article=labels.article)
    if problems := check_annotation(content, article.text, schema):
        raise InvalidAnnotation(f"{what} refused: {len(problems)} problem(s)", problems)
    return content


def save_annotation(
    session: Executor, project: Project | ProjectSettings, schema: LabelSchema, article: Article, user: User,
    save: AnnotationSave, *, as_lead: bool = False,
) -> AnnotationOut:
    """Store a new revision on top of `save.base_revision`, or refuse it whole. An article the user
    does not hold yet is claimed, as a lead's own (taking no slot) if `as_lead`.

    The labels are checked before the first statement, so on SQLite a writer
    session holds the write lock only for the writes.
    """
    content = checked_content(save, article, schema)
    decisions = [d.model_dump(mode="json") for d in save.suggestion_decisions] or None
    if dialect_name(session) == "postgresql" and (row := _SAVED_IN_ONE_STATEMENT.first(session, {
        "article_id": article.id, **_revision_values(0, project, schema, user, content, save.base_revision, save.seconds_spent, decisions),
    })) is not None:
        return _saved(article, user, StoredRevision(*row), save, content)
    assignment = assignment_state(session, article.id, user) or claim(session, project, article.id, user, as_lead=as_lead)
    if assignment is None:
        raise Conflict(f"article {article.id} already has {project.overlap} annotators")
    if assignment.status == "skipped":
        raise Conflict(f"you skipped article {article.id}; it is no longer assigned to you")
    if assignment.head_revision_id != save.base_revision:
        # The same save sent again (its answer was lost, or said the disk failed): what was stored is the answer.
        if (stored := _stored_already(session, assignment.head_revision_id, save, content, decisions, user)) is not None:
            return _saved(article, user, stored, save, content)
        raise StaleRevision.based_on(save.base_revision, assignment.head_revision_id)
    revision = append_revision(
        session, assignment.id, project, schema, user, content, save.base_revision, save.seconds_spent, decisions
    )
    return _saved(article, user, revision, save, content)


def _saved(article: Article, user: User, stored: StoredRevision, save: AnnotationSave, content: AnnotationContent) -> AnnotationOut:
    """The answer to a save: what was stored, of parts validated already (neither read back nor checked again)."""
    return AnnotationOut.model_construct(
        article_id=article.id, annotator=user.name, status="done", revision=stored.id,
        schema_version=stored.schema_version, saved_at=stored.created_at, suggestion_decisions=save.suggestion_decisions,
        statements=content.statements, article=content.article,
    )


def _stored_already(
    session: Executor, head: int | None, save: AnnotationSave, content: AnnotationContent,
    decisions: list[dict[str, object]] | None, user: User,
) -> StoredRevision | None:
    """The head revision, if it is exactly this save: made by this user on the same base, with the same labels."""
    if head is None:
        return None
    row = _REVISION_AS_SAVED.first(session, {"revision_id": head})
    if row is None:
        return None
    base, author, stored_content, stored_decisions, created_at, schema_version = row
    if (base, author, stored_content, stored_decisions) != (save.base_revision, user.id, content.model_dump(mode="json"), decisions):
        return None
    return StoredRevision(head, created_at, schema_version)


def store_imported(
    session: Session, project: Project, schema: LabelSchema, article: Article, user: User, content: AnnotationContent
) -> int:
    """Labels made elsewhere, already through `checked_content`, stored on top of the user's latest revision.

    Imported labels were made already, so they are kept even beyond the project's overlap.
    """
    assignment = assignment_state(session, article.id, user)
    if assignment is None or assignment.status == "skipped":
        take_slot(session, project, article.id, beyond_overlap=True)
    if assignment is None:
        assignment = add_assignment(session, project, article.id, user, "done")
    return append_revision(session, assignment.id, project, schema, user, content, assignment.head_revision_id, None).id


def append_revision(
    session: Executor,
    assignment_id: int,
    project: Project | ProjectSettings,
    schema: LabelSchema,
    author: User,
    content: AnnotationContent,
    base: int | None,
    seconds_spent: float | None,
    suggestion_decisions: list[dict[str, object]] | None = None,
) -> StoredRevision:
    """Insert a revision and move the head pointer to it, if it still points at `base`."""
    values = _revision_values(assignment_id, project, schema, author, content, base, seconds_spent, suggestion_decisions)
    revision = StoredRevision(*_NEW_REVISION.rows(session, values)[0])
    advance_head(session, Assignment, assignment_id, base, revision.id, status="done")
    return revision


def _revision_values(
    assignment_id: int, project: Project | ProjectSettings, schema: LabelSchema, author: User, content: AnnotationContent,
    base: int | None, seconds_spent: float | None, suggestion_decisions: list[dict[str, object]] | None,
) -> dict[str, Any]:
    return {
        "assignment_id": assignment_id, "base_revision_id": base, "author_id": author.id, "label_schema_id": project.label_schema_id,
        "schema_version": schema.version, "content": content.model_dump(mode="json"), "seconds_spent": seconds_spent,
        "suggestion_decisions": suggestion_decisions, "created_at": utcnow(),
    }

