"""Adjudication: side-by-side comparison, gold with provenance, unanimous bulk acceptance."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import ApiClient, Team, WebSession, refusal_statement, statement_on


def label(client: ApiClient, article: dict[str, Any], statements: list[dict[str, Any]]) -> int:
    response = client.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": statements})
    assert response.status_code == 200, response.text
    return response.json()["revision"]


@pytest.fixture
def labeled(api: ApiClient, team: Team, project_id: int) -> dict[str, Any]:
    """Ana and Ben agree on article 1 and disagree on article 2."""
    ana, ben = api.as_(team.ana), api.as_(team.ben)
    first = ana.next_article(project_id)
    revisions = {"ana1": label(ana, first, [refusal_statement(first["text"])])}
    second = ana.next_article(project_id)
    assert ben.next_article(project_id)["id"] == first["id"]
    revisions["ben1"] = label(ben, first, [refusal_statement(first["text"])])
    psaki = lambda stance: statement_on(  # noqa: E731
        second["text"], "psaki", "Jen Psaki", "leaders_meeting", stance,
        "a meeting between President Joe Biden and President Vladimir Putin was off the table",
    )
    revisions["ana2"] = label(ana, second, [psaki("refuses")])
    assert ben.next_article(project_id)["id"] == second["id"]
    revisions["ben2"] = label(ben, second, [psaki("conditional") | {"preconditions": [
        {"category": "troop_withdrawal", "span": {**_span(second["text"], "withdraws its troops")}}]}])
    return {"first": first, "second": second, "revisions": revisions}


def _span(text: str, quote: str) -> dict[str, Any]:
    start = text.index(quote)
    return {"start": start, "end": start + len(quote), "text": quote}


def test_comparison_aligns_statements_and_names_what_differs(api: ApiClient, team: Team, labeled) -> None:  # type: ignore[no-untyped-def]
    comparison = api.as_(team.lena).get(f"/articles/{labeled['second']['id']}/comparison").json()
    [row] = comparison["rows"]
    assert (row["actor"], row["target"]) == ("psaki", "leaders_meeting")
    assert row["differs"] == ["stance", "preconditions"]
    assert set(row["statements"]) == {"ana", "ben"}
    assert comparison["unanimous"] is False


def test_unanimous_articles_become_gold_in_bulk_with_provenance(api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def]
    lead = api.as_(team.lena)
    result = lead.post(f"/projects/{project_id}/gold/accept-unanimous").json()
    assert result == {"accepted": 1, "already_gold": 0, "not_unanimous": 1, "incomplete": 0}
    gold = lead.get(f"/articles/{labeled['first']['id']}/gold").json()
    assert (gold["method"], gold["adjudicator"]) == ("unanimous", "lena")
    assert sorted(gold["source_revision_ids"]) == sorted([labeled["revisions"]["ana1"], labeled["revisions"]["ben1"]])
    assert gold["statements"] == [refusal_statement(labeled["first"]["text"])]
    assert lead.get(f"/articles/{labeled['second']['id']}/gold").json()["revision"] is None


def test_accepting_unanimous_twice_adds_nothing(api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def]
    lead = api.as_(team.lena)
    lead.post(f"/projects/{project_id}/gold/accept-unanimous")
    again = lead.post(f"/projects/{project_id}/gold/accept-unanimous").json()
    assert (again["accepted"], again["already_gold"]) == (0, 1)


def test_gold_method_is_derived_from_what_the_lead_saves(api: ApiClient, team: Team, labeled) -> None:  # type: ignore[no-untyped-def]
    lead = api.as_(team.lena)
    article = labeled["second"]
    comparison = lead.get(f"/articles/{article['id']}/comparison").json()
    ana_version = comparison["rows"][0]["statements"]["ana"]
    saved = lead.put(f"/articles/{article['id']}/gold", json={"base_revision": None, "statements": [ana_version]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["method"] == "adjudicated"  # two annotators, no majority: a lead's decision
    edited = {**ana_version, "stance": "noncommittal"}
    second = lead.put(f"/articles/{article['id']}/gold", json={"base_revision": saved.json()["revision"], "statements": [edited]})
    assert second.json()["method"] == "adjudicated"


def test_a_stale_gold_save_gets_409_and_both_versions_stay(api: ApiClient, team: Team, labeled, db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from annotator.storage.tables import GoldRevision

    lead = api.as_(team.lena)
    article = labeled["first"]
    statement = refusal_statement(article["text"])
    first = lead.put(f"/articles/{article['id']}/gold", json={"base_revision": None, "statements": [statement]}).json()
    lead.put(f"/articles/{article['id']}/gold", json={"base_revision": first["revision"], "statements": []})
    stale = lead.put(f"/articles/{article['id']}/gold", json={"base_revision": first["revision"], "statements": [statement]})
    assert stale.status_code == 409
    assert stale.json()["error"] == "stale_revision"
    with db.session() as session:
        assert session.scalar(select(func.count(GoldRevision.id))) == 2


def test_invalid_gold_is_refused_naming_the_field(api: ApiClient, team: Team, labeled) -> None:  # type: ignore[no-untyped-def]
    article = labeled["first"]
    bad = {**refusal_statement(article["text"]), "stance": "furious"}
    response = api.as_(team.lena).put(f"/articles/{article['id']}/gold", json={"base_revision": None, "statements": [bad]})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "statements.0.stance"


def test_annotators_cannot_see_comparisons_or_gold(api: ApiClient, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def]
    article = labeled["first"]
    assert api.get(f"/articles/{article['id']}/comparison").status_code == 403
    assert api.get(f"/articles/{article['id']}/gold").status_code == 403
    assert api.post(f"/projects/{project_id}/gold/accept-unanimous").status_code == 403


def test_a_pipeline_accepts_unanimous_articles_from_the_command_line(db, api: ApiClient, team: Team, labeled) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    from click.testing import CliRunner

    from annotator.cli import main

    run = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke
    refused = run(main, ["gold", "accept-unanimous", "sample", "--by", "ana"])
    assert refused.exit_code == 1 and "gold is settled by a lead" in refused.output
    accepted = run(main, ["gold", "accept-unanimous", "sample"])  # lena is the only lead
    assert accepted.exit_code == 0, accepted.output
    assert "1 unanimous article(s) accepted as gold; 1 need adjudication" in accepted.output
    gold = api.as_(team.lena).get(f"/articles/{labeled['first']['id']}/gold").json()
    assert (gold["method"], gold["adjudicator"]) == ("unanimous", "lena")


@pytest.fixture
def trio(api: ApiClient, team: Team, schema) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A project asking three annotators an article, with one article that Ana and Ben have labeled alike."""
    lead = api.as_(team.lena)
    project = lead.post("/projects", json={"name": "trio", "label_schema": schema.model_dump(mode="json"), "overlap": 3}).json()
    for member in (team.ana, team.ben, team.cleo):
        assert lead.put(f"/projects/{project['id']}/members/{member.name}", json={"role": "annotator"}).status_code == 200
    text = "Kremlin spokesman Dmitry Peskov said a meeting was out of the question."
    lead.post(f"/projects/{project['id']}/articles", data=f'{{"text": "{text}"}}\n', headers={"Content-Type": "application/x-ndjson"})
    refusal = statement_on(text, "peskov", "Dmitry Peskov", "leaders_meeting", "refuses", "a meeting was out of the question")
    article = api.as_(team.ana).next_article(project["id"])
    for member in (team.ana, team.ben):
        assert api.as_(member).next_article(project["id"])["id"] == article["id"]
        label(api.as_(member), article, [refusal])
    return {"project": project["id"], "article": article, "refusal": refusal}


def test_two_of_three_agreeing_is_not_unanimous_while_the_third_is_still_labeling(api: ApiClient, team: Team, trio) -> None:  # type: ignore[no-untyped-def]
    lead = api.as_(team.lena)
    assert api.as_(team.cleo).next_article(trio["project"])["id"] == trio["article"]["id"]  # Cleo holds it, open
    result = lead.post(f"/projects/{trio['project']}/gold/accept-unanimous").json()
    assert (result["accepted"], result["incomplete"]) == (0, 1)
    assert lead.get(f"/articles/{trio['article']['id']}/gold").json()["revision"] is None


def test_two_of_three_done_and_no_third_yet_is_not_unanimous(api: ApiClient, team: Team, trio) -> None:  # type: ignore[no-untyped-def]
    result = api.as_(team.lena).post(f"/projects/{trio['project']}/gold/accept-unanimous").json()
    assert (result["accepted"], result["incomplete"]) == (0, 1)


def test_all_three_agreeing_is_unanimous(api: ApiClient, team: Team, trio) -> None:  # type: ignore[no-untyped-def]
    cleo = api.as_(team.cleo)
    assert cleo.next_article(trio["project"])["id"] == trio["article"]["id"]
    label(cleo, trio["article"], [trio["refusal"]])
    result = api.as_(team.lena).post(f"/projects/{trio['project']}/gold/accept-unanimous").json()
    assert (result["accepted"], result["incomplete"]) == (1, 0)


def test_next_never_hands_out_an_article_that_has_gold(api: ApiClient, team: Team, trio) -> None:  # type: ignore[no-untyped-def]
    lead = api.as_(team.lena)
    saved = lead.put(f"/articles/{trio['article']['id']}/gold", json={"base_revision": None, "statements": [trio["refusal"]]})
    assert saved.status_code == 200, saved.text
    assert api.as_(team.cleo).next_article(trio["project"]) is None  # a slot is free, but the article is settled
    assigned = lead.post(f"/projects/{trio['project']}/assignments",
                         json={"action": "assign", "article_ids": [trio["article"]["id"]], "annotators": ["cleo"]})
    assert len(assigned.json()["changed"]) == 1 and not assigned.json()["refused"]  # more labels come when the lead asks
    assert api.as_(team.cleo).next_article(trio["project"])["id"] == trio["article"]["id"]


def test_labels_disagreeing_with_gold_after_it_was_settled_flag_the_article(api: ApiClient, web: WebSession, team: Team, trio) -> None:  # type: ignore[no-untyped-def]
    lead, article = api.as_(team.lena), trio["article"]
    lead.put(f"/articles/{article['id']}/gold", json={"base_revision": None, "statements": [trio["refusal"]]})
    lead.post(f"/projects/{trio['project']}/assignments",
              json={"action": "assign", "article_ids": [article["id"]], "annotators": ["cleo"]})
    label(api.as_(team.cleo), article, [{**trio["refusal"], "stance": "noncommittal"}])
    assert lead.get(f"/articles/{article['id']}/comparison").json()["disputed_by"] == ["cleo"]
    web.log_in(team.lena)
    page = web.get(f"/projects/{trio['project']}", params={"state": "gold_disputed"}).text
    assert "Kremlin spokesman" in page and "tag state-gold_disputed" in page
    assert "Labels saved after this gold disagree with it: cleo" in web.get(f"/articles/{article['id']}/adjudicate").text
