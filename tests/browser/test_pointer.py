"""Labeling without a keyboard: a whole statement with the mouse, and with a finger on a phone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.people import choice, drag_select, log_in, open_next_article, tap_words
from tests.support import ApiClient, Team


def saved_statements(api: ApiClient, team: Team, page: Page) -> list[dict[str, Any]]:
    article_id = page.url.rsplit("/", 2)[-2]
    return api.as_(team.ana).get(f"/articles/{article_id}/annotation").json()["statements"]


def expect_peskov_statement(statement: dict[str, Any]) -> None:
    assert statement["actor"] == {"id": "peskov", "span": statement["actor"]["span"]}
    assert statement["actor"]["span"]["text"] == "Kremlin spokesman Dmitry Peskov"
    assert (statement["stance"], statement["target"]) == ("conditional", "leaders_meeting")
    assert [(p["category"], p["span"]["text"]) for p in statement["preconditions"]] == [("substantive_agenda", "a substantive agenda on paper")]
    assert statement["source_outlet"]["id"] == "tass"
    assert statement["evidence"]["text"] == "Until the delegations have a substantive agenda on paper"


def test_a_whole_statement_is_labeled_with_the_mouse_alone(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    toolbar = page.locator("#selection-toolbar")

    drag_select(page, "Kremlin spokesman Dmitry Peskov")
    toolbar.get_by_role("button", name="Actor").click()
    expect(toolbar).to_be_hidden()
    choice(page, "Conditional").click()
    choice(page, "Leaders' meeting").click()
    drag_select(page, "a substantive agenda on paper")
    toolbar.get_by_role("button", name="Precondition").click()
    choice(page, "Substantive agenda").click()
    drag_select(page, "Tass news agency")
    toolbar.get_by_role("button", name="Outlet").click()
    drag_select(page, "Until the delegations have a substantive agenda on paper")
    toolbar.get_by_role("button", name="Evidence").click()

    page.locator(".suggestion", has_text="Andriy Yermak").click()  # a second statement, from a suggestion
    expect(page.locator("#statement-list")).to_contain_text("2. yermak")
    page.get_by_role("button", name="Delete statement").click()
    page.locator("#statement-list").get_by_role("button", name="1. peskov").click()
    expect(page.get_by_label("Actor", exact=True)).to_have_value("peskov")
    page.get_by_role("button", name="Save", exact=False).first.click()
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")

    [statement] = saved_statements(api, team, page)
    expect_peskov_statement(statement)


def test_a_whole_statement_is_labeled_by_touch_on_a_phone(phone: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    page = phone
    log_in(page, server_url, "ana", team.ana.password)
    page.get_by_role("button", name="Label next article").tap()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    toolbar = page.locator("#selection-toolbar")

    tap_words(page, "Kremlin spokesman Dmitry Peskov")
    toolbar.get_by_role("button", name="Actor").tap()
    tap_words(page, "a substantive agenda on paper")
    toolbar.get_by_role("button", name="Precondition").tap()
    tap_words(page, "Tass news agency")
    toolbar.get_by_role("button", name="Outlet").tap()
    tap_words(page, "Until the delegations have a substantive agenda on paper")
    toolbar.get_by_role("button", name="Evidence").tap()
    choice(page, "Conditional").tap()
    choice(page, "Leaders' meeting").tap()
    choice(page, "Substantive agenda").tap()
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator("#save-status")).to_contain_text("Saved (revision")

    [statement] = saved_statements(api, team, page)
    expect_peskov_statement(statement)
    no_sideways_scroll = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways_scroll
