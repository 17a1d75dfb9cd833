"""A project's training round: a new annotator labels its training items, sees the known answer after
each save, and gets real work once the share they got right reaches the lead's threshold (or the lead
lets them through)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from annotator.errors import Conflict, NotFound
from annotator.projects.service import ProjectSettings, project_schema, settings_of
from annotator.quality.answers import TRAINING, scored_answers, share_right
from annotator.quality.controls import SPANS, STATEMENTS, Difference, explanation
from annotator.quality.models import FeedbackLine, TrainingFeedback, TrainingOut
from annotator.storage.lean import Executor
from annotator.storage.tables import Assignment, Project, ProjectMember, User, utcnow

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


def training_feedback(session: Session, project: Project, article_id: int, user: User) -> TrainingFeedback:
    """The trainee's saved answer on a training article beside the known answer, with the codebook's words;
    refused before they save (the answer would show) and for any other article."""
    held = session.execute(select(Assignment.kind, Assignment.status).where(
        Assignment.article_id == article_id, Assignment.user_id == user.id)).first()
    if held is None or held.kind != TRAINING:
        raise NotFound(f"article {article_id} is not one of your training articles")
    answer = next((a for a in scored_answers(session, project, (TRAINING,), user.id) if a.article_id == article_id), None)
    if held.status != "done" or answer is None:
        raise Conflict(f"save your labels of article {article_id} first: the known answer shows once they are saved")
    schema = project_schema(project)
    lines = [FeedbackLine(field=d.field, where=_where(d), yours=_shown(d.given), known=_shown(d.known),
                          explanation=explanation(schema, d)) for d in answer.score.differences]
    right = sum(correct for correct, _ in answer.score.tallies.values())
    scored = sum(units for _, units in answer.score.tallies.values())
    state = training_state(session, settings_of(project), user.id)
    return TrainingFeedback(article_id=article_id, right=right, scored=scored, lines=lines,
                            training=TrainingOut(**state._asdict()))


def _where(difference: Difference) -> str:
    """A unit of score_answer in words: the article (its id is 0 there), an actor, a statement, a span."""
    if difference.field == SPANS:
        label, (start, end) = difference.unit
        return f"{label} span, characters {start}–{end}"
    if difference.field == STATEMENTS:
        ((actor, target),) = difference.unit
        return f"{actor} → {target}"
    named = [str(part) for part in difference.unit[1:]]
    return " → ".join(named) if named else "the article"


_PRESENCE_SHOWN = {"present": "named", "absent": "not named"}


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "none"
    return "—" if value is None else _PRESENCE_SHOWN.get(str(value), str(value))


def finish_training(session: Executor, project_id: int, user_id: int, how: str) -> datetime:
    now = utcnow()
    session.execute(update(ProjectMember).where(
        ProjectMember.project_id == project_id, ProjectMember.user_id == user_id, ProjectMember.trained_at.is_(None),
    ).values(trained_at=now, trained_how=how))
    return now
