"""Load a project's saved labels from the database into the pure report builder."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from itertools import count, groupby
from multiprocessing.queues import SimpleQueue
from operator import attrgetter
from typing import Any

from sqlalchemy import Date, Select, bindparam, func, select
from sqlalchemy.orm import Session

from annotator.agreement.models import AgreementReport
from annotator.agreement.report import (
    BOOTSTRAP_SAMPLES,
    BOOTSTRAP_SEED,
    ArticleLabels,
    ProjectLabels,
    Tallies,
    WorkItem,
    build_report,
    report_from,
)
from annotator.agreement.suggestions import Decisions, suggestion_effect
from annotator.agreement.units import LabelSet
from annotator.errors import NotFound
from annotator.jobs.worker import Progress
from annotator.projects.control import in_blind_control
from annotator.projects.service import project_schema
from annotator.storage.database import Database, sqlite_path
from annotator.storage.lean import LeanQuery
from annotator.storage.revisions import counted_work, current_gold
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


# Labels are read for the articles among this many consecutive ids at a time: at most so many articles' labels in memory.
ARTICLE_IDS_PER_BATCH = 1_000
# Below this many articles per process, starting a process costs more than it saves.
ARTICLES_PER_PROCESS = 5_000
# A report's processes each hold a few ranges' labels: at most this many, however many cores.
MAX_PROCESSES = 4
# Ranges per process: several, so that the processes finish within a small range of each other.
RANGES_PER_PROCESS = 64

ArticleRange = tuple[int, int]  # the first and last article id, inclusive
EVERY_ARTICLE: ArticleRange = (0, 2**31 - 1)  # article ids are 32-bit integers on PostgreSQL


# A project's finished assignments among a range of article ids: every query of the report reads
# through this condition, its parameters bound by _in_range. Agreement is the annotators': a lead's
# own labels (beside the overlap, by the person who settles gold) stay out of it, and so do answers on
# control items and the labels of an annotator set aside (storage.revisions.counted_work).
_COUNTED = (
    Assignment.project_id == bindparam("project"), Assignment.status == "done", Assignment.as_lead.is_(False), counted_work(),
)
_FINISHED = (*_COUNTED, Assignment.article_id.between(bindparam("first"), bindparam("last")))


def _in_range(project: Project, articles: ArticleRange = EVERY_ARTICLE) -> dict[str, int]:
    first, last = articles
    return {"project": project.id, "first": first, "last": last, "schema": project.label_schema_id}


# The finished assignments, with who finished them.
_DONE = (
    select(Assignment.id, Assignment.article_id, User.name).join(User, User.id == Assignment.user_id).where(*_FINISHED).subquery()
)

# The labels agreement compares: (article id, annotator, labels) of the counted assignments' heads.
_HEAD_LABELS = (
    select(Assignment.article_id, User.name, AnnotationRevision.content)
    .join(User, User.id == Assignment.user_id)
    .join(AnnotationRevision, AnnotationRevision.id == Assignment.head_revision_id)
    # Labels compare only under one schema version: the project's. Those an upgrade sent back for
    # review (still under the version they were made under) wait out of the figures.
    .where(*_COUNTED, AnnotationRevision.label_schema_id == bindparam("schema"))
)
# Read straight on the driver: SQLAlchemy's handling of each row costs as much as decoding its labels.
_HEADS = LeanQuery(
    _HEAD_LABELS.where(Assignment.article_id.between(bindparam("first"), bindparam("last")))
    .order_by(Assignment.article_id)  # in the index's order, so SQLite sorts nothing; units order annotators themselves
)


def _head_rows(session: Session, project: Project, articles: ArticleRange = EVERY_ARTICLE) -> list[tuple[int, str, Any]]:
    """(article id, annotator, labels) of each finished assignment's head revision, in article order."""
    return _HEADS.rows(session, _in_range(project, articles))


def article_label_sets(session: Session, project: Project, article_ids: list[int]) -> dict[int, list[LabelSet]]:
    """The label sets agreement compares, of articles picked one by one (not a range), by article."""
    found: dict[int, list[LabelSet]] = {}
    rows = session.execute(_HEAD_LABELS.where(Assignment.article_id.in_(article_ids)), _in_range(project))
    for article_id, name, content in rows:
        found.setdefault(article_id, []).append(LabelSet(article_id, name, content))
    return found


def _gold(project: Project) -> Select[Any]:
    return (
        select(GoldRecord.article_id, GoldRevision.content)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .where(current_gold(project))
    )


def work_items(session: Session, project: Project, articles: ArticleRange = EVERY_ARTICLE) -> Iterator[WorkItem]:
    effort = session.connection().execute(
        select(_DONE.c.name, _DONE.c.article_id, func.sum(AnnotationRevision.seconds_spent),
               func.date(func.min(AnnotationRevision.created_at), type_=Date))
        .join(AnnotationRevision, AnnotationRevision.assignment_id == _DONE.c.id)
        .group_by(_DONE.c.id, _DONE.c.article_id, _DONE.c.name),
        _in_range(project, articles),
    )
    return map(WorkItem._make, effort.all())  # all at once: a fetch per row costs as much as the row


def project_labels(session: Session, project: Project, with_model: str | None = None) -> ProjectLabels:
    """Every annotator's labels at once; with `with_model` (NAME@VERSION) the model's predictions on the same
    articles too, as the pseudo-annotator `model:NAME@VERSION`."""
    connection = session.connection()
    label_sets = [LabelSet(*row) for row in _head_rows(session, project)]
    if with_model is not None:
        label_sets += _model_labels(session, project, with_model, {s.article_id for s in label_sets})
    # Gold matters only where annotators can be compared with it.
    gold = connection.execute(_gold(project).where(GoldRecord.article_id.in_(select(_DONE.c.article_id))), _in_range(project))
    return ProjectLabels(
        project_id=project.id,
        overlap=project.overlap,
        stances=project_schema(project).statement.stance.ids(),
        label_sets=label_sets,
        work=list(work_items(session, project)),
        gold=[LabelSet(article_id, GOLD, content) for article_id, content in gold],
    )


def streamed_articles(session: Session, project: Project, articles: ArticleRange = EVERY_ARTICLE) -> Iterator[ArticleLabels]:
    """Each labeled article's label sets and gold, in article order, read a batch at a time: the
    labeled articles among ARTICLE_IDS_PER_BATCH consecutive ids from the next labeled one."""
    connection = session.connection()
    first, last = articles
    while (start := _NEXT_LABELED.scalar(connection, _in_range(project, (first, last)))) is not None:
        # A range of ids, not a list: the (article, user) index reads it in order.
        end = min(start + ARTICLE_IDS_PER_BATCH - 1, last)
        rows = _head_rows(session, project, (start, end))
        in_range = _gold(project).where(GoldRecord.article_id.between(start, end))
        gold = {a: LabelSet(a, GOLD, content) for a, content in connection.execute(in_range)}
        for article_id, label_sets in groupby(map(LabelSet._make, rows), key=_article):
            yield article_id, list(label_sets), gold.get(article_id)
        first = end + 1


# The first id in the index order that has a finished assignment: found without reading the ids after it.
_NEXT_LABELED = LeanQuery(select(Assignment.article_id).where(*_FINISHED).order_by(Assignment.article_id).limit(1))
_LAST_LABELED = LeanQuery(select(Assignment.article_id).where(*_FINISHED).order_by(Assignment.article_id.desc()).limit(1))
_article = attrgetter("article_id")


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
    # Only the revisions that have decisions are looked up (a partial index holds them alone).
    decided = select(AnnotationRevision.id).where(AnnotationRevision.suggestion_decisions.is_not(None))
    rows = session.execute(
        select(Assignment.article_id, User.name, AnnotationRevision.suggestion_decisions)
        .join(User, User.id == Assignment.user_id)
        .join(AnnotationRevision, AnnotationRevision.id == Assignment.head_revision_id)
        .where(Assignment.project_id == project.id, Assignment.status == "done", counted_work(),
               Assignment.head_revision_id.in_(decided))
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


def labeled_count(session: Session, project: Project, at_most: int) -> int:
    """How many articles are labeled, counted up to `at_most` (beyond it, the index is not read)."""
    labeled = select(Assignment.article_id).where(*_FINISHED).distinct().limit(at_most).subquery()
    return session.scalar(select(func.count()).select_from(labeled), _in_range(project)) or 0


def article_ranges(session: Session, project: Project, parts: int) -> list[ArticleRange]:
    """The labeled articles' ids cut into `parts` spans of consecutive ids, as equal as they can be; the
    first and last stretch to every id. Spans of ids, not of counted articles: the first and last labeled
    id are two reads of the index, where counting out equal shares read all of it."""
    first = _NEXT_LABELED.scalar(session, _in_range(project))
    last = _LAST_LABELED.scalar(session, _in_range(project))
    if first is None:
        return [EVERY_ARTICLE]
    step = (last - first + 1) / parts
    starts = sorted({first + int(i * step) for i in range(1, parts)} - {first})
    bounds = [EVERY_ARTICLE[0], *starts, EVERY_ARTICLE[1] + 1]
    return [(start, after - 1) for start, after in zip(bounds, bounds[1:])]


def _count(session: Session, project: Project, articles: ArticleRange, tallies: Tallies) -> Tallies:
    tallies.count(streamed_articles(session, project, articles), work_items(session, project, articles))
    return tallies


RangeQueue = SimpleQueue[ArticleRange | None]  # the ranges, then a stop (None) for each process
_shared_ranges: RangeQueue | None = None  # a worker process's view of the ranges left


def _take_ranges(session: Session, project: Project, ranges: RangeQueue, taken: Callable[[], None] = lambda: None) -> Tallies:
    """Tally ranges taken from the shared queue until a stop comes out of it; `taken` is told of each."""
    tallies = Tallies()
    while (articles := ranges.get()) is not None:
        _count(session, project, articles, tallies)
        taken()
    return tallies


def _share(ranges: RangeQueue) -> None:
    global _shared_ranges
    _shared_ranges = ranges


def _tallies_apart(url: str, project_id: int) -> Tallies:
    """The tallies of the ranges this worker process takes, read through its own engine."""
    assert _shared_ranges is not None, "started without the ranges' queue"
    with Database(url).session() as session, collection_paused():
        return _take_ranges(session, session.get_one(Project, project_id), _shared_ranges)


def project_tallies(session: Session, project: Project, progress: Progress | None = None) -> Tallies:
    """Every labeled article tallied; a large project's in ranges, spread over the machine's cores.

    The ranges wait in one queue; every process takes the next one as it finishes its last, so
    all finish within a range of each other, and each sends its tallies back once. Each range is
    read in its own transaction, so saves landing meanwhile may show in one range and not in
    another, as they would in a report taken a moment later. `progress` hears of the share done,
    judged from the ranges this process took (the others take theirs at about its pace).
    """
    url = session.get_bind().engine.url
    shared_file = url.get_backend_name() != "sqlite" or sqlite_path(url.render_as_string()) is not None
    cores = usable_cores() if shared_file else 1  # a database in memory is this process's alone
    processes = 1
    if cores > 1:  # counted only where the count can decide something
        processes = min(cores, labeled_count(session, project, at_most=cores * ARTICLES_PER_PROCESS) // ARTICLES_PER_PROCESS)
    if processes < 2:
        return _count(session, project, EVERY_ARTICLE, Tallies())
    context = _process_context()
    ranges: RangeQueue = context.SimpleQueue()
    fine = article_ranges(session, project, parts=processes * RANGES_PER_PROCESS)
    spans = list(_shrinking(fine, processes))
    for articles in [*spans, *[None] * processes]:
        ranges.put(articles)  # a few small tuples: the pipe holds them all, nobody blocks
    mine = count(1)

    def taken() -> None:
        if progress is not None:
            progress("tallying the labeled articles", min(0.95, next(mine) * processes / len(spans)))
    with ProcessPoolExecutor(processes - 1, mp_context=context, initializer=_share, initargs=(ranges,)) as pool:
        workers = [pool.submit(_tallies_apart, url.render_as_string(hide_password=False), project.id)
                   for _ in range(processes - 1)]
        tallies = _take_ranges(session, project, ranges, taken)
        for worker in workers:
            tallies.merge(worker.result())
    return tallies


def _shrinking(ranges: list[ArticleRange], processes: int) -> Iterator[ArticleRange]:
    """Consecutive ranges joined into spans that shrink as fewer are left (guided scheduling):
    few handovers at first, and at the end spans small enough that no process waits long for another."""
    start = 0
    while start < len(ranges):
        end = start + max(1, (len(ranges) - start) // (2 * processes))
        yield ranges[start][0], ranges[end - 1][1]
        start = end


def usable_cores() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cores, MAX_PROCESSES)


def _process_context() -> multiprocessing.context.BaseContext:
    """Fork on Linux while this process runs one thread (the command line): the worker starts at
    once with everything imported. A server's threads may hold locks a fork would copy held, and
    macOS's system libraries do not survive a fork: spawn there."""
    single_threaded_linux = sys.platform == "linux" and threading.active_count() == 1
    return multiprocessing.get_context("fork" if single_threaded_linux else "spawn")


def project_report(session: Session, project: Project, with_model: str | None = None, progress: Progress | None = None) -> AgreementReport:
    """The report; streamed article by article unless a model or the suggestions' groups need every label at hand."""
    with collection_paused():
        decisions = suggestion_decisions(session, project)
        if with_model is None and not decisions:
            stances = project_schema(project).statement.stance.ids()
            report = report_from(project.id, project.overlap, stances, project_tallies(session, project, progress))
        else:
            report = _report_in_memory(session, project, with_model, decisions)
    ids = [item.article_id for item in report.most_disagreed]
    titles = dict(session.execute(select(Article.id, Article.title).where(Article.id.in_(ids))).all())
    for item in report.most_disagreed:
        item.title = titles.get(item.article_id, "")
    report.schema_version = project_schema(project).version
    return report
