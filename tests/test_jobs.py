"""Jobs: a row a request enqueues and a worker on any host claims, with progress, a heartbeat, and one
retry when its worker stops."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from annotator.errors import Conflict
from annotator.jobs.queue import claim, enqueue, report
from annotator.jobs.worker import Progress, Worker
from annotator.storage import Database
from annotator.storage.tables import Job, utcnow

STALE = 30.0


def _queued(db: Database, kind: str = "echo", **arguments: str) -> int:
    with db.transaction() as session:
        return enqueue(session, kind, None, arguments, STALE).id


def _job(db: Database, job_id: int) -> Job:
    with db.session() as session:
        return session.get_one(Job, job_id)


def _echo(job: Job, progress: Progress) -> str:
    progress("halfway", 0.5)
    return f"said {job.arguments['text']}"


def test_a_queued_job_goes_to_one_worker_only(db: Database) -> None:
    job_id = _queued(db)
    assert claim(db, "host-a:1", STALE).id == job_id  # type: ignore[union-attr]
    assert claim(db, "host-b:1", STALE) is None


def test_a_worker_runs_a_job_and_records_its_progress_and_result(db: Database) -> None:
    job_id = _queued(db, text="hello")
    seen: list[tuple[str, float]] = []

    def watched(job: Job, progress: Progress) -> str:
        result = _echo(job, progress)
        stored = _job(db, job.id)
        seen.append((stored.stage, stored.done))
        return result

    assert Worker(db, {"echo": watched}, STALE).run(until_idle=True) == 1
    done = _job(db, job_id)
    assert (done.state, done.result, done.done, done.attempts) == ("done", "said hello", 1.0, 1)
    assert seen == [("halfway", 0.5)]  # what another host's page would have read meanwhile


def test_a_failing_job_is_failed_with_its_reason_and_the_worker_goes_on(db: Database) -> None:
    first, second = _queued(db, "broken"), _queued(db, text="after")

    def broken(job: Job, progress: Progress) -> str:
        raise ValueError("the gold's train split has 3 article(s)")

    Worker(db, {"broken": broken, "echo": _echo}, STALE).run(until_idle=True)
    assert (_job(db, first).state, _job(db, first).result) == ("failed", "the gold's train split has 3 article(s)")
    assert _job(db, second).state == "done"


def test_a_job_no_worker_knows_fails_saying_so(db: Database) -> None:
    job_id = _queued(db, "unheard-of")
    Worker(db, {"echo": _echo}, STALE).run(until_idle=True)
    assert "no handler for jobs of kind 'unheard-of'" in (_job(db, job_id).result or "")


def _stop_reporting(db: Database, job_id: int) -> None:
    """As if the job's worker had died a while ago: its heartbeat is old."""
    with db.transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow() - timedelta(seconds=2 * STALE)))


def test_a_job_whose_worker_stopped_is_taken_over_once_then_failed(db: Database) -> None:
    job_id = _queued(db)
    assert claim(db, "host-a:1", STALE) is not None
    assert claim(db, "host-b:1", STALE) is None  # host A still reports
    _stop_reporting(db, job_id)
    taken = claim(db, "host-b:1", STALE)
    assert taken is not None and (taken.worker, taken.attempts) == ("host-b:1", 2)
    assert not report(db, job_id, "host-a:1", "still here?", 0.9)  # the first worker's word no longer counts
    _stop_reporting(db, job_id)
    assert claim(db, "host-c:1", STALE) is None
    failed = _job(db, job_id)
    assert failed.state == "failed" and "stopped without finishing, 2 times" in (failed.result or "")


def test_a_second_run_of_a_project_waits_for_the_first(db: Database, project_id: int) -> None:
    with db.transaction() as session:
        enqueue(session, "train", project_id, {}, STALE, one_of=("train", "predict"))
    with db.transaction() as session, pytest.raises(Conflict, match="a train job is queued"):
        enqueue(session, "predict", project_id, {"version": "1"}, STALE, one_of=("train", "predict"))


def test_workers_on_several_hosts_take_distinct_jobs(db: Database) -> None:
    ids = {_queued(db, text=str(n)) for n in range(12)}
    taken: dict[str, list[int]] = {"host-a:1": [], "host-b:1": [], "host-c:1": []}

    def work(name: str) -> None:
        while (job := claim(db, name, STALE)) is not None:
            taken[name].append(job.id)

    threads = [threading.Thread(target=work, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [job_id for jobs in taken.values() for job_id in jobs]
    assert sorted(claimed) == sorted(ids)  # each once
    with db.session() as session:
        assert set(session.scalars(select(Job.state))) == {"running"}
