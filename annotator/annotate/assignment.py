"""Who holds which article: "next article", skips, and a lead's assign and release.

An article's `assigned_count` only grows through a conditional UPDATE that
refuses to pass the project's overlap (projects.slots), so neither concurrent
"next" requests nor a lead's assignment can over-assign it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, Field
from sqlalchemy import BindParameter, Integer, Select, bindparam, delete, exists, func, insert, literal, select, update
from sqlalchemy.orm import Session

from annotator.auth.membership import project_role
from annotator.errors import Conflict, Invalid, NotFound
from annotator.projects.models import ProjectProgress
from annotator.projects.progress import PROGRESS_COLUMNS, progress, progress_of, progress_params
from annotator.projects.service import ProjectSettings, project_article_ids, settings_at_end, with_project_settings
from annotator.projects.slots import ProjectSlots, give_back_slot, take_slot
from annotator.quality.answers import CONTROL, TRAINING
from annotator.quality.training import record_passing
from annotator.storage.lean import Entity, Executor, LeanQuery, dialect_name
from annotator.storage.tables import (
    MAX_ROW_ID,
    Article,
    Assignment,
    ControlItem,
    GoldRecord,
    Prediction,
    Project,
    Review,
    User,
    utcnow,
)

CANDIDATES_PER_TRY = 8
# Articles leave the database whole, as detached ORM objects, for every reader of one.
ARTICLE = Entity.of(Article)

# The statements of the annotator loop run leanly (storage.lean): built once, with bound parameters.
# The project's settings, and the id of the user's oldest open article there (usually none), else of
# the oldest of their labels a schema upgrade sent back for review.
_SETTINGS_AND_OPEN_ARTICLE_ID = LeanQuery(with_project_settings(
    select(func.coalesce(
        select(Assignment.article_id)
        .where(Assignment.user_id == bindparam("user_id"), Assignment.project_id == Project.id, Assignment.status == "open")
        .order_by(Assignment.id)
        .limit(1)
        .scalar_subquery(),
        select(Review.article_id)
        .where(Review.project_id == Project.id, Review.user_id == bindparam("user_id"), Review.revision_kind == "annotation",
               Review.resolved_at.is_(None))
        .order_by(Review.id)
        .limit(1)
        .scalar_subquery(),
    )),
    bindparam("project_id"),
))
_FILL_ORDER = (
    select(Article.id)
    .where(
        Article.project_id == bindparam("project_id"),
        Article.assigned_count < bindparam("overlap"),
        ~exists().where(Assignment.article_id == Article.id, Assignment.user_id == bindparam("user_id")),
        # Settled: more labels come only when the lead assigns the article herself.
        ~exists().where(GoldRecord.article_id == Article.id, GoldRecord.head_revision_id.is_not(None)),
    )
    # The order of ix_articles_next: articles others have started come first.
    .order_by(Article.assigned_count.desc(), Article.id)
    .limit(CANDIDATES_PER_TRY)
)
_CANDIDATES = LeanQuery(_FILL_ORDER)
# Control or training items the user has not had, in random order: never twice to one annotator.
_ITEM_CANDIDATES = LeanQuery(
    select(ControlItem.article_id)
    .where(
        ControlItem.project_id == bindparam("project_id"), ControlItem.purpose == bindparam("purpose"),
        ~exists().where(Assignment.article_id == ControlItem.article_id, Assignment.user_id == bindparam("user_id")),
    )
    .order_by(func.random())
    .limit(CANDIDATES_PER_TRY)
)
_ARTICLE_WITH_PROGRESS = LeanQuery(select(*ARTICLE.columns, *PROGRESS_COLUMNS).where(Article.id == bindparam("article_id")))
_ASSIGNMENT = select(Assignment).where(Assignment.article_id == bindparam("article_id"), Assignment.user_id == bindparam("user_id"))
_ASSIGNMENT_STATE = LeanQuery(
    select(Assignment.id, Assignment.status, Assignment.head_revision_id)
    .where(Assignment.article_id == bindparam("article_id"), Assignment.user_id == bindparam("user_id"))
)
_NOW: BindParameter[datetime] = bindparam("now")
_NEW_ASSIGNMENT = LeanQuery(
    insert(Assignment)
    .values(project_id=bindparam("project_id"), article_id=bindparam("article_id"), user_id=bindparam("user_id"),
            status=bindparam("status"), as_lead=bindparam("as_lead"), kind=bindparam("kind"), assigned_at=_NOW,
            updated_at=_NOW)
    .returning(Assignment.id, Assignment.status, Assignment.head_revision_id)
)


# A claim on PostgreSQL in one statement (each is a round trip to the server): the slot taken if the
# user holds no assignment of the article and it has room, the project's count of articles with room
# kept, the assignment inserted. No row: the user holds it already, or it is full.
_FREE = (
    select(Article.id)
    .where(Article.id == bindparam("article_id"),
           ~exists().where(Assignment.article_id == bindparam("article_id"), Assignment.user_id == bindparam("user_id")))
    .cte("free")
)
_SLOT = (
    update(Article)
    .where(Article.id == _FREE.c.id, Article.assigned_count < bindparam("overlap"))
    .values(assigned_count=Article.assigned_count + 1)
    .returning(Article.assigned_count)
    .cte("slot")
)
_FILLED = (
    update(Project)
    .where(Project.id == bindparam("project_id"), exists().where(_SLOT.c.assigned_count == bindparam("overlap")))
    .values(unfilled_articles=Project.unfilled_articles - 1)
    .returning(Project.id)
    .cte("filled")
)
_CLAIMED = (
    insert(Assignment)
    .from_select(
        ["project_id", "article_id", "user_id", "status", "as_lead", "kind", "assigned_at", "updated_at"],
        select(bindparam("project_id", type_=Integer), bindparam("article_id", type_=Integer), bindparam("user_id", type_=Integer),
               literal("open"), literal(False), literal("work"), _NOW, _NOW).select_from(_SLOT),
    )
    .returning(Assignment.id, Assignment.status, Assignment.head_revision_id)
    .cte("claimed")
)
_CLAIM_IN_ONE_STATEMENT = LeanQuery(select(_CLAIMED.c.id, _CLAIMED.c.status, _CLAIMED.c.head_revision_id).add_cte(_FILLED))


class AssignmentState(NamedTuple):
    """Where one user stands with one article: what a claim or a save checks."""

    id: int
    status: str
    head_revision_id: int | None


def next_article(
    reader: Executor, writer: Executor, project_id: int, user: User, *, as_lead: bool = False
) -> tuple[ProjectSettings, int | None]:
    """The project's settings, and the id of the user's oldest unfinished article there, else of a
    newly claimed one, else None. The settings and the open article are read in one statement.

    A lead (`as_lead`) labels beside the annotators: her claims take no slot of the overlap.
    An archived project hands out nothing new; what is open is still finished.
    An annotator in the project's training round gets training items only; then, at the project's
    rate, a control item they have not had comes instead of real work.
    """
    row = _SETTINGS_AND_OPEN_ARTICLE_ID.first(reader, {"project_id": project_id, "user_id": user.id})
    if row is None:
        raise NotFound(f"no project {project_id!r}")
    (open_article_id,), project = settings_at_end(row)
    if open_article_id or project.archived_at is not None:
        return project, open_article_id
    if not as_lead and project.training_articles and record_passing(writer, project, user.id).in_training:
        return project, _claimed_item(reader, writer, project, user, TRAINING)
    if not as_lead and project.control_rate and random.random() < project.control_rate:
        control_article_id = _claimed_item(reader, writer, project, user, CONTROL)
        if control_article_id is not None:
            return project, control_article_id
    return project, _claimed(reader, writer, project, user, as_lead)


def _claimed_item(reader: Executor, writer: Executor, project: ProjectSettings, user: User, purpose: str) -> int | None:
    """The id of a control or training item newly claimed for the user (it takes no slot), else None."""
    params = {"project_id": project.id, "purpose": purpose, "user_id": user.id}
    for article_id in [row[0] for row in _ITEM_CANDIDATES.rows(reader, params)]:
        if assignment_state(writer, article_id, user) is None:
            add_assignment(writer, project, article_id, user, "open", kind=purpose)
            return article_id
    return None


def _claimed(reader: Executor, writer: Executor, project: Project | ProjectSettings, user: User, as_lead: bool) -> int | None:
    """The id of an article newly claimed for the user, else None.

    The looking is done in `reader` and only the claim in `writer`, so on SQLite the
    write lock is held for the claim alone. Pass one session twice where that does not matter.
    """
    candidates = _candidates(reader, project, user, as_lead)
    while candidates:
        for article_id in candidates:
            if claim(writer, project, article_id, user, as_lead=as_lead):
                return article_id
        # Others claimed them first: look again, now holding the write lock.
        candidates = _candidates(writer, project, user, as_lead)
    return None


def article_with_progress(session: Executor, article_id: int | None, project: ProjectSlots, user: User
                          ) -> tuple[Article | None, ProjectProgress]:
    """The handed-out article (known to exist) and the user's progress, in one statement; the progress alone
    when there is no article."""
    if article_id is None:
        return None, progress(session, project, user)
    row = _ARTICLE_WITH_PROGRESS.rows(session, {**progress_params(project, user), "article_id": article_id})[0]
    columns = len(ARTICLE.columns)
    return ARTICLE.detached(row[:columns]), progress_of(*row[columns:])


def _candidates(session: Executor, project: Project | ProjectSettings, user: User, as_lead: bool) -> list[int]:
    # A lead may take an article whose slots are all taken: she takes none of them.
    params = {"user_id": user.id, "project_id": project.id, "overlap": MAX_ROW_ID if as_lead else project.overlap}
    if project.queue_order != "uncertain":
        return [row[0] for row in _CANDIDATES.rows(session, params)]
    return list(session.scalars(_uncertain_first(session, project), params))


def _uncertain_first(session: Executor, project: Project | ProjectSettings) -> Select[Any]:
    """Articles others started first (overlap sets complete), then those the newest model with stance
    margins is least sure of; in random order while no model has spoken."""
    newest = session.execute(
        select(Prediction.model, Prediction.model_version)
        .where(Prediction.project_id == project.id, Prediction.stance_margin.is_not(None))
        .order_by(Prediction.id.desc()).limit(1)
    ).first()
    if newest is None:
        return _FILL_ORDER.order_by(None).order_by(Article.assigned_count.desc(), func.random())
    margin = (
        select(Prediction.stance_margin)
        .where(Prediction.article_id == Article.id, Prediction.model == newest[0], Prediction.model_version == newest[1])
        .scalar_subquery()
    )
    return _FILL_ORDER.order_by(None).order_by(Article.assigned_count.desc(), margin.asc().nulls_last(), Article.id)


def claim(session: Executor, project: ProjectSlots, article_id: int, user: User, *, as_lead: bool = False) -> AssignmentState | None:
    """A new open assignment of the article for the user, if they hold none and it has room (a lead
    needs none: she takes no slot)."""
    if not as_lead and dialect_name(session) == "postgresql":
        row = _CLAIM_IN_ONE_STATEMENT.first(session, {"project_id": project.id, "article_id": article_id, "user_id": user.id,
                                                      "overlap": project.overlap, "now": utcnow()})
        return None if row is None else AssignmentState(*row)
    # Checked in the writing transaction: the user's own concurrent request may have just taken it.
    if assignment_state(session, article_id, user) is not None:
        return None
    if not as_lead and not take_slot(session, project, article_id):
        return None
    return add_assignment(session, project, article_id, user, "open", as_lead=as_lead)


def add_assignment(
    session: Executor, project: ProjectSlots, article_id: int, user: User, status: str, *, as_lead: bool = False,
    kind: str = "work",
) -> AssignmentState:
    params = {"project_id": project.id, "article_id": article_id, "user_id": user.id, "status": status,
              "as_lead": as_lead, "kind": kind, "now": utcnow()}
    return AssignmentState(*_NEW_ASSIGNMENT.rows(session, params)[0])


def assignment_state(session: Executor, article_id: int, user: User) -> AssignmentState | None:
    row = _ASSIGNMENT_STATE.first(session, {"article_id": article_id, "user_id": user.id})
    return None if row is None else AssignmentState(*row)


def assignment_of(session: Session, article_id: int, user: User) -> Assignment | None:
    """The assignment as an ORM object, for those who change it or follow it to its head revision."""
    return session.scalar(_ASSIGNMENT, {"article_id": article_id, "user_id": user.id})


def holds_article(session: Executor, article_id: int, user: User) -> bool:
    """Whether the user holds an open or finished assignment of the article (theirs to label)."""
    assignment = assignment_state(session, article_id, user)
    return assignment is not None and assignment.status != "skipped"


def skip_article(session: Session, project: Project, article: Article, user: User) -> None:
    """Give an unlabeled article back, so another annotator can take the slot."""
    assignment = assignment_of(session, article.id, user)
    if assignment is None:
        raise NotFound(f"article {article.id} is not assigned to you")
    if assignment.status == "done":
        raise Conflict(f"article {article.id} already has your labels; it cannot be skipped")
    if assignment.status == "open":
        assignment.status = "skipped"
        assignment.updated_at = utcnow()
        _free_slot(session, project, assignment)


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


# ---- a lead's assignment -------------------------------------------------------------------

AssignmentAction = Literal["assign", "release", "reassign"]


class AssignmentChange(BaseModel):
    article_id: int
    annotator: str
    change: Literal["assigned", "released"]


class AssignmentRefusal(BaseModel):
    article_id: int
    annotator: str
    reason: str


class AssignmentReport(BaseModel):
    changed: list[AssignmentChange] = Field(default_factory=list)
    refused: list[AssignmentRefusal] = Field(default_factory=list)

    def summary(self) -> str:
        assigned = sum(c.change == "assigned" for c in self.changed)
        released = len(self.changed) - assigned
        text = f"{assigned} assignment(s) made, {released} released"
        if self.refused:
            reasons = "; ".join(f"article {r.article_id} for {r.annotator}: {r.reason}" for r in self.refused[:5])
            more = f" and {len(self.refused) - 5} more" if len(self.refused) > 5 else ""
            text += f"; {len(self.refused)} refused ({reasons}{more})"
        return text


def change_assignments(
    session: Session, project: Project, action: AssignmentAction, article_ids: Iterable[int], users: list[User],
    source: User | None = None,
) -> AssignmentReport:
    """Assign articles to `users`, release them from `users`, or reassign them from `source` to `users`."""
    if action != "release" and (outsiders := [u.name for u in users if project_role(session, u, project.id) is None]):
        raise Invalid(f"{', '.join(outsiders)} not a member of project {project.name!r}; add them to it first", [])
    if action == "assign":
        return assign_articles(session, project, article_ids, users)
    if action == "release":
        return release_articles(session, project, article_ids, users)
    if source is None:
        raise Invalid("reassigning needs the annotator to take the articles from", [])
    return reassign_articles(session, project, article_ids, source, users)


def assign_articles(session: Session, project: Project, article_ids: Iterable[int], users: list[User]) -> AssignmentReport:
    """Give each article to each user, never past the project's overlap."""
    return _each_article_and_user(session, project, article_ids, users, _assign)


def release_articles(session: Session, project: Project, article_ids: Iterable[int], users: list[User]) -> AssignmentReport:
    """Take articles back from users who have not saved labels for them, freeing their slots."""
    return _each_article_and_user(session, project, article_ids, users, _release)


def release_unlabeled(session: Session, user: User, project: Project | None = None) -> int:
    """Free every article the user holds without saved labels (in one project, or all): a leaver's
    slots go back to the queue. Returns how many were released."""
    held = select(Assignment.project_id, Assignment.article_id).where(
        Assignment.user_id == user.id, Assignment.status == "open", Assignment.head_revision_id.is_(None))
    if project is not None:
        held = held.where(Assignment.project_id == project.id)
    by_project: dict[int, list[int]] = {}
    for project_id, article_id in session.execute(held):
        by_project.setdefault(project_id, []).append(article_id)
    released = 0
    for project_id, article_ids in by_project.items():
        owner = project if project is not None else session.get(Project, project_id)
        released += len(release_articles(session, owner, article_ids, [user]).changed)  # type: ignore[arg-type]
    return released


def _each_article_and_user(
    session: Session, project: Project, article_ids: Iterable[int], users: list[User],
    step: Callable[[Session, Project, int, User, AssignmentReport], bool],
) -> AssignmentReport:
    report = AssignmentReport()
    for article_id in project_article_ids(session, project, article_ids):
        for user in users:
            step(session, project, article_id, user, report)
    return report


def reassign_articles(
    session: Session, project: Project, article_ids: Iterable[int], source: User, targets: list[User]
) -> AssignmentReport:
    """Move articles `source` has not labeled yet to the first of `targets` who does not hold them."""
    report = AssignmentReport()
    for article_id in project_article_ids(session, project, article_ids):
        target = next((t for t in targets if not holds_article(session, article_id, t)), None)
        if target is None:
            report.refused.append(AssignmentRefusal(
                article_id=article_id, annotator=", ".join(t.name for t in targets), reason="already holds it"))
            continue
        if _release(session, project, article_id, source, report):
            _assign(session, project, article_id, target, report)
    return report


def _assign(session: Session, project: Project, article_id: int, user: User, report: AssignmentReport) -> bool:
    assignment = assignment_of(session, article_id, user)
    if assignment is not None and assignment.status != "skipped":
        return _refuse(report, article_id, user, "already holds it")
    if not take_slot(session, project, article_id):
        return _refuse(report, article_id, user, f"already has {project.overlap} annotator(s), the project's overlap")
    if assignment is None:
        add_assignment(session, project, article_id, user, "open")
    else:  # skipped before: theirs again, now in a slot of the overlap
        assignment.status, assignment.as_lead, assignment.updated_at = "open", False, utcnow()
    report.changed.append(AssignmentChange(article_id=article_id, annotator=user.name, change="assigned"))
    return True


def _release(session: Session, project: Project, article_id: int, user: User, report: AssignmentReport) -> bool:
    assignment = assignment_of(session, article_id, user)
    if assignment is None or assignment.status == "skipped":
        return _refuse(report, article_id, user, "does not hold it")
    if assignment.status == "done" or assignment.head_revision_id is not None:
        return _refuse(report, article_id, user, "has saved labels for it, which stay")
    session.execute(delete(Assignment).where(Assignment.id == assignment.id))
    _free_slot(session, project, assignment)
    report.changed.append(AssignmentChange(article_id=article_id, annotator=user.name, change="released"))
    return True


def _free_slot(session: Session, project: Project, assignment: Assignment) -> None:
    """Give back the slot the assignment took: a lead's own, and control and training items, took none."""
    if not assignment.as_lead and assignment.kind == "work":
        give_back_slot(session, project, assignment.article_id)


def _refuse(report: AssignmentReport, article_id: int, user: User, reason: str) -> bool:
    report.refused.append(AssignmentRefusal(article_id=article_id, annotator=user.name, reason=reason))
    return False
