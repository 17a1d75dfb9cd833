"""A lead finds articles by words and state, and assigns work within the overlap."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from annotator.overview.models import ArticleFilter
from annotator.overview.service import annotator_progress, find_articles, project_totals
from annotator.projects.service import find_project
from annotator.storage import Database
from annotator.storage.search import articles_with_words
from annotator.storage.tables import Article
from tests.support import ApiClient, Team, unfilled_recount
from tests.test_adjudication import labeled  # noqa: F401 - the shared fixture


def found(db: Database, project_id: int, **wanted: Any) -> list[str]:
    with db.session() as session:
        page = find_articles(session, find_project(session, project_id), ArticleFilter(**wanted))
        return [f"{row.id}:{row.state}" for row in page.rows]


def test_words_in_the_text_or_the_title_find_articles(db: Database, project_id: int) -> None:
    assert found(db, project_id, q="insurers") == ["7:unassigned"]  # in the title
    assert found(db, project_id, q="delegations have a substantive") == ["1:unassigned"]  # in the text only


def test_words_are_found_in_any_order_and_by_their_beginnings(db: Database, project_id: int) -> None:
    assert found(db, project_id, q="substantive delegations") == ["1:unassigned"]
    assert found(db, project_id, q="Odes wheat") == ["7:unassigned"]  # Odesa, wheat
    assert found(db, project_id, q="wheat Peskov") == []  # every word must be in the article


def test_search_syntax_in_the_box_is_taken_as_plain_words(db: Database, project_id: int) -> None:
    assert found(db, project_id, q='"insurers OR NEAR( title:* -^') == []  # OR, NEAR, title are words here
    assert found(db, project_id, q='insurers" *') == ["7:unassigned"]
    assert len(found(db, project_id, q="%_ *")) == 8  # no words: every article


def test_a_renamed_article_is_found_by_its_new_title_only(db: Database, project_id: int) -> None:
    for title in ("Freighters sail again", "Tankers wait"):
        with db.session(write=True) as session:
            session.execute(update(Article).where(Article.id == 7).values(title=title))
            session.commit()
    assert found(db, project_id, q="tankers") == ["7:unassigned"]
    assert found(db, project_id, q="freighters") == []


def test_a_deleted_article_is_found_no_more(db: Database, project_id: int) -> None:
    with db.session(write=True) as session:
        session.execute(delete(Article).where(Article.id == 7))
        session.commit()
    assert found(db, project_id, q="insurers") == []


@pytest.mark.postgres
def test_postgresql_searches_through_its_index(db: Database, project_id: int) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's index")
    condition = articles_with_words("postgresql", ["insurers"])
    with db.engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))  # eight articles: a scan would win otherwise
        query = select(Article.id).where(condition).compile(connection, compile_kwargs={"literal_binds": True})
        plan = "\n".join(connection.scalars(text(f"EXPLAIN {query}")))
    assert "article_search_words" in plan


def test_states_tell_agreement_from_disagreement_and_gold(db: Database, api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    first, second = labeled["first"]["id"], labeled["second"]["id"]
    assert found(db, project_id, state="disagreement") == [f"{second}:disagreement"]
    assert found(db, project_id, state="done", done_by=2) == [f"{first}:done", f"{second}:disagreement"]
    assert len(found(db, project_id, state="unassigned")) == 6
    api.as_(team.lena).post(f"/projects/{project_id}/gold/accept-unanimous")
    assert found(db, project_id, state="gold") == [f"{first}:gold"]
    assert found(db, project_id, state="done", done_by=2) == [f"{second}:disagreement"]


def test_sorting_by_fewest_annotators_puts_untouched_articles_first(db: Database, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    order = found(db, project_id, sort="fewest_done")
    assert order[-2:] == [f"{labeled['first']['id']}:done", f"{labeled['second']['id']}:disagreement"]


def test_totals_and_progress_per_annotator_add_up(db: Database, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    with db.session() as session:
        project = find_project(session, project_id)
        totals = project_totals(session, project)
        people = {p.name: (p.done, p.open) for p in annotator_progress(session, project)}
    assert (totals.articles, totals.gold, totals.complete, totals.in_progress, totals.unassigned) == (8, 0, 2, 0, 6)
    assert people == {"ana": (2, 0), "ben": (2, 0)}


def assign(api: ApiClient, team: Team, project_id: int, **body: Any) -> dict[str, Any]:
    response = api.as_(team.lena).post(f"/projects/{project_id}/assignments", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_lead_assigns_articles_but_never_past_the_overlap(db: Database, api: ApiClient, team: Team, project_id: int) -> None:
    report = assign(api, team, project_id, action="assign", article_ids=[3, 4], annotators=["ana", "ben", "cleo"])
    assert [(c["article_id"], c["annotator"]) for c in report["changed"]] == [(3, "ana"), (3, "ben"), (4, "ana"), (4, "ben")]
    assert {(r["article_id"], r["annotator"]) for r in report["refused"]} == {(3, "cleo"), (4, "cleo")}
    assert "the project's overlap" in report["refused"][0]["reason"]
    assert api.as_(team.ana).next_article(project_id)["id"] == 3  # assigned work comes first
    kept, recounted = unfilled_recount(db, project_id)
    assert kept == recounted


def test_releasing_frees_the_slot_but_never_takes_saved_labels(db: Database, api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    assign(api, team, project_id, action="assign", article_ids=[5], annotators=["cleo"])
    report = assign(api, team, project_id, action="release", article_ids=[5, labeled["first"]["id"]], annotators=["cleo", "ana"])
    assert [(c["article_id"], c["annotator"], c["change"]) for c in report["changed"]] == [(5, "cleo", "released")]
    reasons = {(r["article_id"], r["annotator"]): r["reason"] for r in report["refused"]}
    assert reasons[(labeled["first"]["id"], "ana")] == "has saved labels for it, which stay"
    assert reasons[(5, "ana")] == "does not hold it"
    kept, recounted = unfilled_recount(db, project_id)
    assert kept == recounted


def test_reassigning_moves_unlabeled_work_to_someone_else(db: Database, api: ApiClient, team: Team, project_id: int) -> None:
    assign(api, team, project_id, action="assign", article_ids=[6], annotators=["ben"])
    report = assign(api, team, project_id, action="reassign", article_ids=[6], annotators=["cleo"], from_annotator="ben")
    assert [(c["annotator"], c["change"]) for c in report["changed"]] == [("ben", "released"), ("cleo", "assigned")]
    assert api.as_(team.cleo).next_article(project_id)["id"] == 6


def test_assigning_an_article_of_another_project_names_it(api: ApiClient, team: Team, project_id: int) -> None:
    response = api.as_(team.lena).post(
        f"/projects/{project_id}/assignments", json={"action": "assign", "article_ids": [999], "annotators": ["ana"]})
    assert response.status_code == 404
    assert "no article 999" in response.json()["message"]
