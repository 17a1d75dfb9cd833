"""Several hosts, one PostgreSQL: two `annotator serve` hosts with folders of their own and a worker.
Nothing a user sees depends on which host answers, and a job survives the loss of its worker."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from annotator.storage import Database
from tests.processes import REPO, AppProcess
from tests.support import ApiClient, Team, WebSession
from tests.test_model import gold_project  # noqa: F401 - the shared fixture: 300 gold articles, 12 without

pytestmark = pytest.mark.parametrize("db", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)

STALE_SECONDS = "2"


class WorkerProcess:
    """`annotator worker` on a host of its own."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.env = {**os.environ, "ANNOTATOR_DATABASE_URL": db.url, "ANNOTATOR_DATA_DIR": str(data_dir),
                    "ANNOTATOR_JOB_STALE_SECONDS": STALE_SECONDS}
        self.process = subprocess.Popen([sys.executable, "-m", "annotator", "worker", "--poll", "0.1"], cwd=REPO, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


@pytest.fixture
def hosts(db: Database, tmp_path: Path) -> Iterator[tuple[AppProcess, AppProcess]]:
    """Host A and host B, each with its own data folder, on one database."""
    pair = (AppProcess(db.url, tmp_path / "host-a", workers=1), AppProcess(db.url, tmp_path / "host-b", workers=1))
    for host in pair:
        host.env["ANNOTATOR_JOB_STALE_SECONDS"] = STALE_SECONDS
        del host.env["ANNOTATOR_SECRET_KEY"]  # no key set: the hosts share the database's
        host.start()
    yield pair
    for host in pair:
        host.stop()


@pytest.fixture
def workers(db: Database, tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.stop()


def _until(check: Callable[[], Any], seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds:.0f} s")


def _run_on(api: ApiClient, project_id: int) -> dict[str, Any]:
    response = api.get(f"/projects/{project_id}/training")
    return response.json() if response.status_code == 200 else {}


def _start_training_on(host: AppProcess, team: Team, project_id: int) -> None:
    lead = WebSession(host.url)
    lead.log_in(team.lena)
    started = lead.post(f"/projects/{project_id}/baseline/train", data={"csrf_token": lead.csrf_token(f"/projects/{project_id}/baseline")})
    assert started.status_code == 200 and "queued for a worker" in started.text


def test_training_started_on_one_host_is_followed_and_used_from_another(  # type: ignore[no-untyped-def]
    db: Database, hosts: tuple[AppProcess, AppProcess], workers: list[WorkerProcess], team: Team, gold_project, tmp_path: Path,  # noqa: F811
) -> None:
    a, b = hosts
    workers.append(WorkerProcess(db, tmp_path / "worker-host"))
    _start_training_on(a, team, gold_project)
    from_b = ApiClient(b.url, team.lena)
    finished = _until(lambda: (run := _run_on(from_b, gold_project)).get("state") in ("done", "failed") and run)
    assert finished["state"] == "done", finished
    assert "baseline@1 stored" in finished["result"]

    on_b = {**os.environ, "ANNOTATOR_DATABASE_URL": db.url, "ANNOTATOR_DATA_DIR": str(tmp_path / "host-b")}
    predicted = subprocess.run([sys.executable, "-m", "annotator", "predict", "stances", "--model", "1", "--import", "--offer"],
                               cwd=REPO, env=on_b, capture_output=True, text=True, timeout=300, check=False)
    assert predicted.returncode == 0, predicted.stderr
    assert "offered to annotators as suggestions" in predicted.stderr
    # No blind control share: whichever article Ana gets shows the suggestions.
    subprocess.run([sys.executable, "-m", "annotator", "suggestions", "stances", "--model", "baseline@1", "--control", "0"],
                   cwd=REPO, env=on_b, check=True, capture_output=True, timeout=60)

    ana = WebSession(b.url)
    ana.log_in(team.ana)
    labeling = ana.post(f"/projects/{gold_project}/next", data={"csrf_token": ana.csrf_token("/")})
    assert labeling.status_code == 200 and "/annotate" in labeling.url
    page_data = json.loads(re.search(r'id="page-data">(.*?)</script>', labeling.text, re.DOTALL).group(1))  # type: ignore[union-attr]
    suggested = page_data["model_suggestions"]
    assert (suggested["model"], suggested["model_version"]) == ("baseline", "1")
    assert not (tmp_path / "host-a" / "models").exists() and not (tmp_path / "host-b" / "models").exists()


def test_a_job_whose_worker_is_killed_is_finished_by_another(  # type: ignore[no-untyped-def]
    db: Database, hosts: tuple[AppProcess, AppProcess], workers: list[WorkerProcess], team: Team, gold_project, tmp_path: Path,  # noqa: F811
) -> None:
    a, b = hosts
    first = WorkerProcess(db, tmp_path / "worker-one")
    workers.append(first)
    _start_training_on(a, team, gold_project)
    from_b = ApiClient(b.url, team.lena)
    running = _until(lambda: (run := _run_on(from_b, gold_project)).get("state") == "running" and run)
    first.kill()
    workers.append(WorkerProcess(db, tmp_path / "worker-two"))
    finished = _until(lambda: (run := _run_on(from_b, gold_project)).get("state") in ("done", "failed") and run)
    assert finished["state"] == "done", finished
    assert finished["attempts"] == 2 and finished["worker"] != running["worker"]
    assert requests.get(f"{a.url}/api/v1/projects/{gold_project}/training", headers={"Authorization": f"Bearer {team.lena.token}"},
                        timeout=30).json()["id"] == finished["id"]  # host A says the same


def test_a_login_on_one_host_holds_on_the_other(hosts: tuple[AppProcess, AppProcess], team: Team, project_id: int) -> None:
    a, b = hosts
    lena = WebSession(a.url)
    assert lena.log_in(team.lena).status_code == 302
    lena.base_url = b.url  # the load balancer sends her next request to B, with the cookie A set
    page = lena.get(f"/projects/{project_id}")
    assert page.status_code == 200 and "sample" in page.text
