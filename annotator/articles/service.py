"""Correcting an article's title or outlet, and deleting articles with everything made on them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from annotator.articles.models import ArticleChange, DeletionCounts
from annotator.errors import NotFound
from annotator.projects.service import project_article_ids
from annotator.projects.slots import forget_unfilled
from annotator.storage.tables import Article, Assignment, GoldRecord, Prediction, Project


def found_article(session: Session, article_id: int) -> Article:
    """The article, or NotFound naming it."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"no article {article_id}")
    return article


def change_article(session: Session, article: Article, change: ArticleChange) -> list[str]:
    """Set the fields the change gives; what changed, in words."""
    changed = []
    if change.title is not None and change.title != article.title:
        article.title = change.title
        changed.append("title")
    if change.outlet is not None and (change.outlet or None) != article.outlet:
        article.outlet = change.outlet or None
        changed.append("outlet" if change.outlet else "outlet cleared")
    session.flush()
    return changed


def deletion_counts(session: Session, project: Project, article_ids: Iterable[int]) -> DeletionCounts:
    """What deleting the project's articles would take with them; NotFound for an id not in the project."""
    return _counts(session, project_article_ids(session, project, article_ids))


def delete_articles(session: Session, project: Project, article_ids: Iterable[int]) -> DeletionCounts:
    """Delete the articles whole: assignments, every revision, gold and predictions go with them
    (foreign keys cascade), and the search index forgets them (its triggers)."""
    ids = project_article_ids(session, project, article_ids)
    counts = _counts(session, ids)
    forget_unfilled(session, project, ids)
    session.execute(delete(Article).where(Article.id.in_(ids)))
    session.expire_all()
    return counts


def _counts(session: Session, ids: list[int]) -> DeletionCounts:
    saved = select(Assignment.user_id).where(Assignment.article_id.in_(ids), Assignment.head_revision_id.is_not(None))
    gold = select(GoldRecord.id).where(GoldRecord.article_id.in_(ids), GoldRecord.head_revision_id.is_not(None))
    return DeletionCounts(
        articles=len(ids),
        annotations=_count(session, saved),
        annotators=_count(session, saved.distinct()),
        gold=_count(session, gold),
        predictions=_count(session, select(Prediction.id).where(Prediction.article_id.in_(ids))),
    )


def _count(session: Session, rows: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(rows.subquery())) or 0
