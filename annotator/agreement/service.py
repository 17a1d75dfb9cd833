"""Load a project's saved labels from the database into the pure report builder."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.agreement.models import AgreementReport
from annotator.agreement.report import ProjectLabels, WorkItem, build_report
from annotator.agreement.units import LabelSet
from annotator.projects.service import project_schema
from annotator.storage.tables import AnnotationRevision, Article, Assignment, GoldRecord, GoldRevision, Project, User

GOLD = "gold"


def project_labels(session: Session, project: Project) -> ProjectLabels:
    # Plain rows through the connection: ORM row handling would double the load time.
    connection = session.connection()
    done = (
        select(Assignment.id, Assignment.article_id, User.name)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.project_id == project.id, Assignment.status == "done")
        .subquery()
    )
    heads = connection.execute(
        select(done.c.article_id, done.c.name, AnnotationRevision.content)
        .join(Assignment, Assignment.id == done.c.id)
        .join(AnnotationRevision, AnnotationRevision.id == Assignment.head_revision_id)
    )
    label_sets = [LabelSet(article_id, name, content) for article_id, name, content in heads]
    effort = connection.execute(
        select(done.c.article_id, done.c.name, func.sum(AnnotationRevision.seconds_spent), func.min(AnnotationRevision.created_at))
        .join(AnnotationRevision, AnnotationRevision.assignment_id == done.c.id)
        .group_by(done.c.id, done.c.article_id, done.c.name)
    )
    work = [WorkItem(name, article_id, seconds, first_saved) for article_id, name, seconds, first_saved in effort]
    # Gold matters only where annotators can be compared with it.
    gold = connection.execute(
        select(GoldRecord.article_id, GoldRevision.content)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .where(GoldRecord.project_id == project.id, GoldRecord.article_id.in_(select(done.c.article_id)))
    )
    return ProjectLabels(
        project_id=project.id,
        overlap=project.overlap,
        stances=project_schema(project).statement.stance.ids(),
        label_sets=label_sets,
        work=work,
        gold=[LabelSet(article_id, GOLD, content) for article_id, content in gold],
    )


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


def project_report(session: Session, project: Project) -> AgreementReport:
    with collection_paused():
        report = build_report(project_labels(session, project))
    ids = [item.article_id for item in report.most_disagreed]
    titles = dict(session.execute(select(Article.id, Article.title).where(Article.id.in_(ids))).all())
    for item in report.most_disagreed:
        item.title = titles.get(item.article_id, "")
    return report
