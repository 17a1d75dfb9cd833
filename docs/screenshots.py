"""The README's screenshots, taken from a fresh demo in Debian's chromium.

    python -m docs.screenshots

Builds the demo in a temporary folder, serves it on 127.0.0.1, lets two demo
annotators label four articles over the API (one of them a 1:1 tie), then walks
the pages as the README describes and writes docs/images/*.png.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from annotator.app import create_app
from annotator.auth.service import create_token, get_user
from annotator.demo.setup import DEMO_USERS, build_demo
from annotator.settings import Settings
from annotator.storage import Database
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path
from tests.browser.people import drag_select, log_in, press, tap_words
from tests.support import refusal_statement, statement_on

IMAGES = Path(__file__).parent / "images"
PASSWORDS = {user.name: user.password for user in DEMO_USERS}


def label_some_articles(base: str, tokens: dict[str, str], project_id: int) -> None:
    """Ana and Ben label the first two articles: they agree on the first and split on the second."""
    clients = {}
    for name, token in tokens.items():
        clients[name] = requests.Session()
        clients[name].headers["Authorization"] = f"Bearer {token}"
    for stances in (("conditional", "conditional"), ("refuses", "conditional")):
        for name, stance in zip(("ana", "ben"), stances, strict=True):
            article = clients[name].post(f"{base}/api/v1/projects/{project_id}/next", timeout=30).json()["article"]
            if article["title"].startswith("Kremlin"):
                statement = refusal_statement(article["text"])
            else:
                statement = statement_on(article["text"], "psaki", "Jen Psaki", "leaders_meeting", stance,
                                         "a meeting between President Joe Biden and President Vladimir Putin was off the table")
                if stance == "conditional":
                    statement["preconditions"] = [{"category": "troop_withdrawal", "span": {
                        "start": article["text"].index("withdraws its troops"),
                        "end": article["text"].index("withdraws its troops") + len("withdraws its troops"),
                        "text": "withdraws its troops"}}]
            body = {"base_revision": None, "statements": [statement], "article": {"relevant": True, "outlet": None}}
            clients[name].put(f"{base}/api/v1/articles/{article['id']}/annotation", json=body, timeout=30).raise_for_status()


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{Path(folder) / 'demo.db'}", secret_key="docs")
        db = Database(settings.resolved_database_url())
        project_id = build_demo(db)
        with db.session(write=True) as session:
            tokens = {name: create_token(session, get_user(session, name)) for name in ("ana", "ben")}
            session.commit()
        server = make_server("127.0.0.1", 0, create_app(settings, db), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            laptop = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            log_in(laptop, base, "ana", PASSWORDS["ana"])
            laptop.get_by_role("button", name="Label next article").click()
            laptop.wait_for_selector("body[data-ready=true]", state="attached")
            laptop.keyboard.press("n")
            drag_select(laptop, "Kremlin spokesman Dmitry Peskov")
            press(laptop, "a", "2", "t", "3")
            drag_select(laptop, "a substantive agenda on paper")
            press(laptop, "p", "g", "2")
            drag_select(laptop, "Until the delegations have a substantive agenda on paper")
            laptop.screenshot(path=IMAGES / "labeling.png")

            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
            log_in(phone, base, "ben", PASSWORDS["ben"])
            phone.get_by_role("button", name="Label next article").tap()
            phone.wait_for_selector("body[data-ready=true]", state="attached")
            tap_words(phone, "Kremlin spokesman Dmitry Peskov")
            phone.screenshot(path=IMAGES / "phone.png")

            label_some_articles(base, tokens, project_id)
            lead = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            log_in(lead, base, "lena", PASSWORDS["lena"])
            lead.get_by_role("link", name="Articles and progress").click()
            lead.screenshot(path=IMAGES / "project.png")
            lead.get_by_role("link", name="White House keeps the door open").click()
            lead.wait_for_selector("body[data-ready=true]", state="attached")
            lead.screenshot(path=IMAGES / "adjudication.png")
            lead.goto(f"{base}/projects/{project_id}/agreement")
            lead.screenshot(path=IMAGES / "agreement.png")
            browser.close()
        server.shutdown()
    for image in sorted(IMAGES.glob("*.png")):
        print(f"wrote {image} ({image.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
