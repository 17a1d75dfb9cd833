"""Assignment under overlap, and labels saved as append-only revisions.

Two rules carry the guarantees:
- an article's `assigned_count` only grows through a conditional UPDATE that
  refuses to pass the project's overlap, so concurrent "next" requests can
  never over-assign it;
- a save inserts a revision, then moves the assignment's head pointer with a
  compare-and-swap on the base revision; if another save moved it first, the
  whole transaction rolls back and the client gets 409.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from annotator.annotate.checks import check_annotation
from annotator.annotate.models import AnnotationContent, AnnotationOut, AnnotationSave
from annotator.auth.models import role_allows
from annotator.errors import Conflict, Forbidden, Invalid, NotFound, StaleRevision
from annotator.labelschema import LabelSchema
from annotator.projects.models import ProjectProgress
from annotator.storage.database import rows_changed
from annotator.storage.revisions import advance_head
from annotator.storage.tables import AnnotationRevision, Article, Assignment, Project, User, utcnow

CANDIDATES_PER_TRY = 8


class ProjectSlots(Protocol):
    """What assignment needs of a project: the ORM row and its API description both qualify."""

    @property
    def id(self) -> int: ...

    @property
    def overlap(self) -> int: ...


class InvalidAnnotation(Invalid):
    code = "invalid_annotation"


def next_article(session: Session, project: Project, user: User) -> Article | None:
    """The user's oldest unfinished article, else a newly claimed one, else None."""
    open_article = session.scalar(
        select(Article)
        .join(Assignment, Assignment.article_id == Article.id)
        .where(Assignment.user_id == user.id, Assignment.project_id == project.id, Assignment.status == "open")
        .order_by(Assignment.id)
        .limit(1)
    )
    if open_article is not None:
        return open_article
    while candidates := _candidates(session, project, user):
        for article_id in candidates:
            if _claim(session, project, article_id, user):
                return session.get(Article, article_id)
    return None


def _candidates(session: Session, project: ProjectSlots, user: User) -> list[int]:
    return list(
        session.scalars(
            select(Article.id)
            .where(
                Article.project_id == project.id,
                Article.assigned_count < project.overlap,
                ~_assigned_to(user),
            )
            .order_by(Article.id)
            .limit(CANDIDATES_PER_TRY)
        )
    )


def _assigned_to(user: User):  # type: ignore[no-untyped-def]
    return exists().where(Assignment.article_id == Article.id, Assignment.user_id == user.id)


def _claim(session: Session, project: Project, article_id: int, user: User) -> Assignment | None:
    taken = session.execute(
        update(Article)
        .where(Article.id == article_id, Article.assigned_count < project.overlap)
        .values(assigned_count=Article.assigned_count + 1)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(taken) != 1:
        return None
    assignment = Assignment(project_id=project.id, article_id=article_id, user_id=user.id, status="open")
    session.add(assignment)
    session.flush()
    return assignment


def readable_article(session: Session, article_id: int, user: User) -> Article:
    """The article if this user may read it: leads any, annotators those assigned to them."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"no article {article_id}")
    if not role_allows(user.role, "lead") and _assignment(session, article.id, user) is None:
        raise Forbidden(f"article {article_id} is not assigned to you")
    return article


def _assignment(session: Session, article_id: int, user: User) -> Assignment | None:
    return session.scalar(
        select(Assignment).where(Assignment.article_id == article_id, Assignment.user_id == user.id)
    )


def load_annotation(session: Session, article: Article, user: User) -> AnnotationOut:
    assignment = _assignment(session, article.id, user)
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
        status=assignment.status,  # type: ignore[arg-type]
        revision=head.id if head else None,
        schema_version=head.schema_version if head else None,
        saved_at=head.created_at if head else None,
        **content.model_dump(),
    )


def checked_content(
    labels: AnnotationContent, article: Article, schema: LabelSchema, what: str = "annotation"
) -> AnnotationContent:
    """The labels alone (without a save's base revision or timing), or a refusal naming every problem."""
    content = AnnotationContent.model_validate(labels.model_dump(include={"statements", "article"}))
    if problems := check_annotation(content, article.text, schema):
        raise InvalidAnnotation(f"{what} refused: {len(problems)} problem(s)", problems)
    return content


def save_annotation(
    session: Session, project: Project, schema: LabelSchema, article: Article, user: User, save: AnnotationSave
) -> AnnotationOut:
    """Store a new revision on top of `save.base_revision`, or refuse it whole."""
    content = checked_content(save, article, schema)
    assignment = _assignment(session, article.id, user) or _claim(session, project, article.id, user)
    if assignment is None:
        raise Conflict(f"article {article.id} already has {project.overlap} annotators")
    if assignment.status == "skipped":
        raise Conflict(f"you skipped article {article.id}; it is no longer assigned to you")
    if assignment.head_revision_id != save.base_revision:
        raise StaleRevision.based_on(save.base_revision, assignment.head_revision_id)
    revision = append_revision(session, assignment, project, schema, user, content, save.base_revision, save.seconds_spent)
    # The response is what was just stored: no need to read it back.
    return AnnotationOut(
        article_id=article.id, annotator=user.name, status="done", revision=revision.id,
        schema_version=schema.version, saved_at=revision.created_at, **content.model_dump(),
    )


def store_imported(
    session: Session, project: Project, schema: LabelSchema, article: Article, user: User, content: AnnotationContent
) -> int:
    """Labels made elsewhere, checked like a save and stored on top of the user's latest revision.

    Imported labels were made already, so they are kept even beyond the project's overlap.
    """
    content = checked_content(content, article, schema)
    assignment = _assignment(session, article.id, user)
    if assignment is None or assignment.status == "skipped":
        session.execute(
            update(Article)
            .where(Article.id == article.id)
            .values(assigned_count=Article.assigned_count + 1)
            .execution_options(synchronize_session=False)
        )
    if assignment is None:
        assignment = Assignment(project_id=project.id, article_id=article.id, user_id=user.id, status="done")
        session.add(assignment)
        session.flush()
    return append_revision(session, assignment, project, schema, user, content, assignment.head_revision_id, None).id


def append_revision(
    session: Session,
    assignment: Assignment,
    project: Project,
    schema: LabelSchema,
    author: User,
    content: AnnotationContent,
    base: int | None,
    seconds_spent: float | None,
) -> AnnotationRevision:
    """Insert a revision and move the head pointer to it, if it still points at `base`."""
    revision = AnnotationRevision(
        assignment_id=assignment.id,
        base_revision_id=base,
        author_id=author.id,
        label_schema_id=project.label_schema_id,
        schema_version=schema.version,
        content=content.model_dump(mode="json"),
        seconds_spent=seconds_spent,
    )
    session.add(revision)
    session.flush()
    advance_head(session, Assignment, assignment.id, base, revision.id, status="done")
    assignment.head_revision_id, assignment.status = revision.id, "done"
    return revision


def skip_article(session: Session, article: Article, user: User) -> None:
    """Give an unlabeled article back, so another annotator can take the slot."""
    assignment = _assignment(session, article.id, user)
    if assignment is None:
        raise NotFound(f"article {article.id} is not assigned to you")
    if assignment.status == "done":
        raise Conflict(f"article {article.id} already has your labels; it cannot be skipped")
    if assignment.status == "open":
        assignment.status = "skipped"
        assignment.updated_at = utcnow()
        session.execute(
            update(Article)
            .where(Article.id == article.id)
            .values(assigned_count=Article.assigned_count - 1)
            .execution_options(synchronize_session=False)
        )


def neighbours(session: Session, project: Project, user: User, article_id: int) -> tuple[int | None, int | None]:
    """The user's previous and next article ids around this one, in the order they got them."""
    order = list(
        session.scalars(
            select(Assignment.article_id)
            .where(Assignment.project_id == project.id, Assignment.user_id == user.id, Assignment.status != "skipped")
            .order_by(Assignment.id)
        )
    )
    if article_id not in order:
        return None, None
    index = order.index(article_id)
    return (order[index - 1] if index > 0 else None, order[index + 1] if index + 1 < len(order) else None)


def progress(session: Session, project: ProjectSlots, user: User) -> ProjectProgress:
    counts = dict(
        session.execute(
            select(Assignment.status, func.count())
            .where(Assignment.project_id == project.id, Assignment.user_id == user.id)
            .group_by(Assignment.status)
        ).all()
    )
    # Available = unfilled articles minus those I already hold: two index counts, no per-row subquery.
    unfilled = session.scalar(
        select(func.count(Article.id)).where(Article.project_id == project.id, Article.assigned_count < project.overlap)
    ) or 0
    mine_unfilled = session.scalar(
        select(func.count(Assignment.id))
        .join(Article, Article.id == Assignment.article_id)
        .where(Assignment.user_id == user.id, Assignment.project_id == project.id, Article.assigned_count < project.overlap)
    ) or 0
    available = unfilled - mine_unfilled
    done = counts.get("done", 0)
    return ProjectProgress(done=done, total=done + counts.get("open", 0) + available)
