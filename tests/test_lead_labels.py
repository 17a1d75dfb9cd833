"""A lead labels only when she chooses to, beside the annotators: no slot of theirs, her labels marked."""

from __future__ import annotations

from typing import Any

from tests.support import ApiClient, Team, WebSession, refusal_statement


def label(client: ApiClient, article: dict[str, Any]) -> None:
    response = client.put(
        f"/articles/{article['id']}/annotation",
        json={"base_revision": None, "statements": [refusal_statement(article["text"])]},
    )
    assert response.status_code == 200, response.text


def labeled_by_ana_and_the_lead(api: ApiClient, team: Team, project_id: int) -> tuple[ApiClient, dict[str, Any]]:
    """Ana labels her first article; the lead takes the same one herself and labels it too."""
    ana, lena = api.as_(team.ana), api.as_(team.lena)
    first = ana.next_article(project_id)
    label(ana, first)
    assert (taken := lena.next_article(project_id))["id"] == first["id"]
    label(lena, taken)
    return lena, first


def test_a_leads_next_article_leaves_both_slots_to_annotators(api: ApiClient, team: Team, project_id: int) -> None:
    ana, ben, lena = api.as_(team.ana), api.as_(team.ben), api.as_(team.lena)
    first = ana.next_article(project_id)
    assert lena.next_article(project_id)["id"] == first["id"]  # the article others started
    label(lena, first)
    assert ben.next_article(project_id)["id"] == first["id"]  # the overlap's second slot is still free


def test_a_lead_may_label_an_article_every_slot_of_which_is_taken(api: ApiClient, team: Team, project_id: int) -> None:
    first = api.as_(team.ana).next_article(project_id)
    assert api.as_(team.ben).next_article(project_id)["id"] == first["id"]
    assert api.as_(team.lena).next_article(project_id)["id"] == first["id"]


def test_a_lead_skipping_gives_back_no_annotators_slot(api: ApiClient, team: Team, project_id: int) -> None:
    ana, ben, cleo, lena = (api.as_(m) for m in (team.ana, team.ben, team.cleo, team.lena))
    first = ana.next_article(project_id)
    assert ben.next_article(project_id)["id"] == first["id"]
    assert lena.next_article(project_id)["id"] == first["id"]
    assert lena.post(f"/articles/{first['id']}/skip").status_code == 204
    assert cleo.next_article(project_id)["id"] != first["id"]  # still full: ana and ben hold it


def test_a_leads_labels_are_marked_as_hers(api: ApiClient, team: Team, project_id: int) -> None:
    lena, first = labeled_by_ana_and_the_lead(api, team, project_id)
    annotations = lena.get(f"/articles/{first['id']}/annotations").json()["annotations"]
    assert {a["annotator"]: a["by_lead"] for a in annotations} == {"ana": False, "lena": True}
    comparison = lena.get(f"/articles/{first['id']}/comparison").json()
    assert {v["annotator"]: v["by_lead"] for v in comparison["versions"]} == {"ana": False, "lena": True}


def test_agreement_leaves_a_leads_labels_out(api: ApiClient, team: Team, project_id: int) -> None:
    lena, first = labeled_by_ana_and_the_lead(api, team, project_id)
    report = lena.get(f"/projects/{project_id}/agreement").json()
    assert report["annotators"] == ["ana"]


def test_a_leads_agreeing_labels_do_not_complete_the_overlap(api: ApiClient, team: Team, project_id: int) -> None:
    lena, first = labeled_by_ana_and_the_lead(api, team, project_id)
    result = lena.post(f"/projects/{project_id}/gold/accept-unanimous").json()
    assert (result["accepted"], result["incomplete"]) == (0, 1)


def test_the_project_list_offers_a_lead_to_label_herself_not_to_take_the_next_slot(web: WebSession, team: Team, project_id: int) -> None:
    web.log_in(team.lena)
    page = web.get("/").text
    assert "Label an article yourself" in page
    assert "Label next article" not in page
    web.log_in(team.ana)
    assert "Label next article" in web.get("/").text
