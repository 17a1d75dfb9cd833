"""What is stored is what was on screen, the way people work: type and save without leaving the
field, press keys right after a click, mark a second name, keep a tab open for a day, go offline."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.people import choice, drag_select, log_in, open_next_article, press
from tests.browser.test_labeling import article_id_of, article_id_of_url, stored_labels
from tests.browser.test_model_suggestions import suggesting  # noqa: F401 - the shared fixture
from tests.support import ApiClient, Team


def a_refusal_by_keyboard(page: Page) -> None:
    """Statement 1: the Kremlin refuses US-Russia talks, with its evidence (on the first article)."""
    page.keyboard.press("y")  # the Kremlin, as actor
    press(page, "3", "t", "1")  # refuses; T, then target 1
    drag_select(page, "The Kremlin on Tuesday ruled out a meeting")
    page.keyboard.press("e")


def saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")


def a_saved_refusal(page: Page, server_url: str, team: Team) -> None:
    """Ana opens her first article, labels the Kremlin's refusal and saves it."""
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    a_refusal_by_keyboard(page)
    page.keyboard.press("Control+s")
    saved(page)


def test_an_actor_id_typed_and_saved_at_once_is_the_one_stored(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    a_refusal_by_keyboard(page)
    press(page, "c", "Control+a")
    page.keyboard.type("peskov")
    page.keyboard.press("Control+s")  # the cursor is still in the field
    saved(page)
    assert stored_labels(api, team, article_id_of(page))["statements"][0]["actor"]["id"] == "peskov"


def test_published_by_typed_then_save_and_next_stores_it_and_moves_on(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    a_saved_refusal(page, server_url, team)
    first = article_id_of(page)
    page.get_by_label("Published by").fill("tass")
    page.keyboard.press("Control+Enter")  # not "unchanged": the field holds a new outlet
    page.wait_for_url(lambda url: article_id_of_url(url) != first)
    assert stored_labels(api, team, first)["article"]["outlet"] == "tass"


def test_arrow_keys_after_clicking_a_stance_change_nothing(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    page.keyboard.press("n")
    choice(page, "Refuses").click()
    press(page, "ArrowDown", "ArrowRight", " ")
    expect(page.locator("#statement-list")).to_contain_text("1. ? · refuses · ?")
    page.keyboard.press("2")  # a documented key still does what the help says
    expect(page.locator("#statement-list")).to_contain_text("1. ? · conditional · ?")


def test_marking_a_second_actor_starts_a_new_statement(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    a_refusal_by_keyboard(page)
    drag_select(page, "Dmitry Peskov")
    page.keyboard.press("a")
    statements = page.locator("#statement-list li")
    expect(statements).to_have_count(2)
    expect(statements.nth(0)).to_contain_text("1. kremlin · refuses · us_russia_talks")
    expect(statements.nth(1)).to_contain_text("2. peskov")


def test_marking_a_second_evidence_asks_and_keeps_the_first_unless_told(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    a_refusal_by_keyboard(page)
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    drag_select(page, "Dmitry Peskov")
    page.keyboard.press("e")
    expect(page.locator('[data-span="evidence"] q')).to_have_text("The Kremlin on Tuesday ruled out a meeting")
    assert asked and "already has the evidence" in asked[0]


def test_a_suggestion_taken_stays_taken_after_a_reload_and_a_later_rejection_is_saved(
    page: Page, server_url: str, api: ApiClient, team: Team, suggesting: dict[str, Any], project_id: int,  # noqa: F811
) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    page.keyboard.press("m")  # Peskov's statement, as suggested
    page.keyboard.press("Control+s")
    saved(page)
    page.reload()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.keyboard.press("Shift+m")  # the next suggestion, rejected after the save
    page.keyboard.press("Control+s")
    saved(page)
    decisions = {d["actor"]: d["decision"] for d in stored_labels(api, team, "1")["suggestion_decisions"]}
    assert decisions == {"peskov": "accepted", "kremlin": "rejected", "yermak": "ignored"}


def test_a_page_open_for_a_day_still_saves_and_counts_the_time_spent_on_it(
    page: Page, server_url: str, api: ApiClient, team: Team, project_id: int,
) -> None:
    page.clock.install()
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    page.clock.fast_forward("25:00:00")  # the tab stayed open overnight, and the next day
    a_refusal_by_keyboard(page)
    page.keyboard.press("Control+s")
    saved(page)
    history = api.as_(team.lena).get(f"/articles/{article_id_of(page)}/history").json()["revisions"]
    assert len(history) == 1


def test_save_and_next_pressed_while_offline_waits_its_turn_and_moves_on(
    page: Page, server_url: str, api: ApiClient, team: Team, project_id: int,
) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    first = article_id_of(page)
    context: BrowserContext = page.context
    context.set_offline(True)
    a_refusal_by_keyboard(page)
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Not saved: the server cannot be reached")
    page.keyboard.press("Control+Enter")  # queued behind the save being retried
    context.set_offline(False)
    page.wait_for_url(lambda url: article_id_of_url(url) != first, timeout=30_000)
    assert stored_labels(api, team, first)["statements"][0]["actor"]["id"] == "kremlin"


def test_two_tabs_saving_one_article_lose_nothing_typed(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    a_saved_refusal(page, server_url, team)
    second_tab = page.context.new_page()
    second_tab.goto(page.url)
    expect(second_tab.locator("body[data-ready=true]")).to_be_attached()

    drag_select(second_tab, "Dmitry Peskov")  # the second tab adds Peskov's statement, and saves first
    press(second_tab, "a", "2", "t", "3")
    drag_select(second_tab, "Until the delegations have a substantive agenda on paper")
    press(second_tab, "e")
    drag_select(second_tab, "a substantive agenda on paper")
    press(second_tab, "p", "g", "2", "Control+s")
    saved(second_tab)

    page.get_by_label("Note").fill("checked twice")  # the first tab, behind, edits and saves
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("another tab or device saved first")
    expect(page.get_by_label("Note")).to_have_value("checked twice")  # kept on screen
    elsewhere = page.locator("#elsewhere-section")
    expect(elsewhere).to_be_visible()
    elsewhere.get_by_role("button", name="Take peskov · conditional · leaders_meeting").click()
    page.keyboard.press("Control+s")
    saved(page)
    stored = stored_labels(api, team, article_id_of(page))
    assert [s["actor"]["id"] for s in stored["statements"]] == ["kremlin", "peskov"]
    assert stored["article"]["note"] == "checked twice"


def test_a_draft_made_before_a_save_elsewhere_comes_back_beside_the_stored_version(
    page: Page, server_url: str, api: ApiClient, team: Team, project_id: int,
) -> None:
    a_saved_refusal(page, server_url, team)
    page.get_by_label("Note").fill("my unsaved note")
    page.get_by_label("Note").blur()
    article = article_id_of(page)
    labels = stored_labels(api, team, article)
    api.as_(team.ana).put(f"/articles/{article}/annotation", json={  # another device saves meanwhile
        "base_revision": labels["revision"], "statements": labels["statements"], "article": {**labels["article"], "note": "from the phone"},
    }).raise_for_status()
    page.reload()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    expect(page.get_by_label("Note")).to_have_value("my unsaved note")
    expect(page.locator("#elsewhere-section")).to_be_visible()
    expect(page.locator("#save-status")).to_contain_text("saved elsewhere since")


def test_a_refusal_speaks_the_annotators_language_and_the_status_line_is_read_whole(
    laptop: Page, server_url: str, team: Team, project_id: int,
) -> None:
    page = laptop
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    press(page, "n", "3", "Control+s")  # a stance, no actor, target or evidence
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Statement 1, target: pick a target")
    expect(problems).to_contain_text("Statement 1, actor: give its id")
    status = page.locator("#save-status")
    expect(status).to_contain_text("Not saved")
    assert status.evaluate("s => s.scrollWidth <= s.clientWidth && s.scrollHeight <= s.clientHeight")
