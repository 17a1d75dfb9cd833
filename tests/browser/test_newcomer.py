"""The demo as a newcomer walks it: label by mouse and by keyboard, decide on suggestions, save, reload;
then, as the lead, train the baseline, predict, and see its suggestions on the labeling page.

At every save and after the reload, what the page shows is compared with what the server stored.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from annotator.demo.setup import DEMO_USERS, build_demo
from annotator.storage import Database
from tests.browser.people import choice, drag_select, log_in
from tests.browser.test_labeling import article_id_of

PASSWORDS = {user.name: user.password for user in DEMO_USERS}


@pytest.fixture
def demo(db: Database) -> int:
    """The database `annotator demo` serves: its project, users, labels, gold and suggestions."""
    return build_demo(db)


def stored(page: Page) -> dict[str, Any]:
    """The labels the server holds for the page's article, read with the page's own login."""
    response = page.request.get(f"{page.url.split('/articles/')[0]}/api/v1/articles/{article_id_of(page)}/annotation")
    assert response.ok, response.text()
    return response.json()  # type: ignore[no-any-return]


def on_screen(page: Page) -> list[str]:
    return page.locator("#statement-list button").all_inner_texts()


def summaries(labels: dict[str, Any]) -> list[str]:
    """The stored statements as the page's list names them."""
    lines = []
    for number, s in enumerate(labels["statements"], 1):
        preconditions = f" · {len(s['preconditions'])} precondition(s)" if s["preconditions"] else ""
        lines.append(f"{number}. {s['actor']['id']} · {s['stance']} · {s['target']}{preconditions}")
    return lines


def pending_suggestions(page: Page) -> list[str]:
    return page.locator("#model-list .suggestion.model").all_inner_texts()


def expect_screen_is_stored(page: Page, decisions: dict[str, str]) -> None:
    labels = stored(page)
    assert on_screen(page) == summaries(labels)
    assert {d["actor"]: d["decision"] for d in labels["suggestion_decisions"]} == decisions
    assert pending_suggestions(page) == []  # every suggestion shown was decided, as stored


def save_with(page: Page, how: str) -> None:
    if how == "keys":
        page.keyboard.press("Control+s")
    else:
        page.get_by_role("button", name="Save", exact=False).first.click()
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")


def mark(page: Page, quote: str, as_: str) -> None:
    drag_select(page, quote)
    page.locator("#selection-toolbar").get_by_role("button", name=as_).click()


def test_a_newcomer_labels_the_demo_and_the_lead_closes_the_model_loop(laptop: Page, browser: Browser, server_url: str, demo: int) -> None:
    ana = laptop
    log_in(ana, server_url, "ana", PASSWORDS["ana"])
    ana.get_by_role("button", name="Label next article").click()
    expect(ana.locator("body[data-ready=true]")).to_be_attached()
    expect(ana.locator("#model-section")).to_contain_text("demo-baseline@1")

    # By keyboard alone: the model's first statement accepted, its second rejected.
    ana.keyboard.press("m")
    ana.keyboard.press("Shift+m")
    save_with(ana, "keys")
    expect_screen_is_stored(ana, {"peskov": "accepted", "yermak": "rejected"})

    # By mouse alone: two statements, each from words marked in the text and choices clicked.
    mark(ana, "The Kremlin", "Actor")
    choice(ana, "Refuses").click()
    choice(ana, "Leaders' meeting").click()
    mark(ana, "The Kremlin on Tuesday ruled out a meeting", "Evidence")
    mark(ana, "Kyiv", "Actor")
    choice(ana, "Open").click()
    choice(ana, "Leaders' meeting").click()
    mark(ana, "Kyiv has repeatedly called for direct talks between the leaders", "Evidence")
    save_with(ana, "mouse")
    expect_screen_is_stored(ana, {"peskov": "accepted", "yermak": "rejected"})
    assert [s["evidence"]["text"] for s in stored(ana)["statements"][1:]] == [
        "The Kremlin on Tuesday ruled out a meeting", "Kyiv has repeatedly called for direct talks between the leaders"]

    ana.reload()
    expect(ana.locator("body[data-ready=true]")).to_be_attached()
    expect_screen_is_stored(ana, {"peskov": "accepted", "yermak": "rejected"})

    # The lead trains the project's own baseline on the demo's gold, predicts, and offers it.
    lena = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(lena, server_url, "lena", PASSWORDS["lena"])
    lena.goto(f"{server_url}/projects/{demo}/models")
    lena.get_by_role("link", name="Train the baseline model on this project's gold").click()
    lena.get_by_role("button", name="Train a new version").click()
    expect(lena.locator("table.grid")).to_contain_text("baseline@1", timeout=90_000)
    lena.get_by_role("button", name="Predict with baseline@1 and offer it as suggestions").click()
    expect(lena.locator("#training-stage")).to_contain_text("offered to annotators as suggestions", timeout=90_000)

    # Ana's next articles come with the new model's word on them: on the demo's little gold it finds a
    # statement in one of the two left (article 8), and says so where it found none.
    ana.keyboard.press("Control+Enter")  # unchanged since its save: on to the next article
    ana.wait_for_url(f"{server_url}/articles/5/annotate")
    expect(ana.locator("#model-name")).to_have_text("baseline@1")
    expect(ana.locator("#model-list")).to_have_text("the model found no statement in this article")
    ana.once("dialog", lambda dialog: dialog.accept())  # "Skip this article?"
    ana.keyboard.press("Shift+s")
    ana.wait_for_url(f"{server_url}/articles/8/annotate")
    expect(ana.locator("#model-name")).to_have_text("baseline@1")
    expect(ana.locator("#model-list .suggestion.model.first")).to_contain_text("ushakov · conditional · leaders_meeting")
    ana.keyboard.press("m")
    save_with(ana, "keys")
    expect_screen_is_stored(ana, {"ushakov": "accepted"})
