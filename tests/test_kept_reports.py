"""Reports over large projects: a worker computes them and every host serves the kept one at once.

Here every project counts as large (report_job_articles=1), and the worker is run by the test."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from annotator.agreement.service import project_report
from annotator.job_commands import every_handler
from annotator.jobs.queue import claim, fail
from annotator.jobs.worker import Worker
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.tables import Job, Project, StoredReport, utcnow
from tests.support import ApiClient, Team, WebSession
from tests.test_adjudication import labeled  # noqa: F401 - the shared fixture

STALE = 30.0


@pytest.fixture
def settings(tmp_path: Path, db: Database) -> Settings:
    return Settings(data_dir=tmp_path, database_url=db.url, secret_key="test-secret", report_job_articles=1,
                    local_worker=False)


def _run_worker(db: Database) -> int:
    return Worker(db, every_handler(db), STALE).run(until_idle=True)


def _jobs(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Job)) or 0


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key not in ("generated_at", "computed_at", "refreshing")}


@pytest.mark.usefixtures("labeled")
def test_a_large_projects_first_report_is_a_queued_job(api: ApiClient, team: Team, project_id: int) -> None:
    answer = api.as_(team.lena).get(f"/projects/{project_id}/agreement")
    assert answer.status_code == 202
    assert answer.headers["Retry-After"] == "3"
    assert (answer.json()["kind"], answer.json()["state"]) == ("agreement-report", "queued")


@pytest.mark.usefixtures("labeled")
def test_the_kept_report_equals_one_computed_on_the_spot(api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    lead = api.as_(team.lena)
    lead.get(f"/projects/{project_id}/agreement")
    assert _run_worker(db) == 1
    kept = lead.get(f"/projects/{project_id}/agreement").json()
    assert kept["computed_at"] is not None and kept["refreshing"] is None
    with db.session() as session:
        on_the_spot = project_report(session, session.get_one(Project, project_id)).model_dump(mode="json")
    assert _figures(kept) == _figures(on_the_spot)


@pytest.mark.usefixtures("labeled")
def test_asking_again_serves_the_kept_report_while_one_newer_is_computed(api: ApiClient, team: Team, project_id: int,
                                                                          db: Database) -> None:
    lead = api.as_(team.lena)
    lead.get(f"/projects/{project_id}/agreement")
    _run_worker(db)
    refreshed = lead.post(f"/projects/{project_id}/agreement/refresh")
    assert refreshed.status_code == 200
    assert refreshed.json()["refreshing"]["state"] == "queued"
    lead.post(f"/projects/{project_id}/agreement/refresh")
    lead.get(f"/projects/{project_id}/agreement")
    assert _jobs(db) == 2  # never a second run while one is under way


@pytest.mark.usefixtures("labeled")
def test_a_kept_report_older_than_the_settings_allow_is_computed_again(api: ApiClient, team: Team, project_id: int,
                                                                        db: Database, settings: Settings) -> None:
    lead = api.as_(team.lena)
    lead.get(f"/projects/{project_id}/agreement")
    _run_worker(db)
    assert lead.get(f"/projects/{project_id}/agreement").json()["refreshing"] is None
    with db.transaction() as session:
        session.execute(update(StoredReport).values(
            computed_at=utcnow() - timedelta(seconds=settings.report_max_age_seconds + 1)))
    assert lead.get(f"/projects/{project_id}/agreement").json()["refreshing"]["state"] == "queued"


@pytest.mark.usefixtures("labeled")
def test_a_failed_run_is_shown_and_queued_again_only_when_asked(api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    lead = api.as_(team.lena)
    lead.get(f"/projects/{project_id}/agreement")
    job = claim(db, "host-a:1", STALE)
    assert job is not None
    fail(db, job.id, "host-a:1", "the database went away")
    shown = lead.get(f"/projects/{project_id}/agreement")
    assert (shown.status_code, shown.json()["state"], shown.json()["result"]) == (202, "failed", "the database went away")
    assert _jobs(db) == 1
    assert lead.post(f"/projects/{project_id}/agreement/refresh").json()["state"] == "queued"


@pytest.mark.usefixtures("labeled")
def test_an_annotator_reads_only_their_own_entry_of_a_kept_quality_report(api: ApiClient, team: Team, project_id: int,
                                                                           db: Database) -> None:
    assert api.as_(team.lena).get(f"/projects/{project_id}/quality").status_code == 202
    _run_worker(db)
    everyone = api.as_(team.lena).get(f"/projects/{project_id}/quality").json()
    own = api.as_(team.ana).get(f"/projects/{project_id}/quality").json()
    assert {a["annotator"] for a in everyone["annotators"]} >= {"ana", "ben"}
    assert [a["annotator"] for a in own["annotators"]] == ["ana"]
    assert own["computed_at"] == everyone["computed_at"]


def test_only_leads_ask_for_a_report_to_be_computed_again(api: ApiClient, project_id: int) -> None:
    assert api.post(f"/projects/{project_id}/quality/refresh").status_code == 403
    assert api.post(f"/projects/{project_id}/agreement/refresh").status_code == 403


@pytest.mark.usefixtures("labeled")
def test_the_team_page_shows_progress_then_the_kept_report(web: WebSession, team: Team, project_id: int, db: Database) -> None:
    web.log_in(team.lena)
    waiting = web.get(f"/projects/{project_id}/team").text
    assert "A worker is computing the report" in waiting
    assert 'http-equiv="refresh"' in waiting
    _run_worker(db)
    page = web.get(f"/projects/{project_id}/team").text
    assert "computed by a worker" in page
    assert 'data-annotator="ana"' in page
    token = web.csrf_token(f"/projects/{project_id}/team")
    assert web.post(f"/projects/{project_id}/team/refresh", data={"csrf_token": token}).status_code == 200  # back to the page
    assert "A newer report is queued" in web.get(f"/projects/{project_id}/team").text
