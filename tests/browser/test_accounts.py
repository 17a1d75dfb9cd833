"""A lead manages people from the pages; a leaver's open tab is logged out on its next request."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.people import drag_select, log_in, open_next_article, press
from tests.support import ApiClient, Team, TeamMember


def test_a_lead_adds_a_member_from_the_members_page(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int, schema) -> None:  # type: ignore[no-untyped-def]
    second = api.as_(team.lena).post("/projects", json={"name": "second", "label_schema": schema.model_dump(mode="json")}).json()
    assert api.post(f"/projects/{second['id']}/next").status_code == 403  # Ana is no member yet

    log_in(page, server_url, "lena", team.lena.password)
    page.goto(f"{server_url}/projects/{second['id']}")
    page.get_by_role("link", name="Members").click()
    page.get_by_role("combobox", name="Person").select_option("ana")
    page.get_by_role("combobox", name="Role", exact=True).select_option("annotator")
    page.get_by_role("button", name="Add member").click()

    expect(page.get_by_role("status")).to_contain_text("ana is a annotator of second")
    expect(page.locator("tr[data-member=ana]")).to_contain_text("active")
    assert api.post(f"/projects/{second['id']}/next").status_code == 200


def test_a_lead_revokes_an_annotators_token_from_the_users_page(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    assert api.get("/projects").status_code == 200
    hint = team.ana.token[:8]
    log_in(page, server_url, "lena", team.lena.password)
    page.get_by_role("link", name="Users").click()
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name=f"Revoke token {hint} of ana").click()
    assert asked == [f"Revoke token {hint}… of ana? Requests carrying it are refused from now on."]
    assert api.get("/projects").status_code == 200  # not confirmed: nothing happened

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Revoke token {hint} of ana").click()
    expect(page.get_by_role("status")).to_contain_text(f"Token {hint}… of ana revoked.")
    expect(page.get_by_role("button", name=f"Revoke token {hint} of ana")).to_have_count(0)
    assert api.get("/projects").status_code == 401


def test_a_new_token_is_shown_once_on_the_account_page(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    page.get_by_role("link", name="ana annotator").click()
    page.get_by_label("What it is for").fill("notebook")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("[data-secret]").inner_text()
    assert secret.startswith("ann_")
    assert ApiClient(server_url, TeamMember("ana", "", secret)).get("/projects").status_code == 200
    page.goto(f"{server_url}/account")  # seen again later: listed by its first characters only
    expect(page.locator("[data-secret]")).to_have_count(0)
    expect(page.locator("table.tokens")).to_contain_text(secret[:8])
    assert secret not in page.content()


def test_a_disabled_users_open_tab_is_logged_out_on_its_next_request(page: Page, server_url: str, api: ApiClient, team: Team, project_id: int) -> None:
    log_in(page, server_url, "ana", team.ana.password)
    open_next_article(page)
    drag_select(page, "Dmitry Peskov")
    press(page, "a")  # an unsaved edit, kept as a draft in the browser

    assert api.as_(team.lena).post("/users/ana/disable").status_code == 200
    press(page, "Control+s")

    expect(page).to_have_url(f"{server_url}/login?ended=1&next=%2Farticles%2F1%2Fannotate")
    expect(page.get_by_role("alert")).to_contain_text("Your session has ended")
    kept = page.evaluate("Object.keys(localStorage).filter(key => key.startsWith('annotator:draft:'))")
    assert kept == ["annotator:draft:/api/v1/articles/1/annotation"]
