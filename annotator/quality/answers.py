"""Answers given on control and training items, read with their known answers and scored."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import aliased

from annotator.quality.controls import SCORED_FIELDS, ScoredAnswer, score_answer
from annotator.storage.lean import Executor
from annotator.storage.revisions import VersionedProject, current_gold
from annotator.storage.tables import AnnotationRevision, Assignment, GoldRecord, GoldRevision, User

CONTROL, TRAINING = "control", "training"


class Answer(NamedTuple):
    annotator: str
    article_id: int
    kind: str
    saved_at: datetime
    score: ScoredAnswer


_ANSWER = aliased(AnnotationRevision)


def scored_answers(
    session: Executor, project: VersionedProject, kinds: Iterable[str] = (CONTROL,), user_id: int | None = None,
) -> list[Answer]:
    """Each finished control (or training) item's answer scored against the article's current gold, in the
    order they were saved. Answers made under another schema version than the project's wait out."""
    query = (
        select(User.name, Assignment.article_id, Assignment.kind, _ANSWER.created_at, _ANSWER.content, GoldRevision.content)
        .join(User, User.id == Assignment.user_id)
        .join(_ANSWER, _ANSWER.id == Assignment.head_revision_id)
        .join(GoldRecord, GoldRecord.article_id == Assignment.article_id)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .where(Assignment.project_id == project.id, Assignment.kind.in_(list(kinds)), Assignment.status == "done",
               _ANSWER.label_schema_id == project.label_schema_id, current_gold(project))
        .order_by(_ANSWER.created_at, Assignment.id)
    )
    if user_id is not None:
        query = query.where(Assignment.user_id == user_id)
    return [Answer(name, article_id, kind, saved_at, score_answer(known, given))
            for name, article_id, kind, saved_at, given, known in session.execute(query)]


def tallied(answers: Iterable[Answer], fields: Iterable[str] = SCORED_FIELDS) -> tuple[int, int]:
    """The units of these answers that were right, and the units scored, over the fields named (all, by default)."""
    correct = scored = 0
    for answer in answers:
        for field in fields:
            right, units = answer.score.tallies.get(field, (0, 0))
            correct, scored = correct + right, scored + units
    return correct, scored


def share_right(answers: Iterable[Answer]) -> float | None:
    """The share of every scored unit of these answers that was right (None with nothing scored)."""
    correct, scored = tallied(answers)
    return correct / scored if scored else None
