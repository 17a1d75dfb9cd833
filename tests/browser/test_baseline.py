"""A lead retrains the baseline from the page: it runs in the background, shows progress, and saves go on."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.people import log_in
from tests.support import ApiClient, Team
from tests.test_model import gold_project  # noqa: F401 - the shared fixture


def test_a_lead_retrains_while_annotators_keep_saving(page: Page, server_url: str, api: ApiClient, team: Team, gold_project: int) -> None:  # noqa: F811
    log_in(page, server_url, "lena", team.lena.password)
    page.goto(f"{server_url}/projects/{gold_project}/models")
    page.get_by_role("link", name="Train the baseline model on this project's gold").click()
    page.get_by_role("button", name="Train a new version").click()
    expect(page.get_by_role("progressbar", name="Training progress")).to_be_visible()

    article = api.as_(team.ben).next_article(gold_project)  # while it trains
    saved = api.as_(team.ben).put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []})  # type: ignore[index]
    assert saved.status_code == 200

    expect(page.locator("table.grid")).to_contain_text("baseline@1", timeout=60_000)  # the page reloads when done
    expect(page.get_by_role("img", name="Learning curve: test F1 against the gold articles used for training")).to_be_visible()
    expect(page.get_by_role("status").last).to_contain_text("done")
