"""Article text, titles and labels holding HTML or script are shown as text: nothing runs."""

from __future__ import annotations

import io
import json

from playwright.sync_api import Page, expect

from annotator.ingest.readers import read_jsonl
from annotator.ingest.store import import_records
from annotator.storage import Database
from tests.browser.people import log_in
from tests.support import ApiClient, Team

HOSTILE = '<script>window.pwned = "script"</script><img src=x onerror="window.pwned = \'img\'"><b onmouseover=alert(1)>bold</b>'


def test_hostile_text_title_and_labels_run_nothing(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int, db: Database) -> None:
    with db.session(write=True) as session:
        record = json.dumps({"title": HOSTILE, "text": f"{HOSTILE}\n\nPutin said talks are off. {HOSTILE}"})
        [article_id] = import_records(session, project_id, read_jsonl("hostile.jsonl", io.BytesIO(record.encode()))).article_ids
    lead = api.as_(team.lena)
    saved = lead.put(f"/articles/{article_id}/annotation", json={
        "base_revision": None, "statements": [], "article": {"relevant": True, "outlet": None, "note": HOSTILE}})
    assert saved.status_code == 200
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, server_url, "lena", team.lena.password)
    for path in (f"/articles/{article_id}/annotate", f"/articles/{article_id}/adjudicate",
                 f"/projects/{project_id}", f"/projects/{project_id}/agreement"):
        page.goto(server_url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => window.pwned") is None, path
    page.goto(f"{server_url}/articles/{article_id}/annotate")
    expect(page.locator("#article-text")).to_contain_text("<script>window.pwned")
    expect(page.locator("#article-note")).to_have_value(HOSTILE)
    assert page.locator("#article-text img, #article-text b, #article-text script").count() == 0
    assert dialogs == []
