"""A model's statements as suggestions: accepted, edited and rejected by keyboard, each decision stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.people import log_in, open_next_article, press
from tests.support import ApiClient, Team, refusal_statement, statement_on

CONTROL_SHARE = 0.4  # with this share article 2 is a blind control article and article 1 is not


@pytest.fixture
def suggesting(api: ApiClient, team: Team, project_id: int) -> dict[str, Any]:
    """The lead stores a model's statements for articles 1 and 2 and offers them as suggestions."""
    lead = api.as_(team.lena)
    first, second = (lead.get(f"/articles/{i}").json() for i in (1, 2))
    text = first["text"]
    statements = [
        {**refusal_statement(text), "score": 0.91},
        {**statement_on(text, "kremlin", "Kremlin", "leaders_meeting", "refuses", "The Kremlin on Tuesday ruled out a meeting"), "score": 0.74},
        {**statement_on(text, "yermak", "Andriy Yermak", "russia_ukraine_talks", "open", "Ukraine was ready to meet"), "score": 0.42},
    ]
    other = statement_on(second["text"], "psaki", "Jen Psaki", "leaders_meeting", "refuses",
                         "a meeting between President Joe Biden and President Vladimir Putin was off the table")
    lines = [{"article_id": 1, "model": "baseline", "model_version": "1", "statements": statements},
             {"article_id": 2, "model": "baseline", "model_version": "1", "statements": [other]}]
    body = "".join(json.dumps(line) + "\n" for line in lines)
    assert lead.post(f"/projects/{project_id}/predictions", data=body, headers={"Content-Type": "application/x-ndjson"}).json()["imported"] == 2
    lead.put(f"/projects/{project_id}/suggestions", json={"model": "baseline@1", "control_share": CONTROL_SHARE}).raise_for_status()
    return {"first": first, "second": second}


def test_suggested_statements_are_accepted_edited_and_rejected_by_keyboard(page: Page, server_url: str, api: ApiClient, team: Team, suggesting, project_id: int) -> None:  # type: ignore[no-untyped-def]
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    model = page.locator("#model-section")
    expect(model).to_contain_text("Suggested by baseline@1")
    expect(model.locator(".suggestion.model")).to_have_count(3)
    expect(model.locator(".suggestion.first")).to_have_text("peskov · conditional · leaders_meeting · score 0.91")

    page.keyboard.press("m")  # Peskov's statement, as suggested
    expect(page.locator("#statement-list")).to_contain_text("1. peskov · conditional · leaders_meeting")
    press(page, "m", "3")  # the Kremlin's statement, its stance then changed... to the same: refuses
    press(page, "4")  # ...and then really changed: noncommittal
    press(page, "Shift+m")  # Yermak's: rejected
    expect(model).to_contain_text("every suggested statement decided")
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")

    saved = api.as_(team.ana).get("/articles/1/annotation").json()
    decisions = {(d["actor"], d["decision"], tuple(d["changed"])) for d in saved["suggestion_decisions"]}
    assert decisions == {("peskov", "accepted", ()), ("kremlin", "edited", ("stance",)), ("yermak", "rejected", ())}
    assert [s["actor"]["id"] for s in saved["statements"]] == ["peskov", "kremlin"]

    page.reload()  # a rejected suggestion stays decided
    expect(page.locator("#model-section")).to_contain_text("every suggested statement decided")


def test_an_annotator_of_a_blind_control_article_sees_no_suggestion(page: Page, server_url: str, api: ApiClient, team: Team, suggesting, project_id: int) -> None:  # type: ignore[no-untyped-def]
    api.as_(team.lena).post(f"/projects/{project_id}/assignments", json={"action": "assign", "article_ids": [2], "annotators": ["ben"]})
    log_in(page, server_url, "ben", team.ben.password)
    open_next_article(page)
    expect(page.locator("#article-text")).to_contain_text("White House keeps the door open")
    expect(page.locator("#model-section")).to_be_hidden()
    assert page.evaluate("() => JSON.parse(document.getElementById('page-data').textContent).model_suggestions") is None
