"""Nothing lost: a save made while the server is down is retried until it lands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from annotator.demo.setup import DEMO_USERS, build_demo
from annotator.storage import Database
from annotator.storage.tables import AnnotationRevision, Assignment, User
from tests.browser.people import drag_select, log_in
from tests.processes import AppProcess

@pytest.fixture
def app_process(tmp_path: Path) -> Iterator[AppProcess]:
    url = f"sqlite:///{tmp_path / 'annotator.db'}"
    database = Database(url)
    build_demo(database)
    database.dispose()
    server = AppProcess(url, tmp_path)
    server.start()
    yield server
    server.kill()


def test_a_save_during_an_outage_is_retried_and_lands(page: Page, app_process: AppProcess) -> None:
    ana = next(u for u in DEMO_USERS if u.name == "ana")
    log_in(page, app_process.url, ana.name, ana.password)
    page.get_by_role("button", name="Label next article").click()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.keyboard.press("y")  # "Kremlin" in the title, as the actor
    drag_select(page, "The Kremlin on Tuesday ruled out a meeting")
    page.keyboard.press("e")
    page.keyboard.press("3")
    page.keyboard.press("t")
    page.keyboard.press("3")  # leaders' meeting

    app_process.kill()
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("the server cannot be reached. Retrying")
    app_process.start()
    expect(page.locator("#save-status")).to_contain_text("Saved (revision", timeout=30_000)

    database = Database(app_process.env["ANNOTATOR_DATABASE_URL"])
    with database.session() as session:
        content = session.scalars(
            select(AnnotationRevision.content)
            .join(Assignment, Assignment.head_revision_id == AnnotationRevision.id)
            .join(User, User.id == Assignment.user_id)
            .where(User.name == "ana")
        ).one()
    database.dispose()
    [statement] = content["statements"]
    assert (statement["actor"]["id"], statement["stance"], statement["target"]) == ("kremlin", "refuses", "leaders_meeting")
    assert statement["evidence"]["text"] == "The Kremlin on Tuesday ruled out a meeting"
