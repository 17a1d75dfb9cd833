"""Append-only revisions: moving an owner's head pointer, only from the revision a save started on."""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol

from sqlalchemy import ColumnElement, bindparam, select, update

from annotator.errors import StaleRevision
from annotator.storage.lean import Executor, LeanQuery
from annotator.storage.tables import Assignment, GoldRecord, GoldRevision, ProjectMember, Review, utcnow

Owner = type[Assignment] | type[GoldRecord]


def advance_head(session: Executor, owner: Owner, owner_id: int, base: int | None, revision_id: int, **values: Any) -> None:
    """Point the owner's head at the new revision if it still points at `base`; else undo it all (409).

    The conditional UPDATE is the compare-and-swap that makes concurrent saves safe:
    of two saves from the same base, exactly one moves the pointer.
    """
    statement = _head_update(owner, base is None, tuple(sorted(values)))
    moved = statement.first(
        session, {"owner_id": owner_id, "base": base, "revision_id": revision_id, "updated_at": utcnow(), **values}
    )
    if moved is None:
        session.rollback()
        raise StaleRevision.based_on(base, None)
    if base is not None:
        # A revision that follows one a schema upgrade sent to review settles that review.
        _SETTLE_REVIEWS.rows(session, {"kind": "gold" if owner is GoldRecord else "annotation", "base": base, "now": utcnow()})


class VersionedProject(Protocol):
    """A project as an ORM row or as the annotator loop's settings: what current_gold reads of it."""

    @property
    def id(self) -> int: ...
    @property
    def label_schema_id(self) -> int: ...


def current_gold(project: VersionedProject) -> ColumnElement[bool]:
    """A condition on a gold head (GoldRecord joined to its GoldRevision): the project's gold made under
    (or carried to) its current schema version, what agreement, scoring and training read. Gold waiting
    for the lead's review after an upgrade is left out."""
    return (GoldRecord.project_id == project.id) & (GoldRevision.label_schema_id == project.label_schema_id)


def counted_work() -> ColumnElement[bool]:
    """A condition on assignments: labels of the article, as agreement, gold and aggregates count them.
    Answers on control and training items are scored, never counted; an annotator a lead set aside
    counts for nothing until restored (their labels stay stored)."""
    set_aside = select(ProjectMember.user_id).where(
        ProjectMember.project_id == Assignment.project_id, ProjectMember.set_aside_at.is_not(None))
    return (Assignment.kind == "work") & Assignment.user_id.not_in(set_aside)


def review_reasons(session: Executor, kind: str, revision_id: int | None) -> list[str]:
    """Why a schema upgrade sent this revision back to people; empty when it did not (or it is settled)."""
    if revision_id is None:
        return []
    found = session.execute(select(Review.reasons).where(
        Review.revision_kind == kind, Review.revision_id == revision_id, Review.resolved_at.is_(None))).first()
    return list(found[0]) if found else []


_SETTLE_REVIEWS = LeanQuery(
    update(Review)
    .where(Review.revision_kind == bindparam("kind"), Review.revision_id == bindparam("base"), Review.resolved_at.is_(None))
    .values(resolved_at=bindparam("now"))
)


@cache
def _head_update(owner: Owner, from_nothing: bool, columns: tuple[str, ...]) -> LeanQuery:
    """The compare-and-swap for one shape of call, built once and run leanly: saves are the hot path."""
    head = owner.head_revision_id
    return LeanQuery(
        update(owner)
        .where(owner.id == bindparam("owner_id"), head.is_(None) if from_nothing else head == bindparam("base"))
        .values(head_revision_id=bindparam("revision_id"), updated_at=bindparam("updated_at"), **{c: bindparam(c) for c in columns})
        .returning(owner.id)
    )
