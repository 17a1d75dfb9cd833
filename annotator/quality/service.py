"""A project's quality report: the overlap read the way agreement reads it, control answers scored,
and each member's standing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import numpy as np

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.agreement.report import ArticleLabels
from annotator.agreement.service import article_label_sets, labeled_count, streamed_articles
from annotator.agreement.units import LabelSet, article_units
from annotator.jobs.worker import Progress
from annotator.projects.service import ProjectSettings, settings_of
from annotator.quality.aggregate import AggregateMethod, Aggregator
from annotator.quality.answers import CONTROL, TRAINING, Answer, scored_answers
from annotator.quality.competence import FieldEstimate, ProjectLabels, field_units, fit_fields
from annotator.quality.estimators import Method
from annotator.quality.items import control_items_summary
from annotator.quality.models import ConfusedPair, ExampleSentence, QualityReport, TrainingOut
from annotator.quality.report import annotator_quality, answers_by_annotator, confused_pairs
from annotator.quality.training import standing
from annotator.storage.tables import Article, Project, ProjectMember, User

EXAMPLES_PER_PAIR = 2
DOUBT_BATCH = 1_000
PROGRESS_EVERY = 5_000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def overlap_labels(session: Session, project: Project, progress: Progress | None = None) -> ProjectLabels:
    """The estimated fields' shared units of every counted label (agreement's reading: set-aside annotators
    and control answers are out)."""
    articles = streamed_articles(session, project)
    if progress is not None:
        articles = _told(articles, labeled_count(session, project, at_most=2**31), progress)
    return field_units(article_units(article_id, label_sets) for article_id, label_sets, _ in articles)


def _told(articles: Iterator[ArticleLabels], total: int, progress: Progress) -> Iterator[ArticleLabels]:
    """The articles, telling `progress` of the share read every PROGRESS_EVERY; reading is most of a report."""
    for seen, article in enumerate(articles, 1):
        if seen % PROGRESS_EVERY == 0:
            progress("reading the labeled articles", 0.9 * seen / max(total, seen))
        yield article


def quality_report(session: Session, project: Project, method: Method = "dawid-skene", progress: Progress | None = None) -> QualityReport:
    labels = overlap_labels(session, project, progress)
    if progress is not None:
        progress("estimating each annotator's accuracy", 0.9)
    fits = fit_fields(labels, method)
    names = labels.names
    answers = answers_by_annotator(scored_answers(session, project, (CONTROL, TRAINING)))
    members = {name: (set_aside is not None, role, (trained_at, trained_how)) for name, set_aside, role, trained_at, trained_how in session.execute(
        select(User.name, ProjectMember.set_aside_at, ProjectMember.role, ProjectMember.trained_at, ProjectMember.trained_how)
        .join(User, User.id == ProjectMember.user_id).where(ProjectMember.project_id == project.id))}
    settings = settings_of(project)
    people = sorted(set(names) | set(answers) | {name for name, (_, role, _) in members.items() if role == "annotator"})
    annotators = []
    for name in people:
        set_aside, _, recorded = members.get(name, (False, None, (None, None)))
        training = _training(settings, recorded, answers.get(name, []))
        annotators.append(annotator_quality(name, fits, labels.people.get(name), answers.get(name, []), training, set_aside,
                                            project.quality_threshold))
    summary = control_items_summary(session, project)
    return QualityReport(
        project=project.name, method=method, threshold=project.quality_threshold, control_rate=project.control_rate,
        control_items=summary.control_items, training_items=summary.training_items, annotators=annotators,
        confusions=[_with_examples(session, pair, fits[pair.field], project) for pair in confused_pairs(fits, names)],
    )


def _training(project: ProjectSettings, recorded: tuple[datetime | None, str | None], answers: list[Answer]) -> TrainingOut | None:
    """A member's training state from the answers the report read already."""
    if not project.training_articles:
        return None
    state = standing(project, *recorded, [answer for answer in answers if answer.kind == TRAINING])
    return TrainingOut(**state._asdict())


def project_aggregator(session: Session, project: Project, method: AggregateMethod) -> Aggregator:
    """The aggregate, fitted on the project's overlap (the majority vote needs no fit)."""
    if method == "majority":
        return Aggregator(method)
    labels = overlap_labels(session, project)
    return Aggregator(method, fit_fields(labels, method), labels.people)


def article_doubts(session: Session, project: Project, article_ids: list[int], method: AggregateMethod = "dawid-skene") -> dict[int, float]:
    """How unsure the aggregate is of each labeled article (1 less its least sure choice)."""
    aggregator = project_aggregator(session, project, method)
    doubts = {}
    for start in range(0, len(article_ids), DOUBT_BATCH):
        labels = article_label_sets(session, project, article_ids[start:start + DOUBT_BATCH])
        doubts.update({article_id: aggregator.aggregate(article_units(article_id, sets), sets).doubt for article_id, sets in labels.items()})
    return doubts


def _with_examples(session: Session, pair: ConfusedPair, fit: FieldEstimate, project: Project) -> ConfusedPair:
    """The pair with sentences from articles where someone gave `given` and the estimate says `truth`."""
    truth, given = fit.values.index(pair.truth), fit.values.index(pair.given)
    rows = np.flatnonzero((fit.fit.truth() == truth) & np.any(fit.labels == given, axis=1))
    article_ids = list(dict.fromkeys(int(fit.articles[row]) for row in rows))[:EXAMPLES_PER_PAIR]
    labels = article_label_sets(session, project, article_ids)
    articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(article_ids)))}
    examples = []
    for article_id in article_ids:
        units = article_units(article_id, labels.get(article_id, []))
        where = next((unit for unit, values in units.fields[pair.field].items() if pair.given in map(str, values.values())), None)
        article = articles[article_id]
        examples.append(ExampleSentence(article_id=article_id, title=article.title,
                                        sentence=_sentence(article.text, _quoted_at(labels.get(article_id, []), where))))
    return pair.model_copy(update={"examples": examples})


def _quoted_at(label_sets: list[LabelSet], unit: tuple[object, ...] | None) -> int:
    """Where in the text the statement of a unit (article, actor, target) is quoted: its evidence, else its actor."""
    if unit is None or len(unit) != 3:
        return 0
    for label_set in label_sets:
        for statement in label_set.content["statements"]:
            if (statement["actor"]["id"], statement["target"]) == unit[1:]:
                span = statement.get("evidence") or statement["actor"].get("span")
                if span:
                    return int(span["start"])
    return 0


def _sentence(text: str, at: int) -> str:
    """The sentence of the text holding character `at`."""
    start = 0
    for piece in _SENTENCE_END.split(text):
        found = text.find(piece, start)
        if found <= at < found + len(piece) + 1:
            return piece.strip()[:400]
        start = found + len(piece)
    return text[:400].strip()
