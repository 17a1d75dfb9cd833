"""Importing articles: duplicates reported not stored, rejections listed, from CLI and API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from annotator.cli import main
from annotator.ingest.readers import read_paths
from annotator.ingest.store import import_records
from annotator.settings import Settings
from annotator.shipped import SAMPLE_CORPUS
from annotator.storage import Database
from annotator.storage.tables import Article
from tests.conftest import SEEDS
from tests.support import ApiClient


def article_count(db: Database, project_id: int) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Article.id)).where(Article.project_id == project_id)) or 0


def test_sample_corpus_is_imported_with_titles_and_outlets(db: Database, project_id: int) -> None:
    with db.session() as session:
        articles = session.scalars(select(Article).where(Article.project_id == project_id).order_by(Article.id)).all()
    assert len(articles) == 8
    assert articles[0].title == "Kremlin says no groundwork yet for a Putin-Zelensky meeting"
    assert articles[0].outlet == "Interfax"
    assert articles[0].external_id == "01-kremlin-no-summit"


def test_importing_the_same_corpus_again_stores_nothing_and_reports_duplicates(db: Database, project_id: int) -> None:
    with db.session(write=True) as session:
        report = import_records(session, project_id, read_paths([SAMPLE_CORPUS]))
    assert report.imported == 0
    assert len(report.duplicates) == 8
    assert article_count(db, project_id) == 8


def test_duplicates_inside_one_file_point_at_the_first_copy(db: Database, project_id: int, tmp_path: Path) -> None:
    lines = [{"text": "A new article."}, {"text": "Another one."}, {"text": "A new article."}]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    with db.session(write=True) as session:
        report = import_records(session, project_id, read_paths([path]))
    assert report.imported == 2
    [duplicate] = report.duplicates
    assert (duplicate.line, duplicate.duplicate_of) == (3, report.article_ids[0])


def test_seed_articles_import_with_titles_and_outlet(db: Database, project_id: int) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is not beside this checkout")
    with db.session(write=True) as session:
        report = import_records(session, project_id, read_paths([SEEDS]))
        stored = {a.external_id: a for a in session.scalars(select(Article).where(Article.id.in_(report.article_ids)))}
    assert (report.imported, report.rejected) == (5, [])
    assert all(0 < len(article.title) <= 81 for article in stored.values()), "short titles, not whole paragraphs"
    assert stored["002_5069d44efd4980a2"].outlet == "Swifteradio.com"
    # A headline after a breadcrumb trail, and a first sentence cut at a word.
    assert stored["004_425d0ec30b5557cf"].title == "Putin-Zelensky Talks Off: Russia Rules Out Meeting Now"
    assert stored["000_8f9f01cab868adad"].title == "As the Russian invasion of neighboring Ukraine continues, there remains little…"


def test_import_command_shows_counts_and_each_rejection(db: Database, project_id: int, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"text": "Fresh article about talks."}\n{"text": \n{"title": "no text"}\n')
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["import", "sample", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 1, duplicates 0, rejected 2" in result.output
    assert "rejected   mixed.jsonl line 2: malformed JSON" in result.output
    assert "rejected   mixed.jsonl line 3: text: Field required" in result.output


def test_import_command_refuses_an_unknown_project(db: Database, tmp_path: Path) -> None:
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["import", "nope", str(SAMPLE_CORPUS)])
    assert result.exit_code == 1
    assert "no project 'nope'" in result.output


def test_api_imports_uploaded_files(api: ApiClient, team, project_id: int, db: Database) -> None:  # type: ignore[no-untyped-def]
    lead = api.as_(team.lena)
    files = [
        ("file", ("one.txt", "Talks resume\nDelegates met again.\nSource: Reuters\n", "text/plain")),
        ("file", ("more.jsonl", '{"text": "JSONL article."}\n{"oops": 1}\n', "application/x-ndjson")),
    ]
    response = lead.post(f"/projects/{project_id}/articles", files=files)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["imported"] == 2
    assert report["rejected"] == [{"source": "more.jsonl", "line": 2, "task": None, "reason": "text: Field required; oops: Extra inputs are not permitted"}]
    assert article_count(db, project_id) == 10


def test_api_imports_a_jsonl_body(api: ApiClient, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    response = api.as_(team.lena).post(
        f"/projects/{project_id}/articles",
        data=b'{"id": "x1", "text": "Body one."}\n{"id": "x2", "text": "Body two."}\n',
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200
    assert response.json()["imported"] == 2


def test_api_imports_label_studio_tasks(api: ApiClient, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    tasks = [{"id": 1, "data": {"text": "Task text one."}}, {"id": 2, "data": {"text": "Task text two."}}]
    response = api.as_(team.lena).post(f"/projects/{project_id}/articles", json=tasks)
    assert response.status_code == 200
    assert response.json()["imported"] == 2


def test_api_import_with_an_unknown_body_type_is_refused(api: ApiClient, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    response = api.as_(team.lena).post(f"/projects/{project_id}/articles", data=b"hello", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_api_import_over_the_size_limit_is_refused_and_stores_nothing(
    api: ApiClient, team, project_id: int, settings: Settings, db: Database  # type: ignore[no-untyped-def]
) -> None:
    body = b'{"text": "' + b"x" * settings.max_upload_bytes + b'"}\n'
    response = api.as_(team.lena).post(f"/projects/{project_id}/articles", data=body, headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 413
    assert article_count(db, project_id) == 8


def test_annotators_cannot_import(api: ApiClient, project_id: int) -> None:
    response = api.post(f"/projects/{project_id}/articles", json=[{"text": "sneaky"}])
    assert response.status_code == 403


def test_leads_page_through_articles(api: ApiClient, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    lead = api.as_(team.lena)
    first = lead.get(f"/projects/{project_id}/articles", params={"limit": 5}).json()
    rest = lead.get(f"/projects/{project_id}/articles", params={"limit": 5, "after": first["next_after"]}).json()
    assert len(first["articles"]) == 5 and len(rest["articles"]) == 3
    assert rest["next_after"] is None


def test_bad_files_in_one_upload_are_each_reported_and_the_good_record_kept(api: ApiClient, team, project_id: int, db: Database) -> None:  # type: ignore[no-untyped-def]
    huge_line = ('{"text": "' + "x" * 2_000_001 + '"}\n').encode()
    files = [
        ("file", ("empty.jsonl", b"", "application/x-ndjson")),
        ("file", ("blob.jsonl", bytes(range(256)) * 4, "application/x-ndjson")),
        ("file", ("huge.jsonl", huge_line, "application/x-ndjson")),
        ("file", ("latin.txt", "Caf\xe9 talks\nBody".encode("latin-1"), "text/plain")),
        ("file", ("good.jsonl", b'{"text": "A fine new article."}\n', "application/x-ndjson")),
    ]
    report = api.as_(team.lena).post(f"/projects/{project_id}/articles", files=files).json()
    reasons = {(r["source"], r["line"]): r["reason"] for r in report["rejected"]}
    assert reasons[("empty.jsonl", None)] == "empty file"
    assert reasons[("blob.jsonl", 1)].startswith(("not UTF-8", "malformed JSON"))
    assert "at most 2000000 characters" in reasons[("huge.jsonl", 1)]
    assert reasons[("latin.txt", None)].startswith("not UTF-8")
    assert report["imported"] == 1
    assert article_count(db, project_id) == 9


def test_whitespace_line_end_and_normalisation_variants_are_reported_as_duplicates(db: Database, project_id: int) -> None:
    import io
    import json
    import unicodedata

    from annotator.ingest.readers import read_jsonl

    text = "Zelensky said Kyiv was ready.\nPeskov said Moscow was not."
    accented = unicodedata.normalize("NFC", text.replace("Kyiv", "Kyïv"))
    lines = [text, text + "\n", text.replace("\n", "\r\n"), " " + text, accented, unicodedata.normalize("NFD", accented)]
    body = "".join(json.dumps({"text": t}) + "\n" for t in lines)
    with db.session(write=True) as session:
        report = import_records(session, project_id, read_jsonl("variants.jsonl", io.BytesIO(body.encode())))
        stored = session.scalars(select(Article.text).where(Article.id.in_(report.article_ids))).all()
    assert report.imported == 2  # the text, and the text with "Kyïv"
    assert [d.line for d in report.duplicates] == [2, 3, 4, 6]
    assert stored == [text, accented]  # stored exactly as the first form came


def test_nan_and_numbers_too_long_to_read_are_rejected_records_not_a_crash(db: Database, project_id: int, tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text('{"text": "Fine article."}\n{"text": "With NaN.", "meta": {"x": NaN}}\n'
                    '{"text": "Huge.", "meta": {"n": ' + "9" * 5000 + "}}\n")
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["import", "sample", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 1, duplicates 0, rejected 2" in result.output
    assert "odd.jsonl line 2: malformed JSON: NaN is not a JSON value" in result.output
    assert "odd.jsonl line 3: malformed JSON" in result.output


def test_a_csv_body_with_a_byte_order_mark_imports_every_row_through_the_api(api: ApiClient, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    body = "\ufeffid,title,text\r\nc1,One,First article from a sheet.\r\nc2,Two,Second article from a sheet.\r\n".encode()
    report = api.as_(team.lena).post(f"/projects/{project_id}/articles", data=body, headers={"Content-Type": "text/csv"}).json()
    assert (report["imported"], report["rejected_count"]) == (2, 0)


def test_a_csv_body_without_a_header_naming_text_is_refused_whole(api: ApiClient, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    refused = api.as_(team.lena).post(f"/projects/{project_id}/articles", data=b"{}", headers={"Content-Type": "text/csv"})
    assert refused.status_code == 422 and "header line naming its columns" in refused.json()["message"]
