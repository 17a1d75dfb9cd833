"""A project's training round: a new annotator labels its training items, sees the known answer after
each save, and gets real work once the share they got right reaches the lead's threshold (or the lead
lets them through)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from annotator.errors import Conflict, NotFound
from annotator.projects.service import ProjectSettings, project_schema, settings_of
from annotator.quality.answers import TRAINING, Answer, scored_answers, share_right
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
    """Where the user stands in the project's training round (read only: record_passing writes)."""
    finished_at, how = _recorded(session, project.id, user_id)
    if not project.training_articles or finished_at is not None:
        return standing(project, finished_at, how, [])
    return standing(project, None, None, scored_answers(session, project, (TRAINING,), user_id))


def _recorded(session: Executor, project_id: int, user_id: int) -> tuple[datetime | None, str | None]:
    """When and how the member finished the round, if it is recorded."""
    found = session.execute(select(ProjectMember.trained_at, ProjectMember.trained_how).where(
        ProjectMember.project_id == project_id, ProjectMember.user_id == user_id)).first()
    return (found[0], found[1]) if found else (None, None)


def standing(project: ProjectSettings, finished_at: datetime | None, how: str | None, answers: Sequence[Answer]) -> TrainingState:
    """The training state of a member from what is recorded of them and their training answers, in the order
    they were saved. Once their last `required` answers reach the threshold they have passed, when the last
    of them was saved, whether or not it is recorded yet."""
    required = project.training_articles
    if not required or finished_at is not None:
        return TrainingState(required, 0, None, finished_at, how)
    score = share_right(answers[-required:])
    if len(answers) >= required and score is not None and score >= project.quality_threshold:
        return TrainingState(required, len(answers), score, answers[-1].saved_at, PASSED)
    return TrainingState(required, len(answers), score, None, None)


def record_passing(session: Executor, project: ProjectSettings, user_id: int) -> TrainingState:
    """The user's training state, a pass not recorded yet recorded now (as "next" hands out work)."""
    state = training_state(session, project, user_id)
    if state.how == PASSED and state.finished_at is not None:
        finish_training(session, project.id, user_id, PASSED, state.finished_at)
    return state


def training_feedback(session: Session, project: Project, article_id: int, user: User) -> TrainingFeedback:
    """The trainee's saved answer on a training article beside the known answer, with the codebook's words;
    refused before they save (the answer would show) and for any other article."""
    held = session.execute(select(Assignment.kind, Assignment.status).where(
        Assignment.article_id == article_id, Assignment.user_id == user.id)).first()
    if held is None or held.kind != TRAINING:
        raise NotFound(f"article {article_id} is not one of your training articles")
    answers = scored_answers(session, project, (TRAINING,), user.id)
    answer = next((a for a in answers if a.article_id == article_id), None)
    if held.status != "done" or answer is None:
        raise Conflict(f"save your labels of article {article_id} first: the known answer shows once they are saved")
    schema = project_schema(project)
    lines = [FeedbackLine(field=d.field, where=_where(d), yours=_shown(d.given), known=_shown(d.known),
                          explanation=explanation(schema, d)) for d in answer.score.differences]
    right = sum(correct for correct, _ in answer.score.tallies.values())
    scored = sum(units for _, units in answer.score.tallies.values())
    state = standing(settings_of(project), *_recorded(session, project.id, user.id), answers)
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


def finish_training(session: Executor, project_id: int, user_id: int, how: str, at: datetime | None = None) -> None:
    """Record that the member finished the round (once: a second record changes nothing)."""
    session.execute(update(ProjectMember).where(
        ProjectMember.project_id == project_id, ProjectMember.user_id == user_id, ProjectMember.trained_at.is_(None),
    ).values(trained_at=at or utcnow(), trained_how=how))
