"""Gold exports: versioned folders that validate, stable splits, streaming, Label Studio round trip."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from sqlalchemy import text as sql

from annotator.cli import main
from annotator.export import service
from annotator.export.jsonschemas import render_schemas
from annotator.export.splits import DEFAULT_RATIOS, split_of
from annotator.labelschema import LabelSchema
from annotator.labelstudio.config import labeling_config, validate_results
from annotator.shipped import schemas_dir
from annotator.storage import Database
from tests.support import ApiClient, Team, refusal_statement
from tests.test_adjudication import labeled  # noqa: F401 - the shared fixture

SCHEMAS = schemas_dir()


def run(db: Database, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, list(args))


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def validator(name: str) -> jsonschema.Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture
def gold(api: ApiClient, team: Team, labeled: dict[str, Any], project_id: int) -> dict[str, Any]:  # noqa: F811
    """Gold for both labeled articles: the unanimous one in bulk, the other adjudicated."""
    lead = api.as_(team.lena)
    lead.post(f"/projects/{project_id}/gold/accept-unanimous")
    second = labeled["second"]
    ben = lead.get(f"/articles/{second['id']}/comparison").json()["rows"][0]["statements"]["ben"]
    lead.put(f"/articles/{second['id']}/gold", json={"base_revision": None, "statements": [ben]}).raise_for_status()
    return labeled


def test_export_writes_a_versioned_folder_whose_lines_validate(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(db, "export", "sample", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "sample" / "v1"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "gold.jsonl", "manifest.json"]
    records = lines(folder / "gold.jsonl")
    assert [r["id"] for r in records] == [gold["first"]["id"], gold["second"]["id"]]
    assert all(not list(validator("gold-record").iter_errors(r)) for r in records)
    assert [r["provenance"]["method"] for r in records] == ["unanimous", "adjudicated"]
    assert records[0]["statements"] == [refusal_statement(gold["first"]["text"])]


def test_manifest_hashes_counts_and_validates(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db, "export", "sample", "--out", str(tmp_path))
    folder = tmp_path / "sample" / "v1"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert not list(validator("manifest").iter_errors(manifest))
    [data] = manifest["files"]
    assert data["sha256"] == hashlib.sha256((folder / "gold.jsonl").read_bytes()).hexdigest()
    assert (data["records"], manifest["counts"]["articles"]["gold"]) == (2, 2)
    assert manifest["counts"]["stance"] == {"conditional": 2}
    assert manifest["schema_version"] == "1.0.0" and manifest["annotators"] == ["ana", "ben"]
    assert set(manifest["agreement"]) >= {"stance", "preconditions"}
    assert manifest["command"].startswith("annotator")
    card = (folder / "README.md").read_text()
    assert "# sample v1: gold export" in card and "ana, ben" in card


def test_each_export_is_a_new_version(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db, "export", "sample", "--out", str(tmp_path))
    run(db, "export", "sample", "--out", str(tmp_path), "--format", "statements")
    assert sorted(p.name for p in (tmp_path / "sample").iterdir()) == ["v1", "v2"]


def test_statements_format_carries_the_evidence_text(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db, "export", "sample", "--out", str(tmp_path), "--format", "statements")
    rows = lines(tmp_path / "sample" / "v1" / "statements.jsonl")
    assert all(not list(validator("statement-record").iter_errors(r)) for r in rows)
    first = rows[0]
    assert first["evidence_text"] == "Until the delegations have a substantive agenda on paper"
    assert (first["actor"], first["stance"], first["preconditions"]) == ("peskov", "conditional", ["substantive_agenda"])


def test_spans_format_tags_actors_and_preconditions(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db, "export", "sample", "--out", str(tmp_path), "--format", "spans")
    conll = (tmp_path / "sample" / "v1" / "spans.conll").read_text()
    assert "Kremlin\tB-ACTOR\nspokesman\tI-ACTOR\nDmitry\tI-ACTOR\nPeskov\tI-ACTOR\n" in conll
    assert "substantive\tI-PRECONDITION" in conll
    assert conll.count("-DOCSTART-") == 2


def test_no_gold_yet_is_refused_unless_unadjudicated_records_are_wanted(db: Database, labeled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    refused = run(db, "export", "sample", "--out", str(tmp_path))
    assert refused.exit_code == 1
    assert "has no gold yet" in refused.output and "--include-unadjudicated" in refused.output
    assert not (tmp_path / "sample").exists() or not any((tmp_path / "sample").iterdir())
    run(db, "export", "sample", "--out", str(tmp_path), "--include-unadjudicated")
    records = lines(tmp_path / "sample" / "v1" / "gold.jsonl")
    assert {r["provenance"]["status"] for r in records} == {"majority_vote"}
    agreements = {r["id"]: r["provenance"]["agreement"] for r in records}
    assert agreements[labeled["first"]["id"]] == 1.0
    assert agreements[labeled["second"]["id"]] < 1.0


def test_a_majority_vote_record_marks_a_tie_and_takes_no_side(db: Database, labeled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    run(db, "export", "sample", "--out", str(tmp_path), "--include-unadjudicated")
    records = {r["id"]: r for r in lines(tmp_path / "sample" / "v1" / "gold.jsonl")}
    split = records[labeled["second"]["id"]]  # Ana says refuses, Ben conditional
    assert split["provenance"]["ties"] == ["statement (psaki, leaders_meeting)"]
    assert split["statements"] == []
    assert records[labeled["first"]["id"]]["provenance"]["ties"] == []


def test_an_empty_project_is_refused(db: Database, schema: LabelSchema, tmp_path: Path) -> None:
    schema_file = schemas_dir() / "diplomacy-stance.yaml"
    run(db, "project", "create", "empty", "--schema", str(schema_file))
    result = run(db, "export", "empty", "--out", str(tmp_path))
    assert result.exit_code == 1 and "has no articles" in result.output


def test_an_interrupted_export_leaves_no_folder(db: Database, gold, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        yield b'{"half": '
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "data_lines", broken)
    with pytest.raises(KeyboardInterrupt):
        from annotator.projects.service import find_project

        with db.session() as session:
            service.write_export(session, find_project(session, "sample"), service.ExportOptions(), tmp_path, "test")
    assert list((tmp_path / "sample").iterdir()) == []


def test_ratios_that_are_not_numbers_are_refused_on_the_command_line(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    refused = run(db, "export", "sample", "--out", str(tmp_path), "--ratios", "nan,nan,nan")
    assert refused.exit_code == 2 and "must be three non-negative numbers summing to 1" in refused.output


def test_splits_depend_only_on_the_article_and_the_seed() -> None:
    before = {i: split_of(f"external:{i}", 13, DEFAULT_RATIOS) for i in range(1, 2001)}
    after = {i: split_of(f"external:{i}", 13, DEFAULT_RATIOS) for i in range(1, 4001)}
    assert all(after[i] == before[i] for i in before)
    shares = {s: sum(1 for v in after.values() if v == s) / len(after) for s in ("train", "dev", "test")}
    assert shares == pytest.approx(DEFAULT_RATIOS, abs=0.03)
    assert split_of("external:7", 13, DEFAULT_RATIOS) == split_of("external:7", 13, DEFAULT_RATIOS)
    assert any(split_of(f"external:{i}", 14, DEFAULT_RATIOS) != before[i] for i in before)


def test_json_schemas_in_git_match_the_models() -> None:
    for name, text in render_schemas().items():
        assert (SCHEMAS / name).read_text() == text, f"schemas/{name} is stale: run `annotator schema jsonschemas`"


def test_api_streams_an_export(api: ApiClient, team: Team, gold, project_id: int) -> None:  # type: ignore[no-untyped-def]
    with api.as_(team.lena).get(f"/projects/{project_id}/export", params={"format": "statements"}, stream=True) as response:
        assert response.status_code == 200
        assert re.fullmatch(r'attachment; filename="sample-statements-\d{8}-\d{6}\.jsonl"', response.headers["Content-Disposition"])
        rows = [json.loads(line) for line in response.iter_lines() if line]
    assert [r["stance"] for r in rows] == ["conditional", "conditional"]


def test_the_spans_file_is_sent_with_one_charset(api: ApiClient, team: Team, gold, project_id: int) -> None:  # type: ignore[no-untyped-def]
    response = api.as_(team.lena).get(f"/projects/{project_id}/export", params={"format": "spans"})
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_api_refuses_bad_export_requests(api: ApiClient, team: Team, labeled, project_id: int) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    lead = api.as_(team.lena)
    assert lead.get(f"/projects/{project_id}/export", params={"format": "xml"}).status_code == 422
    assert lead.get(f"/projects/{project_id}/export", params={"ratios": "0.5,0.5,0.5"}).status_code == 422
    assert lead.get(f"/projects/{project_id}/export", params={"ratios": "nan,nan,nan"}).status_code == 422
    no_gold = lead.get(f"/projects/{project_id}/export")
    assert no_gold.status_code == 409 and "no gold yet" in no_gold.json()["message"]
    assert api.get(f"/projects/{project_id}/export").status_code == 403


def test_labelstudio_export_is_valid_for_label_studio_and_round_trips(db: Database, gold, schema: LabelSchema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db, "export", "sample", "--out", str(tmp_path), "--format", "labelstudio")
    tasks = json.loads((tmp_path / "sample" / "v1" / "labelstudio.json").read_text())
    config = labeling_config(schema)
    labeled = [task for task in tasks if task["annotations"]]
    assert len(labeled) == 2 and len(tasks) == 8  # the six articles without labels go to be labeled there
    for task in labeled:
        assert "completed_by" not in task["annotations"][0]  # a server refuses a file naming a user it lacks
        assert validate_results(config, task["annotations"][0]["result"]) == []
    for task in tasks:
        assert validate_results(config, task["predictions"][0]["result"]) == []
    exported = {r["id"]: r for r in lines(_gold_file(db, tmp_path))}
    # Back in: the Label Studio annotations become labels of annotator "labelstudio", equal to the gold we exported.
    result = run(db, "import-annotations", "sample", str(tmp_path / "sample" / "v1" / "labelstudio.json"), "--json")
    assert json.loads(result.output)["imported"] == 2
    with db.session() as session:
        from annotator.adjudicate.service import head_versions

        versions = head_versions(session, list(exported))
    for article_id, record in exported.items():
        [imported] = [v for v in versions[article_id] if v.annotator == "labelstudio"]
        assert imported.content["statements"] == record["statements"]
        assert imported.content["article"] == record["article"]


def test_a_labelstudio_export_credits_gold_to_the_account_named(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db, "export", "sample", "--out", str(tmp_path), "--format", "labelstudio", "--labelstudio-account", "lead@example.org")
    tasks = json.loads((tmp_path / "sample" / "v1" / "labelstudio.json").read_text())
    assert {t["annotations"][0]["completed_by"]["email"] for t in tasks if t["annotations"]} == {"lead@example.org"}


def _gold_file(db: Database, tmp_path: Path) -> Path:
    run(db, "export", "sample", "--out", str(tmp_path / "gold"))
    return tmp_path / "gold" / "sample" / "v1" / "gold.jsonl"


def test_lead_pages_offer_streamed_downloads(web, team: Team, gold, project_id: int) -> None:  # type: ignore[no-untyped-def]
    web.log_in(team.lena)
    page = web.get(f"/projects/{project_id}").text
    assert f"/api/v1/projects/{project_id}/export?format=statements" in page
    download = web.get(f"/api/v1/projects/{project_id}/export?format=gold")
    assert download.status_code == 200 and len(download.text.splitlines()) == 2


def test_the_same_articles_imported_into_two_projects_get_the_same_splits(db: Database, schema: LabelSchema) -> None:
    import io

    from sqlalchemy import select

    from annotator.export.service import ExportOptions, article_split
    from annotator.ingest.readers import read_jsonl
    from annotator.ingest.store import import_records
    from annotator.projects.service import create_project
    from annotator.storage.tables import Article

    lines = [{"id": f"src-{i}", "text": f"Article {i} about talks."} for i in range(40)]
    lines += [{"text": f"An article without an id, number {i}."} for i in range(40)]
    splits = []
    for name, order in (("first", lines), ("second", list(reversed(lines)))):
        with db.session(write=True) as session:
            project = create_project(session, name, schema)
            session.commit()
            body = "".join(json.dumps(line) + "\n" for line in order).encode()
            import_records(session, project.id, read_jsonl("a.jsonl", io.BytesIO(body)))
            articles = session.scalars(select(Article).where(Article.project_id == project.id))
            splits.append({a.text: article_split(a, ExportOptions()) for a in articles})
    assert splits[0] == splits[1]
    assert set(splits[0].values()) == {"train", "dev", "test"}


def test_a_project_name_with_markup_shows_as_text_in_the_dataset_card(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        session.execute(sql("UPDATE projects SET name = :name"), {"name": "<img src=x onerror=alert(1)> *talks*"})
    run(db, "export", "1", "--out", str(tmp_path))
    card = next(tmp_path.rglob("README.md")).read_text()
    assert card.startswith(r"# &lt;img src=x onerror=alert\(1\)&gt; \*talks\* v1")
    assert "<img" not in card


def test_the_evaluation_samples_take_a_whole_number_not_true_or_false(api: ApiClient, team: Team, project_id: int) -> None:
    refused = api.as_(team.lena).post(f"/projects/{project_id}/evaluations", json={"samples": False})
    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "samples"


def test_the_openapi_document_states_the_ratios_as_the_server_takes_them(api: ApiClient, team: Team, project_id: int) -> None:
    document = api.get("/openapi.json").json()
    export = document["paths"]["/api/v1/projects/{project_id}/export"]["get"]
    pattern = next(p["schema"]["pattern"] for p in export["parameters"] if p["name"] == "ratios")
    for ratios, fits in (("0.8,0.1,0.1", True), ("nan,0.5,0.5", False), ("-0.2,0.6,0.6", False), ("1", False)):
        assert bool(re.fullmatch(pattern, ratios)) is fits
        status = api.as_(team.lena).get(f"/projects/{project_id}/export", params={"ratios": ratios}).status_code
        assert (status != 422) is fits, ratios


def test_a_download_with_majority_votes_is_named_apart_from_gold(api: ApiClient, team: Team, gold, project_id: int) -> None:  # type: ignore[no-untyped-def]
    names = [api.as_(team.lena).get(f"/projects/{project_id}/export", params=params).headers["Content-Disposition"]
             for params in ({"format": "gold"}, {"format": "gold", "include_unadjudicated": "true"})]
    assert "sample-gold-2" in names[0] and "sample-gold-with-majority-2" in names[1]


def test_gold_records_say_what_was_tied_as_majority_records_do(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db, "export", "sample", "--out", str(tmp_path))
    assert all(record["provenance"]["ties"] == [] for record in lines(tmp_path / "sample" / "v1" / "gold.jsonl"))


def test_the_card_of_a_spans_export_says_how_pandas_reads_it(db: Database, gold, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(db, "export", "sample", "--out", str(tmp_path), "--format", "spans")
    assert "quoting=csv.QUOTE_NONE" in (tmp_path / "sample" / "v1" / "README.md").read_text()
