"""A lead upgrades the codebook on its page while an annotator labels: her edits come back carried to the new version."""

from __future__ import annotations

import yaml
from playwright.sync_api import Browser, Page, expect

from tests.browser.people import log_in, open_next_article
from tests.browser.test_labeling import article_id_of, stored_labels
from tests.browser.test_what_is_stored import a_refusal_by_keyboard, saved
from tests.support import ApiClient, Team
from tests.test_codebook import choices, version


def test_a_lead_applies_an_upgrade_on_the_codebook_page_while_an_annotator_has_the_page_open(
    page: Page, browser: Browser, server_url: str, api: ApiClient, team: Team, project_id: int,
) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    a_refusal_by_keyboard(page)  # not saved yet

    lena = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    log_in(lena, server_url, "lena", team.lena.password)
    lena.goto(f"{server_url}/projects/{project_id}")
    lena.get_by_role("link", name="Codebook").click()
    new_version = version(lambda doc: choices(doc, "target")[0].update(id="us_russia"))
    lena.get_by_label("or its text").first.fill(yaml.safe_dump(new_version.model_dump(mode="json"), sort_keys=False))
    lena.get_by_label("or its text").nth(1).fill("target:\n  us_russia_talks: us_russia\n")
    lena.get_by_role("button", name="Preview").click()
    expect(lena.locator("#preview-summary")).to_contain_text("0 annotation(s) and 0 gold record(s) carried to 2.0.0")
    expect(lena.get_by_role("table", name="What each step touches")).to_contain_text("us_russia_talks")
    lena.once("dialog", lambda dialog: dialog.accept())  # "Move sample to 2.0.0? ..."
    lena.get_by_role("button", name="Apply: move to 2.0.0").click()
    expect(lena.locator(".flash")).to_contain_text("now labels under 2.0.0")
    lena.context.close()

    page.keyboard.press("Control+s")  # ana's edits, made under 1.0.0
    expect(page.locator("#save-status")).to_contain_text("carried over", timeout=10_000)
    expect(page.locator("#statement-list")).to_contain_text("1. kremlin · refuses · us_russia")
    page.keyboard.press("Control+s")
    saved(page)
    stored = stored_labels(api, team, article_id_of(page))
    assert (stored["schema_version"], stored["statements"][0]["target"]) == ("2.0.0", "us_russia")
