"""What people do on the pages: log in, select words with the mouse, tap them with a finger."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

# The screen position of the first and last character of the n-th occurrence of a quote,
# scrolled into view first, clear of the bar at the top and a toolbar at the bottom (a person scrolls
# to what they want to select).
_QUOTE_CORNERS = """([quote, occurrence]) => {
    const node = document.getElementById('article-text').firstChild;
    let start = -1;
    for (let i = 0; i <= occurrence; i++) start = node.textContent.indexOf(quote, start + 1);
    if (start < 0) throw new Error('not in the text: ' + quote);
    const charRect = (at) => { const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + 1); return r.getClientRects()[0]; };
    const first = charRect(start);
    const covered = document.querySelector('.topbar').getBoundingClientRect().bottom + 10;  // a sticky bar on a phone
    if (first.top < Math.max(60, covered) || first.bottom > innerHeight - 180) window.scrollBy(0, first.top - innerHeight / 3);
    const a = charRect(start), b = charRect(start + quote.length - 1);
    return {x1: a.left + 1, y1: (a.top + a.bottom) / 2, x2: b.right - 1, y2: (b.top + b.bottom) / 2};
}"""


def log_in(page: Page, base_url: str, name: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def open_next_article(page: Page) -> None:
    page.get_by_role("button", name="Label next article").click()
    expect(page.locator("body[data-ready=true]")).to_be_attached()


def press(page: Page, *keys: str) -> None:
    """Keys one after another, as fast as a practised annotator types them."""
    for key in keys:
        page.keyboard.press(key)


def quote_corners(page: Page, quote: str, occurrence: int = 0) -> dict[str, Any]:
    return page.evaluate(_QUOTE_CORNERS, [quote, occurrence])


def drag_select(page: Page, quote: str, occurrence: int = 0) -> None:
    """Select words as a mouse user does: press at the first letter, drag to the last, release."""
    at = quote_corners(page, quote, occurrence)
    page.mouse.move(at["x1"], at["y1"])
    page.mouse.down()
    page.mouse.move(at["x2"], at["y2"], steps=6)
    page.mouse.up()
    expect(page.locator("#selection-toolbar")).to_be_visible()


def tap_words(page: Page, quote: str, occurrence: int = 0) -> None:
    """Select words as a phone user does here: tap the first word, then the last."""
    at = quote_corners(page, quote, occurrence)
    page.touchscreen.tap(at["x1"] + 2, at["y1"])
    if (at["x1"], at["y1"]) != (at["x2"], at["y2"]) and " " in quote.strip():
        page.touchscreen.tap(at["x2"] - 2, at["y2"])
    expect(page.locator("#selection-toolbar [data-slot=selected]")).to_have_text(quote if len(quote) <= 40 else quote[:37] + "…")



def choice(page: Page, name: str):  # type: ignore[no-untyped-def]
    """The chip of a choice (stance, target, category), as a person clicks or taps it."""
    radio = page.get_by_role("radio", name=re.compile(rf"^(\d )?{re.escape(name)}$"))
    return radio.locator("xpath=..")
