"""Every page passes axe-core (shipped inside axe-playwright-python) with no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.people import drag_select, log_in, open_next_article
from tests.support import Team
from tests.test_adjudication import labeled  # noqa: F401 - the shared fixture

SERIOUS = ("serious", "critical")


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"] if v["impact"] in SERIOUS
    ]


@pytest.fixture(params=["light", "dark"])
def scheme(request: pytest.FixtureRequest, page: Page) -> str:
    page.emulate_media(color_scheme=request.param)
    return str(request.param)


def test_the_login_page(page: Page, scheme: str, server_url: str) -> None:
    page.goto(f"{server_url}/login")
    assert serious_violations(page) == []


def test_the_labeling_page_with_a_statement_open(page: Page, scheme: str, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    assert serious_violations(page) == []  # the project list
    open_next_article(page)
    page.keyboard.press("y")
    drag_select(page, "a substantive agenda on paper")  # the selection toolbar is open
    assert serious_violations(page) == []
    page.keyboard.press("p")
    page.keyboard.press("h")
    expect(page.locator("#guidelines")).to_be_visible()
    assert serious_violations(page) == []


def test_the_leads_pages(page: Page, scheme: str, server_url: str, team: Team, labeled: dict[str, Any], project_id: int) -> None:  # noqa: F811
    log_in(page, server_url, "lena", team.lena.password)
    for path in (f"/projects/{project_id}", f"/projects/{project_id}/agreement", f"/projects/{project_id}/import",
                 "/projects/new", f"/articles/{labeled['second']['id']}/adjudicate", f"/projects/{project_id}/models",
                 f"/projects/{project_id}/members", f"/projects/{project_id}/baseline", "/users", "/account",
                 "/projects/999"):
        page.goto(server_url + path)
        expect(page.locator("main")).to_be_visible()
        assert serious_violations(page) == [], path
