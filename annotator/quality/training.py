"""A project's training round: a new annotator labels its training items, sees the known answer after
each save, and gets real work once the share they got right reaches the lead's threshold (or the lead
lets them through)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update

from annotator.projects.service import ProjectSettings
from annotator.quality.answers import TRAINING, scored_answers, share_right
from annotator.storage.lean import Executor
from annotator.storage.tables import ProjectMember, utcnow

PASSED, LET_THROUGH = "passed", "let through"


class TrainingState(NamedTuple):
    required: int  # training items to label (0: the project has no training round)
    done: int
    score: float | None  # the share right over the last `required` answers
    finished_at: datetime | None
    how: str | None  # passed or let through

    @property
    def in_training(self) -> bool:
        return self.required > 0 and self.finished_at is None


def training_state(session: Executor, project: ProjectSettings, user_id: int) -> TrainingState:
    """Where the user stands in the project's training round; passing it is recorded here, the first time
    their last `required` answers reach the project's threshold."""
    finished_at, how = session.execute(
        select(ProjectMember.trained_at, ProjectMember.trained_how)
        .where(ProjectMember.project_id == project.id, ProjectMember.user_id == user_id)
    ).first() or (None, None)
    if not project.training_articles or finished_at is not None:
        return TrainingState(project.training_articles, 0, None, finished_at, how)
    answers = scored_answers(session, project, (TRAINING,), user_id)
    score = share_right(answers[-project.training_articles:])
    if len(answers) >= project.training_articles and score is not None and score >= project.quality_threshold:
        finished_at, how = finish_training(session, project.id, user_id, PASSED), PASSED
    return TrainingState(project.training_articles, len(answers), score, finished_at, how)


def finish_training(session: Executor, project_id: int, user_id: int, how: str) -> datetime:
    now = utcnow()
    session.execute(update(ProjectMember).where(
        ProjectMember.project_id == project_id, ProjectMember.user_id == user_id, ProjectMember.trained_at.is_(None),
    ).values(trained_at=now, trained_how=how))
    return now
