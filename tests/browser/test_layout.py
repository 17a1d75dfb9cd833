"""The labeling page on a 1366 x 768 laptop: what an annotator needs is in view, nothing jumps."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.people import choice, drag_select, log_in, open_next_article, press
from tests.support import Team

IN_VIEW = """selector => {
    const box = document.querySelector(selector).getBoundingClientRect();
    const panel = document.querySelector('.panel').getBoundingClientRect();
    return box.height > 0 && box.top >= panel.top && box.bottom <= Math.min(panel.bottom, innerHeight)
        && box.left >= 0 && box.right <= innerWidth;
}"""


def label_a_conditional_statement(page: Page) -> None:
    page.keyboard.press("n")
    drag_select(page, "Kremlin spokesman Dmitry Peskov")
    press(page, "a", "2", "t", "3")
    drag_select(page, "a substantive agenda on paper")
    page.keyboard.press("p")
    drag_select(page, "Until the delegations have a substantive agenda on paper")
    page.keyboard.press("e")


def test_the_current_statement_is_in_view_without_scrolling(laptop: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(laptop, server_url, "ana", team.ana.password)
    open_next_article(laptop)
    label_a_conditional_statement(laptop)
    for part in ('[data-field="actor"]', '[data-group="stance"]', '[data-group="target"]',
                 '[data-slot="preconditions"] [data-group="category"]', '[data-span="evidence"]'):
        assert laptop.evaluate(IN_VIEW, part), f"{part} is not in view"
    assert laptop.evaluate("() => document.querySelector('.panel').scrollTop === 0 && scrollY === 0")


def test_a_long_status_message_is_read_whole_and_moves_nothing(laptop: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(laptop, server_url, "ana", team.ana.password)
    open_next_article(laptop)
    bar = laptop.locator(".topbar")
    height = bar.bounding_box()["height"]
    text_top = laptop.locator("#article-text").bounding_box()["y"]
    laptop.keyboard.press("n")
    drag_select(laptop, "Until the delegations have a substantive agenda on paper, there is nothing for the presidents to discuss")
    laptop.keyboard.press("p")  # a long quote in the message
    expect(laptop.locator("#save-status")).to_contain_text("precondition “Until the delegations")
    assert bar.bounding_box()["height"] == height
    assert laptop.locator("#article-text").bounding_box()["y"] == text_top
    status = laptop.locator("#save-status")
    assert status.evaluate("el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight")  # read whole
    expect(status).to_have_attribute("title", status.inner_text())


def test_the_same_name_suggested_twice_shows_once_with_a_count(laptop: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(laptop, server_url, "ana", team.ana.password)
    open_next_article(laptop)
    kyiv = laptop.locator(".suggestion", has_text="“Kyiv”")
    expect(kyiv).to_have_count(1)
    expect(kyiv).to_contain_text("Ukrainian government ×2")


def test_each_choice_is_described_where_it_is_made(laptop: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(laptop, server_url, "ana", team.ana.password)
    open_next_article(laptop)
    laptop.keyboard.press("n")
    choice(laptop, "Refuses").click()
    expect(laptop.locator('[data-help="stance"]')).to_have_text("Refuses: Rules the talks out for now.")
    choice(laptop, "Ceasefire").click()
    expect(laptop.locator('[data-help="target"]')).to_have_text("Ceasefire: Talks about a ceasefire or a pause in fighting.")
    expect(choice(laptop, "Peace process")).to_have_attribute(
        "title", "Comprehensive talks to end the war, including mediation by third countries.")


def test_the_full_guidelines_are_one_key_away(laptop: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(laptop, server_url, "ana", team.ana.password)
    open_next_article(laptop)
    laptop.keyboard.press("h")
    guidelines = laptop.get_by_role("dialog", name="Guidelines: Diplomatic stance in news about the war in Ukraine")
    expect(guidelines).to_be_visible()
    expect(guidelines).to_contain_text("prefer the weaker claim")
    laptop.keyboard.press("n")  # keys do not reach the labels behind the dialog
    laptop.keyboard.press("Escape")
    expect(guidelines).to_be_hidden()
    expect(laptop.locator("#statement-list li")).to_have_count(0)


def test_dark_mode_follows_the_system_setting(laptop: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(laptop, server_url, "ana", team.ana.password)
    open_next_article(laptop)
    background = "() => getComputedStyle(document.documentElement).backgroundColor"
    light = laptop.evaluate(background)
    laptop.emulate_media(color_scheme="dark")
    dark = laptop.evaluate(background)
    assert light == "rgb(244, 246, 249)"
    assert dark == "rgb(18, 22, 29)"


def test_on_a_phone_the_statement_its_choices_and_save_fit_the_screen(phone: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(phone, server_url, "ana", team.ana.password)
    open_next_article(phone)
    phone.locator(".suggestion.first").tap()  # the statement list holds one statement now
    editor = phone.locator("#statement-editor")
    phone.evaluate("window.scrollBy(0, document.querySelector('#statement-editor').getBoundingClientRect().top - 200)")
    height = phone.viewport_size["height"]  # type: ignore[index]
    bar, save, box = phone.locator(".topbar").bounding_box(), phone.locator("#save-button").bounding_box(), editor.bounding_box()
    assert save["y"] >= 0 and save["y"] + save["height"] <= bar["y"] + bar["height"] <= box["y"]  # Save stays in view above it
    assert box["y"] + box["height"] <= height, "the statement and its choices fit below the bar"
    assert phone.locator("#statement-list").bounding_box()["width"] > 300  # not squeezed beside the buttons
