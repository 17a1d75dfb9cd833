"""A page open while the lead upgrades the codebook: its edits come back carried to the new version."""

from __future__ import annotations

import yaml
from playwright.sync_api import Page, expect

from annotator.auth.service import get_user
from annotator.codebook.upgrade import upgrade_schema
from annotator.projects.service import find_project
from annotator.storage import Database
from tests.browser.people import log_in, open_next_article
from tests.browser.test_labeling import article_id_of, stored_labels
from tests.browser.test_what_is_stored import a_refusal_by_keyboard, saved
from tests.support import ApiClient, Team
from tests.test_codebook import choices, version


def rename_us_russia_talks(db: Database) -> None:
    """The lead moves the project to 2.0.0, where us_russia_talks is called us_russia."""
    with db.session(write=True) as session:
        upgrade_schema(session, find_project(session, "sample"), version(lambda doc: choices(doc, "target")[0].update(id="us_russia")),
                       yaml.safe_dump({"target": {"us_russia_talks": "us_russia"}}), get_user(session, "lena"), apply=True)
        session.commit()


def test_a_save_from_a_page_open_across_an_upgrade_comes_back_carried_over(
    page: Page, server_url: str, api: ApiClient, team: Team, project_id: int, db: Database,
) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    a_refusal_by_keyboard(page)
    rename_us_russia_talks(db)
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("the codebook changed from version 1.0.0 to 2.0.0")
    expect(page.locator("#save-status")).to_contain_text("carried over", timeout=10_000)  # after the reload
    expect(page.locator("#statement-list")).to_contain_text("1. kremlin · refuses · us_russia")
    page.keyboard.press("Control+s")
    saved(page)
    stored = stored_labels(api, team, article_id_of(page))
    assert (stored["schema_version"], stored["statements"][0]["target"]) == ("2.0.0", "us_russia")


def test_a_lead_previews_an_upgrade_on_the_codebook_page_and_applies_it(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    new_version = version(lambda doc: choices(doc, "target")[0].update(id="us_russia"))
    log_in(page, server_url, "lena", team.lena.password)
    page.goto(f"{server_url}/projects/{project_id}")
    page.get_by_role("link", name="Codebook").click()
    page.get_by_label("or its text").first.fill(yaml.safe_dump(new_version.model_dump(mode="json"), sort_keys=False))
    page.get_by_label("or its text").nth(1).fill("target:\n  us_russia_talks: us_russia\n")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-summary")).to_contain_text("0 annotation(s) and 0 gold record(s) carried to 2.0.0")
    expect(page.get_by_role("table", name="What each step touches")).to_contain_text("us_russia_talks")
    page.once("dialog", lambda dialog: dialog.accept())  # "Move sample to 2.0.0? ..."
    page.get_by_role("button", name="Apply: move to 2.0.0").click()
    expect(page.locator(".flash")).to_contain_text("now labels under 2.0.0")
    assert api.as_(team.lena).get(f"/projects/{project_id}/schema").json()["version"] == "2.0.0"
