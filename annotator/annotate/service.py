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

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, bindparam, exists, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from annotator.annotate.checks import check_annotation
from annotator.annotate.models import AnnotationContent, AnnotationOut, AnnotationSave
from annotator.auth.models import role_allows
from annotator.errors import Conflict, Forbidden, Invalid, NotFound, StaleRevision
from annotator.labelschema import LabelSchema
from annotator.projects.models import ProjectProgress
from annotator.projects.slots import ProjectSlots, give_back_slot, take_slot
from annotator.storage.revisions import advance_head
from annotator.storage.tables import AnnotationRevision, Article, Assignment, Project, User, utcnow

CANDIDATES_PER_TRY = 8

# The statements of the annotator loop (next, read, save) are built once, with
# bound parameters: building a SQLAlchemy statement costs more than running it.
_OPEN_ARTICLE = (
    select(Article)
    .join(Assignment, Assignment.article_id == Article.id)
    .where(Assignment.user_id == bindparam("user_id"), Assignment.project_id == bindparam("project_id"),
           Assignment.status == "open")
    .order_by(Assignment.id)
    .limit(1)
)
_CANDIDATES = (
    select(Article.id)
    .where(
        Article.project_id == bindparam("project_id"),
        Article.assigned_count < bindparam("overlap"),
        ~exists().where(Assignment.article_id == Article.id, Assignment.user_id == bindparam("user_id")),
    )
    # The order of ix_articles_next: articles others have started come first.
    .order_by(Article.assigned_count.desc(), Article.id)
    .limit(CANDIDATES_PER_TRY)
)
_ARTICLE = select(Article).where(Article.id == bindparam("article_id"))
_ARTICLE_AND_ASSIGNMENT = (
    select(Article, Assignment)
    .outerjoin(Assignment, and_(Assignment.article_id == Article.id, Assignment.user_id == bindparam("user_id")))
    .where(Article.id == bindparam("article_id"))
)
_ASSIGNMENT = select(Assignment).where(Assignment.article_id == bindparam("article_id"), Assignment.user_id == bindparam("user_id"))
_NEW_ASSIGNMENT = insert(Assignment).returning(Assignment)
_NEW_REVISION = insert(AnnotationRevision).returning(AnnotationRevision.id, AnnotationRevision.created_at)
# Progress in one statement: my assignments by status, and the unfilled articles
# (a kept count) minus the unfilled ones I already hold.
_PROGRESS = (
    select(
        func.count().filter(Assignment.status == "done"),
        func.count().filter(Assignment.status == "open"),
        select(Project.unfilled_articles).where(Project.id == bindparam("project_id")).scalar_subquery()
        - func.count().filter(Article.assigned_count < bindparam("overlap")),
    )
    .select_from(Assignment)
    .join(Article, Article.id == Assignment.article_id)
    .where(Assignment.user_id == bindparam("user_id"), Assignment.project_id == bindparam("project_id"))
)


class InvalidAnnotation(Invalid):
    code = "invalid_annotation"


class StoredRevision(NamedTuple):
    id: int
    created_at: datetime


def next_article(reader: Session, writer: Session, project: Project, user: User) -> Article | None:
    """The user's oldest unfinished article, else a newly claimed one, else None.

    The looking is done in `reader` and only the claim in `writer`, so on SQLite
    the write lock is held for the claim alone. Pass one session twice where that
    does not matter.
    """
    mine = {"user_id": user.id, "project_id": project.id}
    open_article = reader.scalar(_OPEN_ARTICLE, mine)
    if open_article is not None:
        return open_article
    candidates = reader.scalars(_CANDIDATES, {**mine, "overlap": project.overlap}).all()
    while candidates:
        for article_id in candidates:
            if _claim(writer, project, article_id, user):
                return writer.scalar(_ARTICLE, {"article_id": article_id})
        # Others claimed them first: look again, now holding the write lock.
        candidates = writer.scalars(_CANDIDATES, {**mine, "overlap": project.overlap}).all()
    return None


def _claim(session: Session, project: Project, article_id: int, user: User) -> Assignment | None:
    # Checked in the writing transaction: the user's own concurrent request may have just taken it.
    if _assignment(session, article_id, user) is not None or not take_slot(session, project, article_id):
        return None
    return _add_assignment(session, project, article_id, user, "open")


def _add_assignment(session: Session, project: Project, article_id: int, user: User, status: str) -> Assignment:
    params = {"project_id": project.id, "article_id": article_id, "user_id": user.id, "status": status}
    return session.scalars(_NEW_ASSIGNMENT, params).one()


def readable_article(session: Session, article_id: int, user: User) -> Article:
    """The article if this user may read it: leads any, annotators those assigned to them."""
    row = session.execute(_ARTICLE_AND_ASSIGNMENT, {"article_id": article_id, "user_id": user.id}).first()
    if row is None:
        raise NotFound(f"no article {article_id}")
    article, assignment = row
    if assignment is None and not role_allows(user.role, "lead"):
        raise Forbidden(f"article {article_id} is not assigned to you")
    return article


def holds_article(session: Session, article_id: int, user: User) -> bool:
    """Whether the user holds an open or finished assignment of the article (theirs to label)."""
    assignment = _assignment(session, article_id, user)
    return assignment is not None and assignment.status != "skipped"


def _assignment(session: Session, article_id: int, user: User) -> Assignment | None:
    return session.scalar(_ASSIGNMENT, {"article_id": article_id, "user_id": user.id})


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
    """Store a new revision on top of `save.base_revision`, or refuse it whole.

    The labels are checked before the first statement, so on SQLite a writer
    session holds the write lock only for the writes.
    """
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
        take_slot(session, project, article.id, beyond_overlap=True)
    if assignment is None:
        assignment = _add_assignment(session, project, article.id, user, "done")
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
) -> StoredRevision:
    """Insert a revision and move the head pointer to it, if it still points at `base`."""
    revision = StoredRevision(*session.execute(_NEW_REVISION, {
        "assignment_id": assignment.id,
        "base_revision_id": base,
        "author_id": author.id,
        "label_schema_id": project.label_schema_id,
        "schema_version": schema.version,
        "content": content.model_dump(mode="json"),
        "seconds_spent": seconds_spent,
        "created_at": utcnow(),
    }).one())
    advance_head(session, Assignment, assignment.id, base, revision.id, status="done")
    # Keep the loaded row in step without queuing a second UPDATE for the flush.
    set_committed_value(assignment, "head_revision_id", revision.id)
    set_committed_value(assignment, "status", "done")
    return revision


def skip_article(session: Session, project: Project, article: Article, user: User) -> None:
    """Give an unlabeled article back, so another annotator can take the slot."""
    assignment = _assignment(session, article.id, user)
    if assignment is None:
        raise NotFound(f"article {article.id} is not assigned to you")
    if assignment.status == "done":
        raise Conflict(f"article {article.id} already has your labels; it cannot be skipped")
    if assignment.status == "open":
        assignment.status = "skipped"
        assignment.updated_at = utcnow()
        give_back_slot(session, project, article.id)


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
    done, open_, available = session.execute(
        _PROGRESS, {"user_id": user.id, "project_id": project.id, "overlap": project.overlap}
    ).one()
    return ProjectProgress(done=done, total=done + open_ + available)
