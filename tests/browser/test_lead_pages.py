"""A lead runs a project from the browser: finds, assigns, imports, and settles a tie."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.people import log_in
from tests.support import ApiClient, Team
from tests.test_adjudication import labeled  # noqa: F401 - the shared fixture


def open_project(page: Page, server_url: str, team: Team) -> None:
    log_in(page, server_url, "lena", team.lena.password)
    page.get_by_role("link", name="Articles and progress").click()


def test_a_lead_finds_articles_and_assigns_a_filtered_batch(page: Page, server_url: str, api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    open_project(page, server_url, team)
    expect(page.get_by_role("img", name="Progress")).to_contain_text("ana")

    page.get_by_label("Search title and text").fill("insurers")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#match-count")).to_have_text("1 article(s) match.")
    expect(page.locator("table.articles tbody tr")).to_contain_text("Grain ships leave Odesa")

    page.get_by_role("link", name="Clear").click()
    page.get_by_role("combobox", name="State").select_option("disagreement")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("table.articles tbody tr")).to_have_count(1)
    expect(page.locator("table.articles")).to_contain_text("White House keeps the door open")

    page.get_by_role("combobox", name="State").select_option("unassigned")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#match-count")).to_have_text("6 article(s) match.")
    page.get_by_label("all 6 articles that match").check()
    page.get_by_role("checkbox", name="cleo").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".flash")).to_contain_text("6 assignment(s) made, 0 released")
    expect(page.get_by_role("combobox", name="State")).to_have_value("unassigned")  # the filter is kept
    expect(page.locator("#match-count")).to_have_text("0 article(s) match.")
    assert api.as_(team.cleo).next_article(project_id)["title"] == "Lavrov: Putin will meet Zelensky only when an agenda is ready"


def test_a_lead_creates_a_project_and_imports_articles_from_the_browser(page: Page, server_url: str, team: Team, tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        '{"title": "Talks resume in Istanbul", "text": "Delegations met again on Monday."}\n'
        '{"title": "Talks resume in Istanbul", "text": "Delegations met again on Monday."}\n'
        '{"title": "no text"}\n'
    )
    report = tmp_path / "Peskov says no summit.txt"
    report.write_text("The Kremlin said on Tuesday there would be no summit this year. Peskov added more.\n\nSource: Tass\n")
    log_in(page, server_url, "lena", team.lena.password)
    page.get_by_role("link", name="New project").click()
    page.get_by_label("Name").fill("spring-talks")
    page.get_by_role("button", name="Create and import articles").click()
    expect(page.get_by_role("heading", name="Import articles into spring-talks")).to_be_visible()

    page.get_by_label("Files").set_input_files([articles, report])
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#report-summary")).to_have_text("imported 2, duplicates 1, rejected 1")
    lines = page.locator("#report-lines li")
    expect(lines.nth(0)).to_contain_text("duplicate  articles.jsonl line 2: same text as article")
    expect(lines.nth(1)).to_have_text("rejected   articles.jsonl line 3: text: Field required")
    expect(page.locator("#import-status")).to_have_text("Done.")

    page.get_by_role("link", name="See the articles").click()
    rows = page.locator("table.articles tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("The Kremlin said on Tuesday there would be no summit this year.")


def test_a_lead_settles_a_tie_with_every_annotators_spans_in_view(page: Page, server_url: str, api: ApiClient, team: Team, labeled: dict[str, Any], project_id: int) -> None:  # noqa: F811
    open_project(page, server_url, team)
    page.get_by_role("link", name="White House keeps the door open").click()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    expect(page.locator("#gold-state")).to_have_text("Gold not saved yet: starting from the majority proposal, ties left to you")
    expect(page.locator(".comparison")).to_contain_text("1 tie(s): take one side")
    expect(page.locator("#statement-list li")).to_have_count(0)  # the tie is not settled for the first annotator

    overlay_size = "name => CSS.highlights.get(name)?.size ?? 0"
    assert page.evaluate(overlay_size, "annotator-0") == 2 and page.evaluate(overlay_size, "annotator-1") == 3
    page.get_by_label("ben").uncheck()
    assert page.evaluate(overlay_size, "annotator-1") == 0

    page.locator('[data-take="ben"]').click()
    page.keyboard.press("Control+s")
    expect(page.locator("#gold-state")).to_contain_text("Gold saved: revision")
    gold = api.as_(team.lena).get(f"/articles/{labeled['second']['id']}/gold").json()
    assert (gold["method"], gold["statements"][0]["stance"]) == ("adjudicated", "conditional")
