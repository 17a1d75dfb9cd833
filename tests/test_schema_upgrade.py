"""A running project moves to a new schema version: labels carried by the plan, the rest reviewed, nothing rewritten."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from annotator.auth.service import get_user
from annotator.cli import main
from annotator.codebook.plan import PlanError
from annotator.codebook.upgrade import UpgradeReport, upgrade_schema
from annotator.projects.service import find_project, project_schema
from annotator.storage import Database
from annotator.storage.tables import AnnotationRevision, Assignment, GoldRecord, GoldRevision, Review
from tests.test_codebook import choices, version
from tests.test_export import gold  # noqa: F401 - the shared fixture: two articles labeled by ana and ben, both with gold
from tests.test_adjudication import labeled  # noqa: F401

Change = Callable[[dict[str, Any]], None]


def rename_target(doc: dict[str, Any]) -> None:
    choices(doc, "target")[2].update(id="summit", label="Summit")


def split_agenda(doc: dict[str, Any]) -> None:
    categories = choices(doc, "category")
    categories[:] = [c for c in categories if c["id"] != "substantive_agenda"]
    categories += [{"id": "agenda_drafted", "label": "Agenda drafted"}, {"id": "agenda_agreed", "label": "Agenda agreed"}]


def drop_withdrawal(doc: dict[str, Any]) -> None:
    categories = choices(doc, "category")
    categories[:] = [c for c in categories if c["id"] not in ("troop_withdrawal", "ceasefire_first")]
    categories.append({"id": "military_first", "label": "Military steps first"})


def refusal_needs_precondition(doc: dict[str, Any]) -> None:
    choices(doc, "stance")[2]["requires_precondition"] = True


def upgrade(db: Database, change: Change, plan: dict[str, Any] | None, *, apply: bool) -> UpgradeReport:
    with db.session(write=True) as session:
        project = find_project(session, "sample")
        report = upgrade_schema(session, project, version(change), yaml.safe_dump(plan) if plan else None,
                                get_user(session, "lena"), apply=apply)
        session.commit()
    return report


def stored_revisions(db: Database) -> dict[str, str]:
    """A digest of every stored revision, annotators' and gold, by kind and id."""
    with db.session() as session:
        rows = [("a", r.id, r.content, r.schema_version) for r in session.scalars(select(AnnotationRevision))]
        rows += [("g", r.id, r.content, r.schema_version) for r in session.scalars(select(GoldRevision))]
    return {f"{kind}{i}": hashlib.sha256(json.dumps([c, v], sort_keys=True).encode()).hexdigest() for kind, i, c, v in rows}


def heads(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        rows = session.execute(select(AnnotationRevision.content, AnnotationRevision.schema_version)
                               .join(Assignment, Assignment.head_revision_id == AnnotationRevision.id)).all()
        rows += session.execute(select(GoldRevision.content, GoldRevision.schema_version)
                                .join(GoldRecord, GoldRecord.head_revision_id == GoldRevision.id)).all()
    return [{"version": v, **c} for c, v in rows]


def reviews(db: Database) -> list[tuple[int, str, str]]:
    with db.session() as session:
        rows = session.execute(select(Review.article_id, Review.revision_kind, Review.reasons)).all()
    return sorted((a, k, r[0]) for a, k, r in rows)


def test_a_dry_run_counts_what_a_rename_touches_and_changes_nothing(db: Database, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    before = stored_revisions(db)
    report = upgrade(db, rename_target, {"target": {"leaders_meeting": "summit"}}, apply=False)
    [step] = report.steps
    assert (step.field, step.old, step.kind, step.new) == ("target", "leaders_meeting", "rename", ["summit"])
    assert (step.statements, step.articles, step.annotators, step.gold) == (6, 2, 2, 2)
    assert (report.carried, report.gold_carried, report.reviews) == (4, 2, [])
    assert stored_revisions(db) == before
    with db.session() as session:
        assert project_schema(find_project(session, "sample")).version == "1.0.0"


def test_applying_a_rename_carries_every_label_as_a_new_revision_and_keeps_every_old_one(db: Database, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    before = stored_revisions(db)
    dry = upgrade(db, rename_target, {"target": {"leaders_meeting": "summit"}}, apply=False)
    applied = upgrade(db, rename_target, {"target": {"leaders_meeting": "summit"}}, apply=True)
    assert (applied.carried, applied.gold_carried, applied.steps) == (dry.carried, dry.gold_carried, dry.steps)
    after = stored_revisions(db)
    assert {k: after[k] for k in before} == before  # nothing stored was changed
    assert len(after) == len(before) + 6
    assert {(h["version"], s["target"]) for h in heads(db) for s in h["statements"]} == {("2.0.0", "summit")}
    with db.session() as session:
        migrated = session.scalars(select(AnnotationRevision.migrated_from).where(AnnotationRevision.migrated_from.is_not(None))).all()
    assert len(migrated) == 4 and all(m.startswith("diplomacy-stance 1.0.0 by plan ") for m in migrated)


def test_a_second_apply_of_the_same_plan_changes_nothing(db: Database, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    plan = {"target": {"leaders_meeting": "summit"}}
    upgrade(db, rename_target, plan, apply=True)
    before = stored_revisions(db)
    again = upgrade(db, rename_target, plan, apply=True)
    assert (again.carried, again.gold_carried, again.already_upgraded) == (0, 0, 6)
    assert stored_revisions(db) == before


def test_a_split_sends_exactly_the_labels_that_hold_it_to_review(db: Database, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    plan = {"category": {"substantive_agenda": ["agenda_drafted", "agenda_agreed"]}}
    dry = upgrade(db, split_agenda, plan, apply=False)
    assert sorted((r.article_id, r.kind, r.reviewer) for r in dry.reviews) == [
        (1, "annotation", "ana"), (1, "annotation", "ben"), (1, "gold", "lena")]
    upgrade(db, split_agenda, plan, apply=True)
    assert [(a, k) for a, k, _ in reviews(db)] == [(1, "annotation"), (1, "annotation"), (1, "gold")]
    assert "was split into agenda_drafted, agenda_agreed: choose one" in reviews(db)[0][2]
    versions = sorted(h["version"] for h in heads(db))
    assert versions == ["1.0.0", "1.0.0", "1.0.0", "2.0.0", "2.0.0", "2.0.0"]  # article 1 waits under its old version


def test_a_merge_carries_and_a_retired_id_goes_to_review(db: Database, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    merged = upgrade(db, drop_withdrawal, {"category": {"troop_withdrawal": "military_first", "ceasefire_first": "military_first"}}, apply=False)
    assert sorted((s.old, s.kind, s.statements) for s in merged.steps) == [("ceasefire_first", "merge", 0), ("troop_withdrawal", "merge", 2)]
    assert merged.reviews == []
    retired = upgrade(db, drop_withdrawal, {"category": {"troop_withdrawal": None, "ceasefire_first": "military_first"}}, apply=False)
    assert sorted((r.article_id, r.kind, r.reviewer) for r in retired.reviews) == [(2, "annotation", "ben"), (2, "gold", "lena")]


def test_labels_a_new_rule_refuses_go_to_review_naming_the_rule(db: Database, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    report = upgrade(db, refusal_needs_precondition, None, apply=False)
    [review] = report.reviews
    assert (review.article_id, review.kind, review.reviewer) == (2, "annotation", "ana")
    assert review.reasons == ["statement 1: stance 'refuses' needs at least one precondition under diplomacy-stance 2.0.0"]


def test_an_id_in_use_that_the_new_version_drops_without_a_plan_is_refused_and_nothing_changes(db: Database, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    before = stored_revisions(db)
    with pytest.raises(PlanError) as refused:
        upgrade(db, split_agenda, None, apply=True)
    assert refused.value.problems == [
        "category 'substantive_agenda' is gone from diplomacy-stance 2.0.0 and 3 label document(s) use it: place it in the plan"]
    assert stored_revisions(db) == before
    with db.session() as session:
        assert project_schema(find_project(session, "sample")).version == "1.0.0"


def test_exports_before_and_after_an_upgrade_both_validate_and_name_their_version(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    from tests.test_export import lines, run, validator

    run(db, "export", "sample", "--out", str(tmp_path))
    upgrade(db, rename_target, {"target": {"leaders_meeting": "summit"}}, apply=True)
    run(db, "export", "sample", "--out", str(tmp_path))
    for version_folder, schema_version in (("v1", "1.0.0"), ("v2", "2.0.0")):
        records = lines(tmp_path / "sample" / version_folder / "gold.jsonl")
        assert all(not list(validator("gold-record").iter_errors(r)) for r in records)
        assert {r["provenance"]["schema_version"] for r in records} == {schema_version}


def test_the_command_previews_then_applies(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    schema_file, plan_file = tmp_path / "v2.yaml", tmp_path / "plan.yaml"
    schema_file.write_text(yaml.safe_dump(version(rename_target).model_dump(mode="json")))
    plan_file.write_text("target:\n  leaders_meeting: summit\n")
    run = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke
    args = ["project", "upgrade-schema", "sample", str(schema_file), "--plan", str(plan_file), "--by", "lena"]
    preview = run(main, [*args, "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "1.0.0 -> 2.0.0 (dry run, nothing changed): 4 annotation(s) and 2 gold record(s) carried, 0 to review" in preview.output
    assert "target    leaders_meeting rename summit: 6 statement(s), 2 article(s), 2 annotator(s), 2 gold" in preview.output
    applied = run(main, args)
    assert "(applied)" in applied.output
    refused = run(main, [*args[:-2], "--by", "ana"])
    assert refused.exit_code == 1 and "ana is not a lead of sample" in refused.output


def test_labels_sent_to_review_come_first_in_next_and_a_save_settles_them(db: Database, api, team, gold, web, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    from tests.support import refusal_statement

    upgrade(db, split_agenda, {"category": {"substantive_agenda": ["agenda_drafted", "agenda_agreed"]}}, apply=True)
    ana = api.as_(team.ana)
    article = ana.next_article(project_id)
    assert article["id"] == 1  # her labels of article 1 wait for review
    web.log_in(team.ana)
    assert "was split into agenda_drafted, agenda_agreed: choose one" in web.get("/articles/1/annotate").text
    redone = refusal_statement(article["text"])
    redone["preconditions"][0]["category"] = "agenda_agreed"
    head = ana.get("/articles/1/annotation").json()["revision"]
    saved = ana.put("/articles/1/annotation", json={"base_revision": head, "statements": [redone], "schema_version": "2.0.0"})
    assert saved.status_code == 200, saved.text
    assert [(a, k) for a, k, _ in reviews(db)] == [(1, "annotation"), (1, "annotation"), (1, "gold")]
    with db.session() as session:
        open_reviews = session.scalars(select(Review.user_id).where(Review.resolved_at.is_(None))).all()
    assert len(open_reviews) == 2  # ben's and the lead's gold still wait
    assert ana.next_article(project_id)["id"] not in (1, 2)  # then articles new to her


def test_a_save_made_under_the_version_the_project_left_is_refused_as_schema_changed(db: Database, api, team, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    upgrade(db, rename_target, {"target": {"leaders_meeting": "summit"}}, apply=True)
    ana = api.as_(team.ana)
    head = ana.get("/articles/1/annotation").json()["revision"]
    refused = ana.put("/articles/1/annotation", json={"base_revision": head, "statements": [], "schema_version": "1.0.0"})
    assert (refused.status_code, refused.json()["error"]) == (409, "schema_changed")
    assert "changed from version 1.0.0 to 2.0.0 while this page was open" in refused.json()["message"]


def schema_yaml(change: Change) -> str:
    return yaml.safe_dump(version(change).model_dump(mode="json"), sort_keys=False)


def test_the_api_previews_by_default_then_applies_and_lists_the_upgrade(db: Database, api, team, gold, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    lena = api.as_(team.lena)
    body = {"label_schema": schema_yaml(rename_target), "plan": "target:\n  leaders_meeting: summit\n"}
    before = stored_revisions(db)
    preview = lena.post(f"/projects/{project_id}/schema/upgrade", json=body)
    assert (preview.status_code, preview.json()["applied"], preview.json()["carried"]) == (200, False, 4)
    assert stored_revisions(db) == before and lena.get(f"/projects/{project_id}/schema/upgrades").json()["upgrades"] == []
    applied = lena.post(f"/projects/{project_id}/schema/upgrade", json={**body, "dry_run": False}).json()
    assert (applied["applied"], applied["carried"], applied["gold_carried"]) == (True, 4, 2)
    [listed] = lena.get(f"/projects/{project_id}/schema/upgrades").json()["upgrades"]
    assert (listed["from_version"], listed["to_version"], listed["made_by"], listed["carried"]) == ("1.0.0", "2.0.0", "lena", 4)
    assert lena.get(f"/projects/{project_id}/schema").json()["version"] == "2.0.0"


def test_the_api_names_every_problem_of_a_plan(api, team, gold, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    body = {"label_schema": schema_yaml(rename_target), "plan": "target:\n  leaders_meeting: nowhere\n"}
    refused = api.as_(team.lena).post(f"/projects/{project_id}/schema/upgrade", json=body)
    assert refused.status_code == 422
    assert [p["message"] for p in refused.json()["problems"]] == [
        "target 'leaders_meeting' -> 'nowhere': 'nowhere' is not in diplomacy-stance 2.0.0"]


def test_only_a_lead_moves_the_codebook(api, gold, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    assert api.post(f"/projects/{project_id}/schema/upgrade", json={"label_schema": schema_yaml(rename_target)}).status_code == 403


def test_actors_annotators_proposed_are_listed_with_their_names_and_examples(api, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    from tests.support import statement_on

    cleo = api.as_(team.cleo)
    article = cleo.next_article(project_id)
    text = article["text"]
    proposed = statement_on(text, "new:kremlin_official", "Kremlin spokesman Dmitry Peskov", "leaders_meeting", "refuses",
                            "The Kremlin on Tuesday ruled out a meeting")
    saved = cleo.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [proposed]})
    assert saved.status_code == 200, saved.text
    [listed] = api.as_(team.lena).get(f"/projects/{project_id}/schema/proposals").json()["proposals"]
    assert (listed["id"], listed["statements"], listed["annotators"]) == ("new:kremlin_official", 1, ["cleo"])
    assert listed["names"] == ["Kremlin spokesman Dmitry Peskov"]
    assert listed["examples"] == ["The Kremlin on Tuesday ruled out a meeting"]


def proposed_by_cleo(api, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    """Cleo marks the Tass news agency as an actor the vocabulary lacks."""
    from tests.support import statement_on

    cleo = api.as_(team.cleo)
    article = cleo.next_article(project_id)
    proposed = statement_on(article["text"], "new:tass_agency", "Tass news agency", "leaders_meeting", "refuses",
                            "The Kremlin on Tuesday ruled out a meeting")
    cleo.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [proposed]}).raise_for_status()


@pytest.mark.parametrize(("action", "into", "actor"), [("accept", "", "tass_agency"), ("merge", "kremlin", "kremlin")])
def test_a_proposed_actor_is_taken_in_from_the_codebook_page_and_its_labels_move(  # type: ignore[no-untyped-def]
    api, team, web, project_id: int, action: str, into: str, actor: str,
) -> None:
    proposed_by_cleo(api, team, project_id)
    web.log_in(team.lena)
    token = web.csrf_token(f"/projects/{project_id}/codebook")
    preview = web.post(f"/projects/{project_id}/codebook/proposals",
                       data={"csrf_token": token, "proposal": "new:tass_agency", "action": action, "into": into, "version": "1.0.1"})
    assert preview.status_code == 200, preview.text
    assert "Preview: 1.0.0 → 1.0.1" in preview.text
    schema_text = re.search(r'name="schema_text" value="([^"]*)"', preview.text, re.S).group(1)  # type: ignore[union-attr]
    plan_text = re.search(r'name="plan_text" value="([^"]*)"', preview.text, re.S).group(1)  # type: ignore[union-attr]
    web.post(f"/projects/{project_id}/codebook/apply",
             data={"csrf_token": token, "schema_text": html.unescape(schema_text), "plan_text": html.unescape(plan_text)})
    [annotation] = [a for a in api.as_(team.lena).get("/articles/1/annotations").json()["annotations"] if a["annotator"] == "cleo"]
    assert annotation["statements"][0]["actor"]["id"] == actor
    schema = api.as_(team.lena).get(f"/projects/{project_id}/schema").json()
    [entry] = [a for a in schema["vocabularies"]["actors"] if a["id"] == actor]
    assert "Tass news agency" in [entry["label"], *entry["aliases"]]


def test_agreement_compares_labels_under_the_new_version_and_leaves_those_under_review_out(db: Database, api, team, gold, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    lena = api.as_(team.lena)
    assert lena.get(f"/projects/{project_id}/agreement").json()["articles_labeled"] == 2
    upgrade(db, split_agenda, {"category": {"substantive_agenda": ["agenda_drafted", "agenda_agreed"]}}, apply=True)
    report = lena.get(f"/projects/{project_id}/agreement").json()
    assert report["schema_version"] == "2.0.0"
    assert report["articles_labeled"] == 1  # article 2, carried; article 1 waits for review under 1.0.0


def test_the_export_after_an_upgrade_names_it_in_the_manifest_the_card_and_the_carried_gold(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    from tests.test_export import lines, run

    report = upgrade(db, rename_target, {"target": {"leaders_meeting": "summit"}}, apply=True)
    run(db, "export", "sample", "--out", str(tmp_path))
    folder = tmp_path / "sample" / "v1"
    [upgrade_note] = json.loads((folder / "manifest.json").read_text())["schema_upgrades"]
    assert (upgrade_note["from_version"], upgrade_note["to_version"], upgrade_note["plan_sha256"]) == ("1.0.0", "2.0.0", report.plan_sha256)
    assert "The project moved from 1\\.0\\.0 to 2\\.0\\.0" in (folder / "README.md").read_text()  # Markdown-escaped
    assert {r["provenance"]["migrated_from"] for r in lines(folder / "gold.jsonl")} == {f"diplomacy-stance 1.0.0 by plan {report.plan_sha256}"}


def test_the_adjudication_page_marks_labels_waiting_for_review_under_their_version(db: Database, gold, web, team) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    upgrade(db, split_agenda, {"category": {"substantive_agenda": ["agenda_drafted", "agenda_agreed"]}}, apply=True)
    web.log_in(team.lena)
    assert "1.0.0, awaiting review" in web.get("/articles/1/adjudicate").text
    assert "awaiting review" not in web.get("/articles/2/adjudicate").text


def test_gold_sent_to_review_is_shown_to_the_lead_and_saving_it_settles_the_review(db: Database, api, team, gold, web) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    from tests.support import refusal_statement

    upgrade(db, split_agenda, {"category": {"substantive_agenda": ["agenda_drafted", "agenda_agreed"]}}, apply=True)
    web.log_in(team.lena)
    page = web.get("/articles/1/adjudicate").text
    assert "this gold waits for your review" in page and "was split into agenda_drafted, agenda_agreed" in page
    lena = api.as_(team.lena)
    settled = refusal_statement(gold["first"]["text"])
    settled["preconditions"][0]["category"] = "agenda_drafted"
    head = lena.get("/articles/1/gold").json()["revision"]
    saved = lena.put("/articles/1/gold", json={"base_revision": head, "statements": [settled], "schema_version": "2.0.0"})
    assert saved.status_code == 200, saved.text
    assert "this gold waits for your review" not in web.get("/articles/1/adjudicate").text


def test_a_majority_vote_is_taken_only_among_labels_under_the_current_version(db: Database, api, team, labeled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    from tests.test_export import lines, run

    upgrade(db, split_agenda, {"category": {"substantive_agenda": ["agenda_drafted", "agenda_agreed"]}}, apply=True)
    run(db, "export", "sample", "--out", str(tmp_path), "--include-unadjudicated")
    records = lines(tmp_path / "sample" / "v1" / "gold.jsonl")
    assert [(r["id"], r["provenance"]["schema_version"]) for r in records] == [(2, "2.0.0")]  # article 1 waits for review


def accept_proposal(doc: dict[str, Any]) -> None:
    doc["vocabularies"]["actors"].append({"id": "tass_agency", "label": "Tass news agency", "aliases": [], "kind": ""})


CHANGES = {
    "rename": (rename_target, {"target": {"leaders_meeting": "summit"}}),
    "merge": (drop_withdrawal, {"category": {"troop_withdrawal": "military_first", "ceasefire_first": "military_first"}}),
    "split": (split_agenda, {"category": {"substantive_agenda": ["agenda_drafted", "agenda_agreed"]}}),
    "retire": (drop_withdrawal, {"category": {"troop_withdrawal": None, "ceasefire_first": "military_first"}}),
    "new rule": (refusal_needs_precondition, None),
    "accepted proposal": (accept_proposal, {"actor": {"new:tass_agency": "tass_agency"}}),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_kind_of_change_applies_what_its_dry_run_said_and_rewrites_nothing(  # type: ignore[no-untyped-def]
    db: Database, api, team, gold, project_id: int, tmp_path: Path, change: str,  # noqa: F811
) -> None:
    from tests.test_export import lines, run, validator

    cleo = api.as_(team.cleo)
    article = cleo.next_article(project_id)  # labels holding a proposed actor, on her first article
    text = article["text"]
    evidence = {"start": 0, "end": text.index("\n"), "text": text[:text.index("\n")]}
    proposed = {"actor": {"id": "new:tass_agency", "span": {**evidence, "end": 5, "text": text[:5]}}, "stance": "open",
                "target": "ceasefire", "preconditions": [], "source_outlet": None, "evidence": evidence}
    cleo.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": [proposed]}).raise_for_status()
    cleo.next_article(project_id)  # and an article open, its labels not saved yet
    edit, plan = CHANGES[change]
    run(db, "export", "sample", "--out", str(tmp_path))
    before = stored_revisions(db)
    dry = upgrade(db, edit, plan, apply=False)
    applied = upgrade(db, edit, plan, apply=True)
    assert (applied.steps, applied.carried, applied.gold_carried, applied.reviews) == (dry.steps, dry.carried, dry.gold_carried, dry.reviews)
    after = stored_revisions(db)
    assert {k: after[k] for k in before} == before
    assert len(after) == len(before) + dry.carried + dry.gold_carried
    assert sorted((a, k) for a, k, _ in reviews(db)) == sorted((r.article_id, r.kind) for r in dry.reviews)
    run(db, "export", "sample", "--out", str(tmp_path))
    for folder in ("v1", "v2"):
        assert all(not list(validator("gold-record").iter_errors(r)) for r in lines(tmp_path / "sample" / folder / "gold.jsonl"))


def test_models_are_scored_only_on_gold_under_the_current_version(db: Database, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    from annotator.predictions.evaluation import gold_from_project

    upgrade(db, split_agenda, {"category": {"substantive_agenda": ["agenda_drafted", "agenda_agreed"]}}, apply=True)
    with db.session() as session:
        scored = gold_from_project(session, find_project(session, "sample"), None)
        articles = [a.id for batch in scored.batches() for a in batch]
    assert articles == [2]  # article 1's gold waits for the lead's review under 1.0.0
    assert scored.source.version.endswith("(2.0.0)")


def test_the_codebook_page_builds_the_plan_for_the_ids_a_new_version_drops(db: Database, gold, web, team, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    web.log_in(team.lena)
    token = web.csrf_token(f"/projects/{project_id}/codebook")
    refused = web.post(f"/projects/{project_id}/codebook/preview", data={"csrf_token": token, "schema_text": schema_yaml(split_agenda)})
    assert refused.status_code == 422
    assert "Place the ids the new version drops" in refused.text and 'name="place:category:substantive_agenda"' in refused.text
    preview = web.post(f"/projects/{project_id}/codebook/plan", data={
        "csrf_token": token, "schema_text": schema_yaml(split_agenda), "plan_text": "",
        "place:category:substantive_agenda": "(split: people decide)",
        "split:category:substantive_agenda": "agenda_drafted, agenda_agreed"})
    assert preview.status_code == 200, preview.text
    assert "3 sent back to people for review" in re.sub(r"\s+", " ", preview.text)


def test_the_project_page_counts_the_labels_waiting_for_review(db: Database, gold, web, team, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    upgrade(db, split_agenda, {"category": {"substantive_agenda": ["agenda_drafted", "agenda_agreed"]}}, apply=True)
    web.log_in(team.lena)
    assert "3 label document(s) wait for review" in web.get(f"/projects/{project_id}").text
