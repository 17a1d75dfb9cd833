"""The README's screenshots, taken from a fresh demo in Debian's chromium.

    python -m docs.screenshots

Builds the demo in a temporary folder (it ships two annotators' labels, gold where
they agree and a model's predictions), serves it on 127.0.0.1, then walks the
pages as the README describes and writes docs/images/*.png.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from annotator.app import create_app
from annotator.demo.setup import DEMO_USERS, build_demo
from annotator.settings import Settings
from annotator.storage import Database
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path
from tests.browser.people import drag_select, log_in, press, tap_words

IMAGES = Path(__file__).parent / "images"
PASSWORDS = {user.name: user.password for user in DEMO_USERS}


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{Path(folder) / 'demo.db'}", secret_key="docs")
        db = Database(settings.resolved_database_url())
        project_id = build_demo(db)
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
            log_in(phone, base, "ana", PASSWORDS["ana"])
            phone.get_by_role("button", name="Label next article").tap()
            phone.wait_for_selector("body[data-ready=true]", state="attached")
            tap_words(phone, "Kremlin spokesman Dmitry Peskov")
            phone.screenshot(path=IMAGES / "phone.png")

            lead = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            log_in(lead, base, "lena", PASSWORDS["lena"])
            lead.get_by_role("link", name="Articles and progress").click()
            lead.screenshot(path=IMAGES / "project.png")
            lead.get_by_role("link", name="Kremlin says no groundwork yet for a Putin-Zelensky meeting").click()
            lead.wait_for_selector("body[data-ready=true]", state="attached")
            lead.screenshot(path=IMAGES / "adjudication.png")
            lead.goto(f"{base}/projects/{project_id}/agreement")
            lead.screenshot(path=IMAGES / "agreement.png")
            lead.goto(f"{base}/projects/{project_id}/models")
            lead.get_by_role("link", name="demo-baseline@1").click()
            lead.screenshot(path=IMAGES / "models.png")
            browser.close()
        server.shutdown()
    for image in sorted(IMAGES.glob("*.png")):
        print(f"wrote {image} ({image.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
