"""Runs started from a lead's page, one at a time per project: training, or predicting with a version and
offering it, as jobs any worker on any host runs (jobs/); their progress is the job's row, which every
host reads."""

from __future__ import annotations

from sqlalchemy.orm import Session

from annotator.jobs.local import start_local_worker
from annotator.jobs.queue import JobOut, describe_job, enqueue, latest_job
from annotator.model.runs import predict_run, train_run
from annotator.jobs.worker import Handler, Progress
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.tables import Job, Project

TRAIN, PREDICT = "train", "predict"
BASELINE_RUNS = (TRAIN, PREDICT)


def training_status(session: Session, project: Project) -> JobOut | None:
    """The newest baseline run of the project (training or predicting), as any host sees it."""
    job = latest_job(session, project.id, BASELINE_RUNS)
    return describe_job(job) if job is not None else None


def start_training(session: Session, settings: Settings, project: Project) -> None:
    """Queue training the baseline on the project's gold, unless a run for this project is under way."""
    _start(session, settings, project, TRAIN, {})


def start_prediction(session: Session, settings: Settings, project: Project, version: str) -> None:
    """Queue predicting the articles without gold with baseline@VERSION, storing the predictions and
    offering them to annotators as suggestions, unless a run for this project is under way."""
    _start(session, settings, project, PREDICT, {"version": version})


def _start(session: Session, settings: Settings, project: Project, kind: str, arguments: dict[str, str]) -> None:
    enqueue(session, kind, project.id, arguments, settings.job_stale_seconds, one_of=BASELINE_RUNS)
    session.commit()
    start_local_worker(settings)


def baseline_handlers(db: Database) -> dict[str, Handler]:
    """What a worker runs for each kind of baseline job."""

    def train(job: Job, progress: Progress) -> str:
        assert job.project_id is not None
        return train_run(db, job.project_id, progress).summary

    def predict(job: Job, progress: Progress) -> str:
        assert job.project_id is not None
        return predict_run(db, job.project_id, job.arguments["version"], progress, offer=True)

    return {TRAIN: train, PREDICT: predict}
