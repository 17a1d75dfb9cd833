"""Annotator quality in the browser: a new annotator's training round with feedback, and the lead's
Team page, where setting an annotator aside changes the agreement page and the export."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.people import log_in, open_next_article
from tests.support import ApiClient, Team
from tests.test_adjudication import labeled  # noqa: F401 - the shared fixture
from tests.test_export import gold  # noqa: F401 - the shared fixture: both labeled articles have gold


def _third_article_labeled_apart(api: ApiClient, team: Team, project_id: int) -> dict[str, Any]:
    """Ana and Ben both label a third article, and differ on whether it is relevant: no gold for it yet."""
    article = api.as_(team.ana).next_article(project_id)
    assert article is not None and api.as_(team.ben).next_article(project_id)["id"] == article["id"]
    for member, relevant in ((team.ana, True), (team.ben, False)):
        saved = api.as_(member).put(f"/articles/{article['id']}/annotation", json={
            "base_revision": None, "statements": [], "article": {"relevant": relevant, "outlet": None, "note": ""}})
        assert saved.status_code == 200, saved.text
    return article


def _exported_annotators(api: ApiClient, team: Team, project_id: int, article_id: int) -> list[str]:
    response = api.as_(team.lena).get(f"/projects/{project_id}/export", params={"include_unadjudicated": "true"})
    assert response.status_code == 200, response.text
    import json

    [record] = [r for r in map(json.loads, response.text.splitlines()) if r["id"] == article_id]
    return record["provenance"]["annotators"]


def test_a_new_annotator_passes_a_training_round_with_feedback(page: Page, server_url: str, team: Team, gold, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    lead = page.context.browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    log_in(lead, server_url, "lena", team.lena.password)
    lead.goto(f"{server_url}/projects/{project_id}/team")
    lead.get_by_role("combobox").select_option("training")  # the gold articles, all of them (no count)
    lead.get_by_role("button", name="Add").click()
    expect(lead.locator(".flash")).to_have_text("Added 2 training item(s).")
    lead.get_by_label("Training articles a new annotator labels first").fill("1")
    lead.get_by_label("Threshold").fill("0.1")  # an empty answer gets the article fields right: 1 unit in 7 or more
    lead.get_by_role("button", name="Save").click()
    expect(lead.locator(".flash")).to_have_text("Quality settings saved.")
    lead.context.close()

    log_in(page, server_url, "cleo", team.cleo.password)
    open_next_article(page)
    expect(page.get_by_role("heading", name="Training article 1 of 1")).to_be_visible()
    expect(page.locator("#training-result")).to_be_hidden()  # the known answer is not in the page before the save
    page.keyboard.press("Control+Enter")  # save & next: a trainee reads the feedback first
    expect(page.locator("#training-score")).to_contain_text("% of your answer matches the known answer")
    expect(page.locator("#training-score")).to_contain_text("You have passed the training round")
    rows = page.locator("#training-lines tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("#training-lines")).to_contain_text("not named")
    page.get_by_role("button", name="Next article").click()
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    expect(page.locator("#training-feedback")).to_have_count(0)  # real work now
    expect(page.locator(".article-nav .project")).to_have_text("sample")


def test_setting_an_annotator_aside_on_the_team_page_changes_agreement_and_export(page: Page, server_url: str, api: ApiClient, team: Team, gold, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    third = _third_article_labeled_apart(api, team, project_id)
    assert _exported_annotators(api, team, project_id, third["id"]) == ["ana", "ben"]
    log_in(page, server_url, "lena", team.lena.password)
    page.goto(f"{server_url}/projects/{project_id}/agreement")
    expect(page.locator("main")).to_contain_text("2 annotators")

    page.goto(f"{server_url}/projects/{project_id}/team")
    ben = page.locator("tr[data-annotator=ben]")
    expect(ben).to_contain_text("none")  # no flags yet
    page.once("dialog", lambda dialog: dialog.accept())
    ben.get_by_role("button", name="Set aside").click()
    expect(page.locator(".flash")).to_contain_text("ben set aside")
    expect(page.locator("tr[data-annotator=ben]")).to_contain_text("set aside: their labels are out of agreement")

    page.goto(f"{server_url}/projects/{project_id}/agreement")
    expect(page.locator("main")).to_contain_text("1 annotators")
    assert _exported_annotators(api, team, project_id, third["id"]) == ["ana"]

    page.goto(f"{server_url}/projects/{project_id}/team")
    page.locator("tr[data-annotator=ben]").get_by_role("button", name="Restore").click()
    expect(page.locator(".flash")).to_contain_text("ben restored")
    assert _exported_annotators(api, team, project_id, third["id"]) == ["ana", "ben"]
