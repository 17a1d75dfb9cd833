"""The SQLite default: a worker process started on this host when a job is queued, which runs what is
waiting and exits, so the two-command start stays two commands. With PostgreSQL, `annotator worker`
runs on any host instead (settings.local_worker)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from annotator.settings import Settings


def start_local_worker(settings: Settings) -> None:
    """Start `annotator worker --until-idle` in the background, if this host runs its own."""
    if not settings.runs_local_worker():
        return
    environment = {**os.environ, "ANNOTATOR_DATABASE_URL": settings.resolved_database_url(),
                   "ANNOTATOR_DATA_DIR": str(settings.data_dir), "ANNOTATOR_JOB_STALE_SECONDS": str(settings.job_stale_seconds)}
    process = subprocess.Popen(
        [sys.executable, "-m", "annotator", "worker", "--until-idle"],
        env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Whoever starts it reaps it, so a finished worker leaves no zombie.
    threading.Thread(target=process.wait, daemon=True).start()
