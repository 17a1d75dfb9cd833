"""Annotator slots: how many annotators an article has, and how many articles still have room.

Every change to `Article.assigned_count` goes through here, so the project's
`unfilled_articles` counter moves in the same transaction whenever an article
crosses its overlap, in either direction.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Update, bindparam, func, select, update

from annotator.storage.lean import Executor, LeanQuery
from annotator.storage.tables import Article, Project


class ProjectSlots(Protocol):
    """What slot accounting needs of a project: the ORM row and its API description both qualify."""

    @property
    def id(self) -> int: ...

    @property
    def overlap(self) -> int: ...


def _slot_update(change: int) -> Update:
    return (
        update(Article)
        .where(Article.id == bindparam("article_id"))
        .values(assigned_count=Article.assigned_count + change)
        .returning(Article.assigned_count)
    )


# Run leanly: claims are on the annotator loop's hot path.
_TAKE_ANY_SLOT = LeanQuery(_slot_update(+1))
_TAKE_FREE_SLOT = LeanQuery(_slot_update(+1).where(Article.assigned_count < bindparam("overlap")))
_GIVE_BACK_SLOT = LeanQuery(_slot_update(-1))
_COUNT_UNFILLED = LeanQuery(
    update(Project)
    .where(Project.id == bindparam("project_id"))
    .values(unfilled_articles=Project.unfilled_articles + bindparam("change"))
)


def take_slot(session: Executor, project: ProjectSlots, article_id: int, *, beyond_overlap: bool = False) -> bool:
    """Count one more annotator on the article; False if it is full (unless `beyond_overlap`).

    The condition sits in the UPDATE itself, so concurrent claims can never pass the overlap.
    """
    if beyond_overlap:
        count = _TAKE_ANY_SLOT.scalar(session, {"article_id": article_id})
    else:
        count = _TAKE_FREE_SLOT.scalar(session, {"article_id": article_id, "overlap": project.overlap})
    if count is None:
        return False
    if count == project.overlap:
        _count_unfilled(session, project.id, -1)
    return True


def give_back_slot(session: Executor, project: ProjectSlots, article_id: int) -> None:
    """Count one annotator fewer on the article (a skip)."""
    if _GIVE_BACK_SLOT.scalar(session, {"article_id": article_id}) == project.overlap - 1:
        _count_unfilled(session, project.id, +1)


def add_unfilled(session: Executor, project_id: int, articles: int) -> None:
    """New articles arrive with every slot free."""
    if articles:
        _count_unfilled(session, project_id, articles)


def recount_unfilled(session: Executor, project: ProjectSlots) -> None:
    """Count the articles with room again, after the overlap changed under all of them."""
    with_room = (
        select(func.count()).where(Article.project_id == project.id, Article.assigned_count < project.overlap).scalar_subquery()
    )
    session.execute(update(Project).where(Project.id == project.id).values(unfilled_articles=with_room))


def forget_unfilled(session: Executor, project: ProjectSlots, article_ids: list[int]) -> None:
    """Articles about to be deleted no longer count among those with room."""
    with_room = session.execute(select(func.count()).where(
        Article.id.in_(article_ids), Article.assigned_count < project.overlap)).scalar_one()
    if with_room:
        _count_unfilled(session, project.id, -with_room)


def _count_unfilled(session: Executor, project_id: int, change: int) -> None:
    _COUNT_UNFILLED.rows(session, {"project_id": project_id, "change": change})
