"""The labeling page in chromium: blind, keyboard-first, accessible, light, fast on long articles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from annotator.ingest.readers import read_jsonl
from annotator.ingest.store import import_records
from annotator.storage import Database
from tests.browser.people import drag_select, log_in
from tests.support import ApiClient, Team, refusal_statement
from tests.test_export import gold  # noqa: F401 - shared fixtures
from tests.test_adjudication import labeled  # noqa: F401

PAGE_BUDGET_BYTES = 150 * 1024


def open_next_article(page: Page, server_url: str) -> None:
    page.get_by_role("button", name="Label next article").click()
    expect(page.locator("body[data-ready=true]")).to_be_attached()


def test_a_second_annotator_does_not_see_the_first_ones_labels(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    article = api.next_article(project_id)
    api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [refusal_statement(article["text"])]})
    log_in(page, server_url, "ben", team.ben.password)
    open_next_article(page, server_url)
    expect(page.locator("#article-text")).to_contain_text("Kremlin says no groundwork yet")
    expect(page.locator("#statement-list li")).to_have_count(0)


def test_the_target_list_changes_only_by_its_own_keys(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page, server_url)
    page.keyboard.press("n")
    page.keyboard.press("t")
    expect(page.get_by_role("radio", name="US-Russia talks")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#article-text")).to_be_focused()
    page.keyboard.press("o")  # with nothing selected: no outlet, and the target stays
    page.keyboard.press("l")
    expect(page.get_by_role("radio", name="Russia-Ukraine talks")).to_be_checked()
    expect(page.locator("#statement-list")).to_contain_text("russia_ukraine_talks")


def test_the_help_overlay_opens_with_question_mark_and_closes_with_escape(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page, server_url)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()


def test_unsaved_edits_come_back_after_closing_the_tab(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page, server_url)
    url = page.url
    page.keyboard.press("n")
    page.keyboard.press("3")
    expect(page.locator("#statement-list")).to_contain_text("? · refuses")
    second = page.context.new_page()
    page.close()
    second.goto(url)
    expect(second.locator("#save-status")).to_contain_text("Restored unsaved edits")
    expect(second.locator("#statement-list")).to_contain_text("? · refuses")


def test_leaving_with_unsaved_edits_asks_first(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page, server_url)
    page.keyboard.press("n")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]


def test_every_control_has_an_accessible_name_and_focus_is_visible(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page, server_url)
    page.keyboard.press("n")
    nameless = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea, a[href]')]
            .filter(el => el.getClientRects().length && el.type !== 'hidden')
            .filter(el => {
                const byLabel = el.labels && [...el.labels].some(l => l.textContent.trim());
                const byAria = (el.getAttribute('aria-label') || '').trim()
                    || (el.getAttribute('aria-labelledby') || '').split(' ').some(id => document.getElementById(id)?.textContent.trim());
                const byText = ['BUTTON', 'A'].includes(el.tagName) && el.textContent.trim();
                return !(byLabel || byAria || byText || el.title);
            })
            .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert nameless == []
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


# What the page loaded: the HTML, then every stylesheet and script (modules included), each
# fetched again to count its bytes uncompressed (a cached file reports no size). API calls are data.
PAGE_WEIGHT = """async () => {
    const files = performance.getEntriesByType('resource')
        .filter(r => !['fetch', 'xmlhttprequest'].includes(r.initiatorType)).map(r => r.name);
    const parts = [location.href, ...new Set(files)];
    let bytes = 0;
    for (const url of parts) bytes += (await (await fetch(url, {cache: 'no-store'})).arrayBuffer()).byteLength;
    return {parts: parts.map(url => new URL(url).pathname), fetched: files.length, bytes};
}"""


def test_the_page_asks_no_other_host_and_weighs_under_150_kb(page: Page, server_url: str, team: Team, project_id: int) -> None:
    hosts: set[str | None] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page, server_url)
    page.wait_for_load_state("networkidle")
    assert hosts == {"127.0.0.1"}
    weight = page.evaluate(PAGE_WEIGHT)
    files = weight["parts"][1:]
    assert weight["fetched"] == len(files), "no file is fetched twice"
    assert any(re.fullmatch(r"/static/v/\w+/app\.css", f) for f in files)
    assert any(re.fullmatch(r"/static/v/\w+/labeling/annotate\.js", f) for f in files)
    assert weight["bytes"] < PAGE_BUDGET_BYTES, f"HTML, CSS and JavaScript weigh {weight['bytes']} bytes"


def test_marking_a_span_in_a_20000_word_article_leaves_the_text_untouched(page: Page, server_url: str, team: Team, project_id: int, db: Database) -> None:
    words = " ".join(f"word{i % 97}" for i in range(20_000))
    text = f"A very long report\n\nPutin said talks were off. {words} The end."
    import io
    import json

    with db.session(write=True) as session:
        [article_id] = import_records(session, project_id, read_jsonl("long.jsonl", io.BytesIO(json.dumps({"text": text}).encode()))).article_ids
    log_in(page, server_url, "lena", team.lena.password)
    page.goto(f"{server_url}/articles/{article_id}/annotate")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.evaluate("() => { window.originalText = document.getElementById('article-text').firstChild; }")
    drag_select(page, "Putin said talks were off.")
    page.keyboard.press("e")
    expect(page.locator('[data-span="evidence"] q')).to_have_text("Putin said talks were off.")
    untouched = page.evaluate(
        """() => { const box = document.getElementById('article-text');
                   return box.childNodes.length === 1 && box.firstChild === window.originalText
                          && CSS.highlights.get('evidence-current').size === 1; }"""
    )
    assert untouched


def test_a_lead_downloads_an_export(page: Page, server_url: str, team: Team, gold: dict[str, Any], project_id: int, tmp_path: Path) -> None:  # noqa: F811
    log_in(page, server_url, "lena", team.lena.password)
    page.goto(f"{server_url}/projects/{project_id}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="statements JSONL").click()
    saved = tmp_path / "statements.jsonl"
    download_info.value.save_as(saved)
    assert len(saved.read_text().splitlines()) == 2
    assert re.fullmatch(r"sample-statements-\d{8}-\d{6}\.jsonl", download_info.value.suggested_filename)


STATIC_FETCHED = """() => performance.getEntriesByType('resource')
    .filter(r => new URL(r.name).pathname.startsWith('/static/') && r.transferSize > 0).map(r => r.name)"""


def test_a_second_article_loads_no_script_or_style_again(page: Page, server_url: str, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page, server_url)
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Control+Enter")  # unchanged: on to the next article
    page.wait_for_url(lambda url: "/articles/2/" in url)
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(STATIC_FETCHED) == []
