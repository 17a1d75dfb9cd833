"""Reports over large projects, computed by a worker and kept: a request serves the kept report at once
(from any host), and queues a newer one when it is missing, older than the settings allow, or asked for.
Small projects' reports are computed for the request, as before: the worker would only add a wait."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from annotator.jobs.local import start_local_worker
from annotator.jobs.queue import FAILED, UNDER_WAY, JobOut, describe_job, enqueue
from annotator.jobs.worker import Handler, Progress
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.tables import Job, Project, StoredReport, utcnow


class Kept(BaseModel):
    """What a report says of where it came from: computed for this request, or kept from a worker's run."""

    computed_at: datetime | None = Field(
        default=None, description="When a worker computed this kept report (large projects); null when computed for this request")
    refreshing: JobOut | None = Field(default=None, description="The job computing a newer report, while it is queued or running")


KeptReport = TypeVar("KeptReport", bound=Kept)


@dataclass(frozen=True)
class ReportState:
    """The kept report's content (None before the first run ends) and the job computing a newer one."""

    content: dict[str, Any] | None
    computed_at: datetime | None
    job: JobOut | None

    def kept(self) -> Kept:
        live = self.job if self.job is not None and self.job.state in UNDER_WAY else None
        return Kept(computed_at=self.computed_at, refreshing=live)


def served_report(session: Session, db: Database, settings: Settings, project: Project, kind: str, variant: str, *, refresh: bool,
                  model: type[KeptReport], labeled_articles: Callable[[int], int], compute: Callable[[], KeptReport],
                  ) -> KeptReport | JobOut:
    """A small project's report computed now; a large one's kept report (see kept_report), or, before the first
    run ends, the job computing it. `labeled_articles(at_most)` counts the labeled articles up to the threshold."""
    if not _large(settings, labeled_articles):
        return compute()
    state = kept_report(session, db, settings, project, kind, variant, refresh)
    if state.content is None:
        assert state.job is not None, "no kept report without a job computing it"
        return state.job
    return model.model_validate({**state.content, **state.kept().model_dump()})


def ask_for_newer(session: Session, db: Database, settings: Settings, project: Project, kind: str, variant: str,
                  labeled_articles: Callable[[int], int]) -> None:
    """Queue a newer run of a large project's report now (unless one is under way); a small project's
    report is computed on every request, and nothing is queued."""
    if _large(settings, labeled_articles):
        kept_report(session, db, settings, project, kind, variant, refresh=True)


def _large(settings: Settings, labeled_articles: Callable[[int], int]) -> bool:
    threshold = settings.report_job_articles
    return labeled_articles(threshold) >= threshold


def kept_report(session: Session, db: Database, settings: Settings, project: Project, kind: str, variant: str,
                refresh: bool = False) -> ReportState:
    """The kept report of this kind and variant, queuing a worker's run when there is none, it is older than
    settings.report_max_age_seconds, or `refresh` asks; never a second run while one is under way. A run
    that failed is shown, and not queued again until asked. The run is queued in a writer of its own: a page's
    reading session may not take SQLite's write lock."""
    kept = session.scalar(select(StoredReport).where(
        StoredReport.project_id == project.id, StoredReport.kind == kind, StoredReport.variant == variant))
    job = _newest_job(session, project.id, kind, variant)
    under_way = job is not None and job.state in UNDER_WAY
    failed_since = job is not None and job.state == FAILED and (kept is None or job.created_at > kept.computed_at)
    too_old = kept is None or utcnow() - kept.computed_at > timedelta(seconds=settings.report_max_age_seconds)
    if not under_way and (refresh or (too_old and not failed_since)):
        with db.transaction() as writer:
            job = enqueue(writer, kind, project.id, {"variant": variant}, settings.job_stale_seconds)
        start_local_worker(settings)
    return ReportState(kept.content if kept else None, kept.computed_at if kept else None,
                       describe_job(job) if job is not None else None)


def _newest_job(session: Session, project_id: int, kind: str, variant: str) -> Job | None:
    return session.scalar(select(Job).where(Job.project_id == project_id, Job.kind == kind,
                                            Job.arguments["variant"].as_string() == variant).order_by(Job.id.desc()).limit(1))


def keep_report(db: Database, project_id: int, kind: str, variant: str, content: dict[str, Any], seconds: float) -> None:
    """Keep a newly computed report in place of the last one of its kind and variant."""
    with db.transaction() as session:
        session.execute(delete(StoredReport).where(
            StoredReport.project_id == project_id, StoredReport.kind == kind, StoredReport.variant == variant))
        session.add(StoredReport(project_id=project_id, kind=kind, variant=variant, content=content, seconds=seconds))


ComputeReport = Callable[[Session, Project, str, Progress], BaseModel]  # (session, project, variant, progress)


def report_handler(db: Database, kind: str, compute: ComputeReport) -> Handler:
    """A worker's handler that computes a report and keeps it."""

    def run(job: Job, progress: Progress) -> str:
        assert job.project_id is not None
        variant = job.arguments.get("variant", "")
        started = utcnow()
        with db.session() as session:
            report = compute(session, session.get_one(Project, job.project_id), variant, progress)
        seconds = (utcnow() - started).total_seconds()
        keep_report(db, job.project_id, kind, variant, report.model_dump(mode="json"), seconds)
        return f"{kind} computed in {seconds:.1f} s"

    return run
