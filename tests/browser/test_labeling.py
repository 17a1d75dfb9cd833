"""An annotator labels with the keyboard: every key lands where it was meant, nothing is stored wrong."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.people import drag_select, log_in, open_next_article, press
from tests.support import ApiClient, Team


def stored_labels(api: ApiClient, team: Team, article_id: str) -> dict:
    return api.as_(team.ana).get(f"/articles/{article_id}/annotation").json()


def article_id_of_url(url: str) -> str:
    return url.rsplit("/", 2)[-2]


def article_id_of(page: Page) -> str:
    return article_id_of_url(page.url)


def test_annotator_labels_an_article_by_keyboard_and_finds_it_after_reload(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    expect(page.locator("#article-text")).to_contain_text("Kremlin says no groundwork yet")

    first_suggestion = page.locator(".suggestion.first")
    for _ in range(10):  # dismiss the names before Peskov's
        if "Kremlin spokesman Dmitry Peskov" in first_suggestion.inner_text():
            break
        page.keyboard.press("x")
    page.keyboard.press("y")
    drag_select(page, "substantive agenda on paper")
    press(page, "p", "g", "2")  # G, then the second category: substantive agenda
    drag_select(page, "Until the delegations have a substantive agenda on paper")
    press(page, "e", "2", "t", "3", "Control+s")  # stance 2: conditional; T, then target 3: leaders' meeting
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")
    expect(page.locator("#progress")).to_have_text("1 of 8 done")

    page.reload()
    expect(page.locator("#statement-list")).to_contain_text("peskov · conditional · leaders_meeting · 1 precondition(s)")
    expect(page.get_by_label("Actor", exact=True)).to_have_value("peskov")
    expect(page.locator('[data-span="evidence"] q')).to_have_text("Until the delegations have a substantive agenda on paper")
    expect(page.locator('[data-action="change-category"]')).to_have_text("Substantive agenda ▾")


def test_a_key_after_marking_a_precondition_marks_the_next_span_and_leaves_the_category_alone(
    page: Page, server_url: str, api: ApiClient, team: Team, project_id: int
) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    page.keyboard.press("n")
    drag_select(page, "a substantive agenda on paper")
    page.keyboard.press("p")
    expect(page.locator("#article-text")).to_be_focused()
    drag_select(page, "Tass news agency")
    page.keyboard.press("o")

    expect(page.get_by_label("Source outlet", exact=True)).to_have_value("tass")
    expect(page.locator('[data-span="source_outlet"] q')).to_have_text("Tass news agency")
    expect(page.locator('[data-group="category"] input:checked')).to_have_count(0)
    expect(page.locator("#save-status")).to_contain_text("Id set to tass")

    press(page, "g", "2")
    drag_select(page, "Kremlin spokesman Dmitry Peskov")
    page.keyboard.press("a")
    drag_select(page, "Until the delegations have a substantive agenda on paper")
    press(page, "e", "2", "t", "3", "Control+s")
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")
    [statement] = stored_labels(api, team, article_id_of(page))["statements"]
    assert statement["source_outlet"]["id"] == "tass"
    assert [p["category"] for p in statement["preconditions"]] == ["substantive_agenda"]
    assert statement["actor"]["id"] == "peskov"


def test_marking_an_alias_as_actor_sets_its_id_and_says_so(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    page.keyboard.press("n")
    press(page, "c")
    page.keyboard.type("kremlin")
    page.keyboard.press("Escape")
    expect(page.get_by_label("Actor", exact=True)).to_have_value("kremlin")

    drag_select(page, "Dmitry Peskov")
    page.keyboard.press("a")  # the actor has no span yet: this one fills it, and its name says who it is
    expect(page.get_by_label("Actor", exact=True)).to_have_value("peskov")
    expect(page.locator("#save-status")).to_contain_text("Id changed from kremlin to peskov")
    expect(page.locator("#statement-list")).to_contain_text("1. peskov")


def test_an_actor_id_that_contradicts_its_marked_name_is_shown(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    page.keyboard.press("n")
    drag_select(page, "Kremlin spokesman Dmitry Peskov")
    page.keyboard.press("a")
    press(page, "c", "Control+a")
    page.keyboard.type("kremlin")
    press(page, "Enter", "Escape")
    conflict = page.locator('[data-conflict="actor"]')
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("names peskov (Dmitry Peskov), not kremlin")
    conflict.get_by_role("button", name="Use peskov").click()
    expect(page.get_by_label("Actor", exact=True)).to_have_value("peskov")
    expect(conflict).to_be_hidden()


def test_save_and_next_on_unchanged_labels_moves_on_without_a_new_revision(
    page: Page, server_url: str, api: ApiClient, team: Team, project_id: int
) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    first = article_id_of(page)
    page.keyboard.press("y")  # the Kremlin
    page.keyboard.press("3")
    page.keyboard.press("t")
    page.keyboard.press("1")
    drag_select(page, "The Kremlin on Tuesday ruled out a meeting")
    page.keyboard.press("e")
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")

    page.reload()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: article_id_of_url(url) != first)
    history = api.as_(team.lena).get(f"/articles/{first}/history").json()
    assert len([r for r in history["revisions"] if r["kind"] == "annotation"]) == 1


def test_the_imported_outlet_is_offered_as_published_by(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    expect(page.locator("#article-heading")).to_contain_text("Interfax")
    expect(page.get_by_label("Published by")).to_have_value("interfax")
    expect(page.locator("#outlet-hint")).to_contain_text("Pre-filled from the article's outlet “Interfax”")
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")
    assert stored_labels(api, team, article_id_of(page))["article"]["outlet"] == "interfax"


def test_undo_and_redo_cover_every_edit(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    statements = page.locator("#statement-list")
    page.keyboard.press("n")
    page.keyboard.press("3")
    drag_select(page, "The Kremlin on Tuesday ruled out a meeting")
    page.keyboard.press("e")
    page.get_by_label("Relevant").uncheck()
    page.keyboard.press("Shift+Delete")
    expect(statements.locator("li")).to_have_count(0)

    page.keyboard.press("Control+z")  # the deletion
    expect(statements).to_contain_text("1. ? · refuses · ?")
    expect(page.locator('[data-span="evidence"] q')).to_have_text("The Kremlin on Tuesday ruled out a meeting")
    page.keyboard.press("Control+z")  # relevance
    expect(page.get_by_label("Relevant")).to_be_checked()
    page.keyboard.press("Control+z")  # evidence
    expect(page.locator('[data-span="evidence"]')).to_have_text("not marked")
    page.get_by_role("button", name="Undo").click()  # the stance
    expect(statements).to_contain_text("1. ? · ? · ?")
    page.get_by_role("button", name="Undo").click()  # the statement itself
    expect(statements.locator("li")).to_have_count(0)
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()

    page.keyboard.press("Control+Shift+z")
    page.get_by_role("button", name="Redo").click()
    expect(statements).to_contain_text("1. ? · refuses · ?")
    page.keyboard.press("Control+Shift+z")
    expect(page.locator('[data-span="evidence"] q')).to_have_text("The Kremlin on Tuesday ruled out a meeting")
