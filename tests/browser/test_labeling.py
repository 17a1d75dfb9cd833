"""An annotator labels an article in a real browser, using the keyboard."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support import Team


def log_in(page: Page, base_url: str, name: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def select_text(page: Page, quote: str) -> None:
    page.evaluate(
        """quote => {
            const node = document.getElementById('article-text').firstChild;
            const start = node.textContent.indexOf(quote);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + quote.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        quote,
    )


def test_annotator_labels_an_article_by_keyboard_and_finds_it_after_reload(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    page.get_by_role("button", name="Label next article").click()
    expect(page.locator("#article-text")).to_contain_text("Kremlin says no groundwork yet")

    first_suggestion = page.locator(".suggestion.first")
    for _ in range(10):  # dismiss the names before Peskov's
        if "Kremlin spokesman Dmitry Peskov" in first_suggestion.inner_text():
            break
        page.keyboard.press("x")
    page.keyboard.press("y")
    select_text(page, "substantive agenda on paper")
    page.keyboard.press("p")
    page.get_by_label("Category").select_option("substantive_agenda")
    page.keyboard.press("Escape")
    select_text(page, "Until the delegations have a substantive agenda on paper")
    page.keyboard.press("e")
    page.keyboard.press("2")
    page.keyboard.press("t")
    page.get_by_label("Target").select_option("leaders_meeting")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")
    expect(page.locator("#progress")).to_have_text("1 of 8 done")

    page.reload()
    expect(page.locator("#statement-list")).to_contain_text("peskov · conditional · leaders_meeting · 1 precondition(s)")
    expect(page.get_by_label("Actor")).to_have_value("peskov")
    expect(page.locator('[data-span="evidence"] q')).to_have_text("Until the delegations have a substantive agenda on paper")
