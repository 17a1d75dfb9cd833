"""Runs started from a lead's page, one at a time per project: `annotator train`, or `annotator predict`
with a version, in its own process, so the server's workers keep serving (and saving) while it runs;
its progress is a status file any worker can read."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from annotator.errors import Conflict
from annotator.model.progress import StatusFile, TrainingStatus
from annotator.settings import Settings
from annotator.storage.tables import Project


def status_file(settings: Settings, project: Project) -> StatusFile:
    return StatusFile(settings.data_dir / "models" / f"project-{project.id}" / "training.json")


def training_status(settings: Settings, project: Project) -> TrainingStatus | None:
    status = status_file(settings, project).read()
    if status is not None and status.state == "running" and not _alive(status.pid):
        return status.model_copy(update={"state": "failed", "stage": "the training process stopped without finishing"})
    return status


def start_training(settings: Settings, project: Project) -> None:
    """Start `annotator train PROJECT` in the background, unless a run for this project is under way."""
    _start(settings, project, ["train", str(project.id)])


def start_prediction(settings: Settings, project: Project, version: str) -> None:
    """Predict the articles without gold with baseline@VERSION, store the predictions and offer them
    to annotators as suggestions, in the background, unless a run for this project is under way."""
    _start(settings, project, ["predict", str(project.id), "--model", version, "--import", "--offer"])


def _start(settings: Settings, project: Project, command: list[str]) -> None:
    current = training_status(settings, project)
    if current is not None and current.state == "running":
        raise Conflict(f"a baseline run is under way ({current.stage}, {current.done:.0%}); wait for it to finish")
    status = status_file(settings, project)
    assert status.path is not None
    status.path.parent.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "ANNOTATOR_DATABASE_URL": settings.resolved_database_url(),
                   "ANNOTATOR_DATA_DIR": str(settings.data_dir)}
    status.write("running", "starting", 0.0)  # before the start, so a second request sees the run at once
    process = subprocess.Popen(
        [sys.executable, "-m", "annotator", *command, "--status", str(status.path)],
        env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Whoever starts it reaps it, so a finished run leaves no zombie that would look alive.
    threading.Thread(target=process.wait, daemon=True).start()
    current = status.read()
    if current is not None and current.stage == "starting":  # the run has not spoken yet
        status.write("running", "starting", 0.0, pid=process.pid)


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
