"""A worker: claims jobs one at a time, runs each by its kind's handler, reports progress, and beats
a heartbeat from a thread of its own meanwhile, so a long step still shows the worker alive."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from annotator.jobs.queue import claim, fail, finish, report
from annotator.storage import Database
from annotator.storage.tables import Job

Progress = Callable[[str, float], None]  # a stage in words, and the share done
Handler = Callable[[Job, Progress], str]  # runs the job; what it did, in words


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Worker:
    db: Database
    handlers: Mapping[str, Handler]
    stale_after: float
    poll_seconds: float = 1.0
    name: str = field(default_factory=worker_name)

    def run(self, until_idle: bool = False, stop: threading.Event | None = None) -> int:
        """Run jobs until `stop` is set (or, `until_idle`, until none is waiting); how many were run."""
        stop = stop or threading.Event()
        ran = 0
        while not stop.is_set():
            job = claim(self.db, self.name, self.stale_after)
            if job is None:
                if until_idle:
                    break
                stop.wait(self.poll_seconds)
                continue
            self.run_one(job)
            ran += 1
        return ran

    def run_one(self, job: Job) -> None:
        ended = threading.Event()
        beating = threading.Thread(target=self._beat, args=(job.id, ended), name=f"heartbeat of job {job.id}", daemon=True)
        beating.start()
        try:
            handler = self.handlers.get(job.kind)
            if handler is None:
                fail(self.db, job.id, self.name, f"no handler for jobs of kind {job.kind!r} in this worker")
                return

            def progress(stage: str, done: float) -> None:
                report(self.db, job.id, self.name, stage, done)

            result = handler(job, progress)
        except Exception as error:  # noqa: BLE001 - a job's failure is its own: the worker goes on to the next one
            fail(self.db, job.id, self.name, str(error) or type(error).__name__)
        else:
            finish(self.db, job.id, self.name, result)
        finally:
            ended.set()
            beating.join()

    def _beat(self, job_id: int, ended: threading.Event) -> None:
        while not ended.wait(self.stale_after / 4):
            report(self.db, job_id, self.name)
