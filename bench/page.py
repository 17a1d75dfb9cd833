"""Weight of the labeling page and time until it is ready to label, in headless chromium.

    python -m bench.page [--words 5000] [--repeat 5]

Serves a demo database with one extra article of N words on 127.0.0.1, opens
its labeling page in Debian's chromium (through Playwright) and reports the
bytes of HTML, CSS and JavaScript and the time from navigation start to the
moment the page can be labeled (the script's `annotator-ready` mark).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from annotator.annotate.assignment import assign_articles
from annotator.app import create_app
from annotator.auth.service import get_user
from annotator.demo.setup import DEMO_USERS, build_demo
from annotator.ingest.readers import read_jsonl
from annotator.ingest.store import import_records
from annotator.projects.service import find_project
from annotator.settings import Settings
from annotator.storage import Database
from bench.workload import WORDS
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path
from tests.browser.test_page_quality import PAGE_WEIGHT


def long_article(words: int) -> str:
    rng = random.Random(5)
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 25))).capitalize() + ".")
    return "Putin and Biden: talks on hold\n\n" + " ".join(sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url=f"sqlite:///{Path(folder) / 'bench.db'}", secret_key="bench")
        db = Database(settings.resolved_database_url())
        project_id = build_demo(db)
        text = long_article(args.words)
        annotator = next(u for u in DEMO_USERS if u.role == "annotator")
        with db.session(write=True) as session:
            [article_id] = import_records(session, project_id, read_jsonl("long", io.BytesIO(json.dumps({"text": text}).encode()))).article_ids
            # The long article is the annotator's to label, so the page is the labeling page.
            assign_articles(session, find_project(session, project_id), [article_id], [get_user(session, annotator.name)])
            session.commit()
        server = make_server("127.0.0.1", 0, create_app(settings, db), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=name]", annotator.name)
            page.fill("input[name=password]", annotator.password)
            page.click("button[type=submit]")
            ready_ms = []
            for _ in range(args.repeat):
                page.goto(f"{base}/articles/{article_id}/annotate")
                page.wait_for_selector("body[data-ready=true]", state="attached")
                ready_ms.append(page.evaluate("() => performance.getEntriesByName('annotator-ready')[0].startTime"))
            weight = page.evaluate(PAGE_WEIGHT)
            browser.close()
        server.shutdown()
        print(f"article: {len(text.split())} words, {len(text.encode()) / 1024:.0f} KB")
        print(f"labeling page weight (HTML + CSS + JS, uncompressed): {weight['bytes'] / 1024:.1f} KB in {len(weight['parts'])} files (budget 150 KB)")
        print(f"ready to label after navigation start, median of {args.repeat}: {statistics.median(ready_ms):.0f} ms "
              f"(min {min(ready_ms):.0f}, max {max(ready_ms):.0f})")


if __name__ == "__main__":
    main()
