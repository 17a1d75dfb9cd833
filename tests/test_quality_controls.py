"""Control items, training rounds and setting annotators aside: served as set, scored against the known
answer with agreement's statement matching, and never counted as labels of the article."""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

import pytest
from sqlalchemy import select

from annotator.annotate import assignment
from annotator.annotate.assignment import next_article, skip_article
from annotator.labelschema import LabelSchema
from annotator.projects.service import create_project
from annotator.quality.controls import score_answer, wilson_interval
from annotator.storage import Database
from annotator.storage.tables import AnnotationRevision, Article, Assignment, ControlItem, GoldRecord, GoldRevision, Project, User
from tests.support import ApiClient, Team, WebSession, statement_on
from tests.test_adjudication import label, labeled  # noqa: F401 - the shared fixture
from tests.test_export import gold, lines, run  # noqa: F401 - the shared fixture: both labeled articles have gold

EMPTY = {"statements": [], "article": {"relevant": True, "outlet": None, "note": ""}}


@pytest.fixture
def always_control(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every draw hands out a control item while one is left (the server runs in this process)."""
    monkeypatch.setattr(assignment.random, "random", lambda: 0.0)


def _project_with_gold(db: Database, schema: LabelSchema, team: Team, articles: int, with_gold: int) -> tuple[int, list[int]]:
    """A project of `articles` articles, the first `gold` of them with gold, those made control items."""
    with db.session(write=True) as session:
        project = create_project(session, "served", schema, overlap=1)
        lena = session.scalar(select(User).where(User.name == team.lena.name))
        ids = []
        for number in range(articles):
            text = f"Article number {number} says nothing of note."
            article = Article(project_id=project.id, title=f"Article {number}", text=text,
                              text_sha256=hashlib.sha256(text.encode()).hexdigest(), meta={})
            session.add(article)
            session.flush()
            ids.append(article.id)
        for article_id in ids[:with_gold]:
            record = GoldRecord(project_id=project.id, article_id=article_id)
            session.add(record)
            session.flush()
            revision = GoldRevision(gold_record_id=record.id, adjudicator_id=lena.id, method="adjudicated", source_revision_ids=[],
                                    label_schema_id=project.label_schema_id, schema_version=schema.version, content=EMPTY)
            session.add(revision)
            session.flush()
            record.head_revision_id = revision.id
            session.add(ControlItem(project_id=project.id, article_id=article_id, purpose="control", added_by_id=lena.id))
        project.unfilled_articles = articles - with_gold
        session.commit()
        return project.id, ids[:with_gold]


def _walk(db: Database, project_id: int, name: str, steps: int) -> list[int]:
    """The articles `next` hands the annotator, each skipped at once so the next one comes."""
    handed = []
    with db.session(write=True) as session:
        user = session.scalar(select(User).where(User.name == name))
        project = session.get_one(Project, project_id)
        for _ in range(steps):
            _, article_id = next_article(session, session, project_id, user)
            if article_id is None:
                break
            handed.append(article_id)
            skip_article(session, project, session.get_one(Article, article_id), user)
            session.commit()
    return handed


def _binomial_p_value(successes: int, trials: int, share: float) -> float:
    """Two-sided exact binomial test: the chance of an outcome no likelier than the one seen."""
    chance = [math.comb(trials, k) * share**k * (1 - share) ** (trials - k) for k in range(trials + 1)]
    return min(1.0, sum(p for p in chance if p <= chance[successes] * (1 + 1e-9)))


def test_control_items_are_served_at_the_set_rate(db: Database, schema: LabelSchema, team: Team) -> None:
    project_id, controls = _project_with_gold(db, schema, team, articles=400, with_gold=150)
    with db.session(write=True) as session:
        session.get_one(Project, project_id).control_rate = 0.2
        session.commit()
    handed = _walk(db, project_id, "ana", 200)
    served = sum(article_id in set(controls) for article_id in handed)
    assert len(handed) == 200
    assert _binomial_p_value(served, 200, 0.2) > 0.001, served


def test_a_control_item_is_never_served_twice_to_one_annotator(db: Database, schema: LabelSchema, team: Team, always_control) -> None:  # type: ignore[no-untyped-def]
    project_id, controls = _project_with_gold(db, schema, team, articles=30, with_gold=5)
    with db.session(write=True) as session:
        session.get_one(Project, project_id).control_rate = 0.5
        session.commit()
    handed = _walk(db, project_id, "ana", 40)
    assert set(handed[:5]) == set(controls)  # at every draw a control item, while one is left
    assert len(handed) == len(set(handed)) == 30  # every control item once, then the real work, nothing twice
    with db.session() as session:
        kinds = session.execute(select(Assignment.article_id, Assignment.kind)).all()
    assert {article_id for article_id, kind in kinds if kind == "control"} == set(controls)


def test_an_answer_is_scored_field_by_field_with_agreements_statement_matching() -> None:
    text = "Jen Psaki said a meeting between President Joe Biden and President Vladimir Putin was off the table."
    psaki = lambda stance: statement_on(text, "psaki", "Jen Psaki", "leaders_meeting", stance, "was off the table")  # noqa: E731
    known = {**EMPTY, "statements": [psaki("refuses")]}
    wrong_stance = score_answer(known, {**EMPTY, "statements": [psaki("open")]})
    assert wrong_stance.tallies["statements"] == (1, 1) and wrong_stance.tallies["stance"] == (0, 1)
    missed = score_answer(known, EMPTY)
    assert missed.tallies["statements"] == (0, 1) and missed.tallies["stance"] == (0, 0)  # a missed statement counts once
    assert score_answer(known, known).tallies["relevance"] == (1, 1)


def test_wilson_interval_matches_the_textbook_figures() -> None:
    low, high = wilson_interval(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.49, 0.943)  # Newcombe (1998), method 3
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0


def _control_for_cleo(api: ApiClient, team: Team, project_id: int) -> dict[str, Any]:
    """Both gold articles as control items; Cleo answers the first one handed to her, badly."""
    lead = api.as_(team.lena)
    added = lead.post(f"/projects/{project_id}/control-items", json={"purpose": "control"})
    assert added.status_code == 200, added.text
    assert lead.patch(f"/projects/{project_id}/quality-settings", json={"control_rate": 0.5}).status_code == 200
    cleo = api.as_(team.cleo)
    article = cleo.next_article(project_id)
    assert article is not None
    label(cleo, article, [])
    return article


def test_control_answers_never_enter_agreement_or_the_comparison(api: ApiClient, team: Team, project_id: int, gold, always_control) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    lead = api.as_(team.lena)
    before = lead.get(f"/projects/{project_id}/agreement").json()
    article = _control_for_cleo(api, team, project_id)
    assert article["id"] in {gold["first"]["id"], gold["second"]["id"]}
    after = lead.get(f"/projects/{project_id}/agreement").json()
    assert after["annotators"] == before["annotators"] == ["ana", "ben"]
    assert [f["alpha"] for f in after["fields"]] == [f["alpha"] for f in before["fields"]]
    versions = lead.get(f"/articles/{article['id']}/comparison").json()["versions"]
    assert [v["annotator"] for v in versions] == ["ana", "ben"]


def test_control_answers_never_enter_the_export(db: Database, api: ApiClient, team: Team, project_id: int, gold, always_control, tmp_path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    assert run(db, "export", "sample", "--out", str(tmp_path / "before")).exit_code == 0
    _control_for_cleo(api, team, project_id)
    assert run(db, "export", "sample", "--out", str(tmp_path / "after")).exit_code == 0
    before, after = (lines(tmp_path / when / "sample" / "v1" / "gold.jsonl") for when in ("before", "after"))
    assert after == before
    assert all("cleo" not in record["provenance"]["annotators"] for record in after)


def test_a_control_answer_is_scored_in_the_quality_report(api: ApiClient, team: Team, project_id: int, gold, always_control) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    _control_for_cleo(api, team, project_id)
    report = api.as_(team.lena).get(f"/projects/{project_id}/quality").json()
    cleo = next(a for a in report["annotators"] if a["annotator"] == "cleo")
    assert cleo["fields"]["statements"]["control"]["n"] >= 1
    assert cleo["control"]["accuracy"] < 1 and cleo["control"]["low"] < cleo["control"]["accuracy"] < cleo["control"]["high"]


def test_an_annotator_sees_only_their_own_scores(api: ApiClient, team: Team, project_id: int, gold, always_control) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    _control_for_cleo(api, team, project_id)
    mine = api.as_(team.cleo).get(f"/projects/{project_id}/quality").json()
    assert [a["annotator"] for a in mine["annotators"]] == ["cleo"] and mine["confusions"] == []
    assert api.as_(team.cleo).get(f"/projects/{project_id}/control-items").status_code == 403


def test_setting_an_annotator_aside_takes_their_labels_out_of_agreement_until_restored(api: ApiClient, team: Team, project_id: int, labeled) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    lead = api.as_(team.lena)
    standing = f"/projects/{project_id}/members/ben/standing"
    assert lead.patch(standing, json={"set_aside": True}).status_code == 200
    assert lead.get(f"/projects/{project_id}/agreement").json()["annotators"] == ["ana"]
    assert lead.patch(standing, json={"set_aside": False}).status_code == 200
    assert lead.get(f"/projects/{project_id}/agreement").json()["annotators"] == ["ana", "ben"]


def test_setting_aside_changes_the_aggregate_in_the_export(db: Database, api: ApiClient, team: Team, project_id: int, labeled, tmp_path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    lead = api.as_(team.lena)
    assert lead.patch(f"/projects/{project_id}/members/ben/standing", json={"set_aside": True}).status_code == 200
    assert run(db, "export", "sample", "--include-unadjudicated", "--out", str(tmp_path)).exit_code == 0
    records = lines(tmp_path / "sample" / "v1" / "gold.jsonl")
    assert records and all(record["provenance"]["annotators"] == ["ana"] for record in records)


def _training_project(api: ApiClient, team: Team, project_id: int, threshold: float) -> ApiClient:
    lead = api.as_(team.lena)
    assert lead.post(f"/projects/{project_id}/control-items", json={"purpose": "training", "count": 1}).status_code == 200
    settings = {"training_articles": 1, "quality_threshold": threshold}
    assert lead.patch(f"/projects/{project_id}/quality-settings", json=settings).status_code == 200
    return api.as_(team.cleo)


def test_a_trainee_who_reaches_the_threshold_gets_real_work(api: ApiClient, team: Team, project_id: int, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    cleo = _training_project(api, team, project_id, threshold=0.0)
    training = cleo.next_article(project_id)
    assert training is not None and training["id"] in {gold["first"]["id"], gold["second"]["id"]}
    label(cleo, training, [])  # any answer reaches a threshold of 0
    work = cleo.next_article(project_id)
    assert work is not None and work["id"] not in {gold["first"]["id"], gold["second"]["id"]}


def test_a_trainee_below_the_threshold_waits_until_the_lead_lets_them_through(api: ApiClient, team: Team, project_id: int, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    cleo = _training_project(api, team, project_id, threshold=1.0)
    training = cleo.next_article(project_id)
    label(cleo, training, [])  # says nothing where the known answer has a statement
    assert cleo.next_article(project_id) is None
    report = api.as_(team.lena).get(f"/projects/{project_id}/quality").json()
    [flag] = [f for a in report["annotators"] if a["annotator"] == "cleo" for f in a["flags"] if "training" in f]
    assert "waiting to be let through" in flag
    assert api.as_(team.lena).patch(f"/projects/{project_id}/members/cleo/standing", json={"let_through": True}).status_code == 200
    assert cleo.next_article(project_id) is not None


def test_quality_settings_out_of_range_are_refused_by_name(api: ApiClient, team: Team, project_id: int) -> None:
    response = api.as_(team.lena).patch(f"/projects/{project_id}/quality-settings", json={"control_rate": 0.9})
    assert response.status_code == 422 and "control_rate" in response.text


def test_control_items_need_gold(api: ApiClient, team: Team, project_id: int) -> None:
    response = api.as_(team.lena).post(f"/projects/{project_id}/control-items", json={"purpose": "control"})
    assert response.status_code == 409 and "no gold article" in response.json()["message"]


def test_the_team_page_shows_each_annotators_control_score_and_flags(web: WebSession, api: ApiClient, team: Team, project_id: int, gold, always_control) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    _control_for_cleo(api, team, project_id)
    web.log_in(team.lena)
    page = web.get(f"/projects/{project_id}/team")
    assert page.status_code == 200
    cleo_row = page.text[page.text.index('data-annotator="cleo"'):]
    assert "control items:" in cleo_row.split("</tr>")[0]  # flagged below the threshold
    assert 'data-annotator="ana"' in page.text and 'data-annotator="ben"' in page.text


def test_a_lead_sets_an_annotator_aside_on_the_team_page(web: WebSession, team: Team, project_id: int, labeled, api: ApiClient) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    web.log_in(team.lena)
    done = web.post(f"/projects/{project_id}/team/ben/standing", data={"action": "set_aside", "csrf_token": web.csrf_token()})
    assert done.status_code == 200 and "ben set aside" in done.text  # followed back to the page, which says so
    assert api.as_(team.lena).get(f"/projects/{project_id}/agreement").json()["annotators"] == ["ana"]


STANCES = ["open", "conditional", "refuses", "noncommittal"]


def _simulated_project(db: Database, schema: LabelSchema, articles: int = 300) -> tuple[int, dict[int, str]]:
    """Three annotators on every article, each statement's stance drawn as the test sets: Ana careful, Ben
    swaps the first two stances, Cleo at random; Lena leads it. The project, and each article's true stance."""
    import numpy as np

    rng = np.random.default_rng(11)
    careful = lambda t: t if rng.random() < 0.95 else int(rng.integers(4))  # noqa: E731
    swapper = lambda t: {0: 1, 1: 0}.get(t, t) if rng.random() < 0.9 else int(rng.integers(4))  # noqa: E731
    at_random = lambda t: int(rng.integers(4))  # noqa: E731
    truth = {}
    with db.session(write=True) as session:
        users = {u.name: u for u in session.scalars(select(User))}
        project = create_project(session, "simulated", schema, overlap=3, lead=users["lena"])
        for number in range(articles):
            text = f"Dmitry Peskov said on day {number} that a summit was possible."
            article = Article(project_id=project.id, title=f"Day {number}", text=text,
                              text_sha256=hashlib.sha256(text.encode()).hexdigest(), meta={}, assigned_count=3)
            session.add(article)
            session.flush()
            true_stance = int(rng.choice(4, p=[0.4, 0.3, 0.2, 0.1]))
            truth[article.id] = STANCES[true_stance]
            for name, annotator in (("ana", careful), ("ben", swapper), ("cleo", at_random)):
                held = Assignment(project_id=project.id, article_id=article.id, user_id=users[name].id, status="done")
                session.add(held)
                session.flush()
                statement = {"actor": {"id": "peskov"}, "target": "leaders_meeting", "stance": STANCES[annotator(true_stance)],
                             "preconditions": [], "source_outlet": None, "evidence": None}
                revision = AnnotationRevision(assignment_id=held.id, author_id=users[name].id, label_schema_id=project.label_schema_id,
                                              schema_version=schema.version, content={**EMPTY, "statements": [statement]})
                session.add(revision)
                session.flush()
                held.head_revision_id = revision.id
        session.commit()
        return project.id, truth


def _stance_accuracy(records: list[dict[str, Any]], truth: dict[int, str]) -> float:
    right = sum(bool(r["statements"]) and r["statements"][0]["stance"] == truth[r["id"]] for r in records)
    return right / len(records)


def test_the_dawid_skene_aggregate_beats_the_majority_vote_in_the_export(db: Database, schema: LabelSchema, team: Team, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_export import validator

    _, truth = _simulated_project(db, schema)
    for method in ("majority", "dawid-skene", "mace"):
        result = run(db, "export", "simulated", "--include-unadjudicated", "--aggregate", method, "--out", str(tmp_path / method))
        assert result.exit_code == 0, result.output
    by_method = {method: lines(tmp_path / method / "simulated" / "v1" / "gold.jsonl") for method in ("majority", "dawid-skene", "mace")}
    assert _stance_accuracy(by_method["dawid-skene"], truth) > _stance_accuracy(by_method["majority"], truth) + 0.05
    assert _stance_accuracy(by_method["mace"], truth) > _stance_accuracy(by_method["majority"], truth)
    for record in by_method["dawid-skene"]:
        assert not list(validator("gold-record").iter_errors(record))
    provenance = by_method["dawid-skene"][0]["provenance"]
    assert (provenance["status"], provenance["method"]) == ("aggregate", "dawid-skene")
    assert provenance["weights"]["ana"] > provenance["weights"]["cleo"]
    assert set(provenance["posterior"]) == {"relevance", "article_outlet", "statements", "stance", "source_outlet"}
    manifest = json.loads((tmp_path / "dawid-skene" / "simulated" / "v1" / "manifest.json").read_text())
    assert manifest["aggregate"] == "dawid-skene"


def test_the_project_page_lists_the_most_doubtful_articles_first(db: Database, schema: LabelSchema, web: WebSession, team: Team) -> None:
    project_id, _ = _simulated_project(db, schema, articles=120)
    web.log_in(team.lena)
    page = web.get(f"/projects/{project_id}?sort=most_doubtful").text
    doubts = [float(found) for found in re.findall(r">doubt ([0-9.]+)<", page)]
    assert len(doubts) == 100  # a full page, each article with its doubt
    assert doubts == sorted(doubts, reverse=True) and doubts[0] > doubts[-1]


def test_the_export_api_fills_articles_without_gold_by_the_chosen_aggregate(api: ApiClient, team: Team, project_id: int, labeled) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    response = api.as_(team.lena).get(f"/projects/{project_id}/export", params={"include_unadjudicated": "true", "aggregate": "mace"})
    assert response.status_code == 200, response.text
    records = [json.loads(line) for line in response.text.splitlines()]
    assert {r["provenance"]["method"] for r in records} == {"mace"}
    assert all(set(r["provenance"]["weights"]) == {"ana", "ben"} for r in records)
    assert "with-mace" in response.headers["Content-Disposition"]


def test_a_trainee_sees_the_known_answer_only_after_saving(api: ApiClient, team: Team, project_id: int, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    cleo = _training_project(api, team, project_id, threshold=1.0)
    training = cleo.next_article(project_id)
    feedback = f"/articles/{training['id']}/training-feedback"
    assert cleo.get(feedback).status_code == 409  # not before the answer is saved
    label(cleo, training, [])
    shown = cleo.get(feedback).json()
    assert shown["right"] < shown["scored"] and shown["training"]["done"] == 1
    missed = [line for line in shown["lines"] if line["field"] == "statements"]
    assert missed and all(line["yours"] == "not named" and line["known"] == "named" for line in missed)
    assert api.as_(team.ana).get(feedback).status_code in (403, 404)  # nobody else's to read


def test_a_real_article_has_no_training_feedback(api: ApiClient, team: Team, project_id: int, labeled) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    response = api.as_(team.ana).get(f"/articles/{labeled['first']['id']}/training-feedback")
    assert response.status_code == 404 and "not one of your training articles" in response.json()["message"]


def test_the_control_command_turns_gold_into_items_and_sets_the_rate(db: Database, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    result = run(db, "control", "add", "sample", "--from-gold", "--rate", "0.2", "--by", "lena")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added 2 control item(s). 2 control item(s) served at a rate of 0.2;")
