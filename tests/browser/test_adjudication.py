"""A lead settles a disagreement into gold in a real browser."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.people import log_in
from tests.support import ApiClient, Team
from tests.test_adjudication import labeled  # noqa: F401 - the shared fixture


def test_lead_takes_one_version_and_saves_gold(page: Page, server_url: str, api: ApiClient, team: Team, labeled: dict[str, Any], project_id: int) -> None:  # noqa: F811
    log_in(page, server_url, "lena", team.lena.password)
    page.goto(f"{server_url}/projects/{project_id}/agreement")
    page.get_by_role("link", name="White House keeps the door open").click()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    expect(page.locator(".comparison")).to_contain_text("differs: stance, preconditions")

    page.locator('[data-take="ben"]').click()
    expect(page.locator("#statement-list")).to_contain_text("psaki · conditional · leaders_meeting · 1 precondition(s)")
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")

    gold = api.as_(team.lena).get(f"/articles/{labeled['second']['id']}/gold").json()
    assert (gold["method"], gold["adjudicator"]) == ("adjudicated", "lena")
    assert gold["statements"][0]["stance"] == "conditional"
