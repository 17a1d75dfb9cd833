"""Append-only revisions: moving an owner's head pointer, only from the revision a save started on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from annotator.errors import StaleRevision
from annotator.storage.database import pointer_is, rows_changed
from annotator.storage.tables import Assignment, GoldRecord, utcnow


def advance_head(
    session: Session, owner: type[Assignment] | type[GoldRecord], owner_id: int, base: int | None, revision_id: int,
    **values: Any,
) -> None:
    """Point the owner's head at the new revision if it still points at `base`; else undo it all (409).

    The conditional UPDATE is the compare-and-swap that makes concurrent saves safe:
    of two saves from the same base, exactly one moves the pointer.
    """
    moved = session.execute(
        update(owner)
        .where(owner.id == owner_id, pointer_is(owner.head_revision_id, base))
        .values(head_revision_id=revision_id, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(moved) != 1:
        session.rollback()
        raise StaleRevision.based_on(base, None)
