"""The job rows: enqueue, claim (on PostgreSQL with SKIP LOCKED, so workers on several hosts never take
the same job), report progress, finish or fail. Every call is its own short transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from annotator.errors import Conflict
from annotator.storage import Database
from annotator.storage.lean import dialect_name
from annotator.storage.tables import Job, utcnow

# A job whose worker stopped is run again once; stopping a second time, it fails with the reason.
MAX_ATTEMPTS = 2
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
UNDER_WAY = (QUEUED, RUNNING)


class JobOut(BaseModel):
    id: int
    kind: str
    state: str
    stage: str
    done: float
    result: str | None
    attempts: int
    worker: str | None
    heartbeat_at: datetime | None
    created_at: datetime
    finished_at: datetime | None


def describe_job(job: Job) -> JobOut:
    return JobOut.model_validate(job, from_attributes=True)


def enqueue(session: Session, kind: str, project_id: int | None, arguments: dict[str, Any], stale_after: float,
            one_of: Iterable[str] = ()) -> Job:
    """A new queued job; refused while a live job of the project among the kinds `one_of` is queued or running."""
    if one_of and (current := _live(session, project_id, list(one_of), stale_after)) is not None:
        raise Conflict(f"a {current.kind} job is {current.state} ({current.stage or 'waiting for a worker'}, "
                       f"{current.done:.0%}); wait for it to finish")
    job = Job(project_id=project_id, kind=kind, arguments=arguments, state=QUEUED, stage="waiting for a worker")
    session.add(job)
    session.flush()
    return job


def _live(session: Session, project_id: int | None, kinds: list[str], stale_after: float) -> Job | None:
    cutoff = utcnow() - timedelta(seconds=stale_after)
    return session.scalar(select(Job).where(
        Job.project_id == project_id, Job.kind.in_(kinds),
        or_(Job.state == QUEUED, (Job.state == RUNNING) & (Job.heartbeat_at >= cutoff)),
    ).order_by(Job.id.desc()).limit(1))


def latest_job(session: Session, project_id: int, kinds: Iterable[str]) -> Job | None:
    return session.scalar(select(Job).where(Job.project_id == project_id, Job.kind.in_(list(kinds))).order_by(Job.id.desc()).limit(1))


def claim(db: Database, worker: str, stale_after: float) -> Job | None:
    """The oldest queued job, or a running one whose worker stopped reporting, now this worker's; None when
    there is none. A job taken over for the second time fails instead, saying why."""
    while True:
        with db.session(write=True) as session:
            now = utcnow()
            cutoff = now - timedelta(seconds=stale_after)
            query = (select(Job).where(or_(Job.state == QUEUED, (Job.state == RUNNING) & (Job.heartbeat_at < cutoff)))
                     .order_by(Job.id).limit(1))
            if dialect_name(session) == "postgresql":
                query = query.with_for_update(skip_locked=True)  # another host's worker takes the next one
            job = session.scalar(query)
            if job is None:
                session.rollback()
                return None
            if job.state == RUNNING and job.attempts >= MAX_ATTEMPTS:
                job.state, job.finished_at = FAILED, now
                job.result = f"its worker ({job.worker}) stopped without finishing, {job.attempts} times"
                session.commit()
                continue
            if job.state == RUNNING:
                job.stage = f"taken over from {job.worker}, which stopped reporting"
            job.state, job.worker, job.heartbeat_at, job.started_at = RUNNING, worker, now, now
            job.attempts += 1
            session.commit()
            session.refresh(job)
            session.expunge(job)
            return job


def report(db: Database, job_id: int, worker: str, stage: str | None = None, done: float | None = None) -> bool:
    """Progress and a heartbeat; False when the job is no longer this worker's (taken over, or ended)."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if stage is not None:
        values["stage"] = stage
    if done is not None:
        values["done"] = round(done, 3)
    return _update(db, job_id, worker, values)


def finish(db: Database, job_id: int, worker: str, result: str) -> bool:
    return _update(db, job_id, worker, {"state": DONE, "stage": result, "result": result, "done": 1.0, "finished_at": utcnow()})


def fail(db: Database, job_id: int, worker: str, reason: str) -> bool:
    return _update(db, job_id, worker, {"state": FAILED, "stage": reason, "result": reason, "finished_at": utcnow()})


def _update(db: Database, job_id: int, worker: str, values: dict[str, Any]) -> bool:
    with db.session(write=True) as session:
        changed = session.execute(update(Job).where(Job.id == job_id, Job.worker == worker, Job.state == RUNNING).values(**values))
        session.commit()
        return bool(changed.rowcount)  # type: ignore[attr-defined]
