"""Load a project's saved labels from the database into the pure report builder."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any
from contextlib import contextmanager

from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session

from annotator.agreement.models import AgreementReport
from annotator.agreement.report import (
    BOOTSTRAP_SAMPLES,
    BOOTSTRAP_SEED,
    ArticleLabels,
    ProjectLabels,
    WorkItem,
    build_report,
    report_of,
)
from annotator.agreement.suggestions import Decisions, suggestion_effect
from annotator.agreement.units import LabelSet
from annotator.errors import NotFound
from annotator.projects.control import in_blind_control
from annotator.projects.service import project_schema
from annotator.storage.tables import (
    AnnotationRevision,
    Article,
    Assignment,
    GoldRecord,
    GoldRevision,
    Prediction,
    Project,
    User,
)

GOLD = "gold"


MODEL_PREFIX = "model:"


ARTICLES_PER_BATCH = 5_000


def _done(project: Project) -> Subquery:
    """The project's finished assignments, with who finished them."""
    return (
        select(Assignment.id, Assignment.article_id, User.name)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.project_id == project.id, Assignment.status == "done")
        .subquery()
    )


def _heads(done: Subquery) -> Select[Any]:
    return (
        select(done.c.article_id, done.c.name, AnnotationRevision.content)
        .join(Assignment, Assignment.id == done.c.id)
        .join(AnnotationRevision, AnnotationRevision.id == Assignment.head_revision_id)
        .order_by(done.c.article_id, done.c.name)
    )


def _gold(project: Project) -> Select[Any]:
    return (
        select(GoldRecord.article_id, GoldRevision.content)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .where(GoldRecord.project_id == project.id)
    )


def work_items(session: Session, project: Project) -> list[WorkItem]:
    done = _done(project)
    effort = session.connection().execute(
        select(done.c.article_id, done.c.name, func.sum(AnnotationRevision.seconds_spent), func.min(AnnotationRevision.created_at))
        .join(AnnotationRevision, AnnotationRevision.assignment_id == done.c.id)
        .group_by(done.c.id, done.c.article_id, done.c.name)
    )
    return [WorkItem(name, article_id, seconds, first_saved) for article_id, name, seconds, first_saved in effort]


def project_labels(session: Session, project: Project, with_model: str | None = None) -> ProjectLabels:
    """Every annotator's labels at once; with `with_model` (NAME@VERSION) the model's predictions on the same
    articles too, as the pseudo-annotator `model:NAME@VERSION`."""
    # Plain rows through the connection: ORM row handling would double the load time.
    connection = session.connection()
    done = _done(project)
    label_sets = [LabelSet(article_id, name, content) for article_id, name, content in connection.execute(_heads(done))]
    if with_model is not None:
        label_sets += _model_labels(session, project, with_model, {s.article_id for s in label_sets})
    # Gold matters only where annotators can be compared with it.
    gold = connection.execute(_gold(project).where(GoldRecord.article_id.in_(select(done.c.article_id))))
    return ProjectLabels(
        project_id=project.id,
        overlap=project.overlap,
        stances=project_schema(project).statement.stance.ids(),
        label_sets=label_sets,
        work=work_items(session, project),
        gold=[LabelSet(article_id, GOLD, content) for article_id, content in gold],
    )


def streamed_articles(session: Session, project: Project) -> Iterator[ArticleLabels]:
    """Each labeled article's label sets and gold, read a range of articles at a time, in article order."""
    connection = session.connection()
    finished = (Assignment.project_id == project.id, Assignment.status == "done")
    heads = (
        select(Assignment.article_id, User.name, AnnotationRevision.content)
        .join(User, User.id == Assignment.user_id)
        .join(AnnotationRevision, AnnotationRevision.id == Assignment.head_revision_id)
        .where(*finished).order_by(Assignment.article_id, User.name)
    )
    after = 0
    while ids := list(connection.scalars(
        select(Assignment.article_id).where(*finished, Assignment.article_id > after)
        .group_by(Assignment.article_id).order_by(Assignment.article_id).limit(ARTICLES_PER_BATCH)
    )):
        # A range, not a list of ids: the (article, user) index reads it in order.
        by_article: dict[int, list[LabelSet]] = {article_id: [] for article_id in ids}
        for article_id, name, content in connection.execute(heads.where(Assignment.article_id.between(ids[0], ids[-1]))):
            by_article[article_id].append(LabelSet(article_id, name, content))
        in_range = _gold(project).where(GoldRecord.article_id.between(ids[0], ids[-1]))
        gold = {a: LabelSet(a, GOLD, content) for a, content in connection.execute(in_range)}
        for article_id in ids:
            yield article_id, by_article[article_id], gold.get(article_id)
        after = ids[-1]


def _model_labels(session: Session, project: Project, with_model: str, articles: set[int]) -> list[LabelSet]:
    model, _, version = with_model.rpartition("@")
    rows = session.execute(select(Prediction.article_id, Prediction.content).where(
        Prediction.project_id == project.id, Prediction.model == model, Prediction.model_version == version))
    found = [LabelSet(article_id, MODEL_PREFIX + with_model, content) for article_id, content in rows if article_id in articles]
    if not found:
        raise NotFound(f"no predictions of {with_model} on the labeled articles of project {project.name!r}")
    return found


def stored_model_versions(session: Session, project: Project) -> list[str]:
    """NAME@VERSION of every model with predictions stored in the project."""
    rows = session.execute(
        select(Prediction.model, Prediction.model_version).where(Prediction.project_id == project.id).distinct()
        .order_by(Prediction.model, Prediction.model_version)
    )
    return [f"{model}@{version}" for model, version in rows]


def suggestion_decisions(session: Session, project: Project) -> list[Decisions]:
    rows = session.execute(
        select(Assignment.article_id, User.name, AnnotationRevision.suggestion_decisions)
        .join(User, User.id == Assignment.user_id)
        .join(AnnotationRevision, AnnotationRevision.id == Assignment.head_revision_id)
        .where(Assignment.project_id == project.id, Assignment.status == "done",
               AnnotationRevision.suggestion_decisions.is_not(None))
    )
    return [Decisions(article_id, name, decisions) for article_id, name, decisions in rows if decisions]


def _report_in_memory(session: Session, project: Project, with_model: str | None, decisions: list[Decisions]) -> AgreementReport:
    labels = project_labels(session, project, with_model)
    report = build_report(labels)
    labeled = {s.article_id for s in labels.label_sets}
    control = {article_id for article_id in labeled if in_blind_control(article_id, project.control_share)}
    report.suggestions = suggestion_effect(labels, decisions, control, BOOTSTRAP_SAMPLES, BOOTSTRAP_SEED)
    report.model = MODEL_PREFIX + with_model if with_model else None
    return report  # the labels are freed here, while the collector still sleeps: awake, it would walk them all


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a report builds its many short-lived objects.

    Nothing in a report forms reference cycles; without the pause the collector
    rescans the growing heap again and again and doubles the time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def project_report(session: Session, project: Project, with_model: str | None = None) -> AgreementReport:
    """The report; streamed article by article unless a model or the suggestions' groups need every label at hand."""
    with collection_paused():
        decisions = suggestion_decisions(session, project)
        if with_model is None and not decisions:
            stances = project_schema(project).statement.stance.ids()
            report = report_of(project.id, project.overlap, stances, streamed_articles(session, project), work_items(session, project))
        else:
            report = _report_in_memory(session, project, with_model, decisions)
    ids = [item.article_id for item in report.most_disagreed]
    titles = dict(session.execute(select(Article.id, Article.title).where(Article.id.in_(ids))).all())
    for item in report.most_disagreed:
        item.title = titles.get(item.article_id, "")
    return report
