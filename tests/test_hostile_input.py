"""Hostile input found by a pass at the API and the command line: a clear 4xx or a rejected record,
never a 500 or a partial record, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from annotator.cli import main
from annotator.ingest import store
from annotator.storage import Database
from annotator.storage.tables import Article
from tests.support import ApiClient, Team

JSONL = {"Content-Type": "application/x-ndjson"}


def articles_in(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Article.id))) or 0


def good_lines(n: int) -> str:
    return "".join(json.dumps({"text": f"Article number {i} about talks."}) + "\n" for i in range(n))


@pytest.mark.parametrize("bad_line", [
    json.dumps({"text": "Deep.", "meta": json.loads("[" * 300 + "]" * 300)}),
    '{"text": "Long number.", "meta": {"n": ' + "7" * 5000 + "}}",
    '{"text": "Surrogate key.", "meta": {"\\ud800": 1}}',
    '{"text": "A NUL \\u0000 in the text."}',
], ids=["nested 300 deep", "5000-digit number", "lone surrogate key", "NUL in text"])
def test_a_bad_record_after_a_thousand_good_ones_is_rejected_by_validation(db: Database, api: ApiClient, team: Team, project_id: int, bad_line: str) -> None:
    before = articles_in(db)
    response = api.as_(team.lena).post(f"/projects/{project_id}/articles", data=good_lines(1000) + bad_line + "\n", headers=JSONL)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["imported"] == 1000
    [rejected] = report["rejected"]
    assert rejected["line"] == 1001
    assert articles_in(db) == before + 1000


def test_an_import_that_fails_part_way_keeps_whole_batches_and_completes_when_sent_again(
    db: Database, api: ApiClient, team: Team, project_id: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real, calls = store._store_batch, []

    def failing_second_batch(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(args[2]))
        if len(calls) == 2:
            raise RuntimeError("the disk went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "_store_batch", failing_second_batch)
    before = articles_in(db)
    response = api.as_(team.lena).post(f"/projects/{project_id}/articles", data=good_lines(1500), headers=JSONL)
    assert response.status_code == 500
    assert articles_in(db) == before + calls[0]  # the first batch, whole; nothing of the second
    monkeypatch.setattr(store, "_store_batch", real)
    again = api.as_(team.lena).post(f"/projects/{project_id}/articles", data=good_lines(1500), headers=JSONL).json()
    assert (again["imported"], again["duplicate_count"]) == (1500 - calls[0], calls[0])
    assert articles_in(db) == before + 1500


def test_json_nested_a_hundred_thousand_deep_is_a_bad_request(api: ApiClient, project_id: int) -> None:
    article = api.next_article(project_id)
    body = "[" * 100_000 + "]" * 100_000
    response = api.put(f"/articles/{article['id']}/annotation", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["message"]


def test_the_command_line_import_rejects_a_line_nested_too_deeply(db: Database, project_id: int, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": "Fine."}\n' + "[" * 100_000 + "]" * 100_000 + "\n")
    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["import", "sample", str(path)])
    assert result.exit_code == 0, result.output
    assert "deep.jsonl line 2: malformed JSON: nested too deeply to read" in result.output


def test_a_nul_in_a_note_is_refused_by_name(api: ApiClient, project_id: int) -> None:
    article = api.next_article(project_id)
    body = {"base_revision": None, "statements": [], "article": {"relevant": True, "outlet": None, "note": "a\u0000b"}}
    response = api.put(f"/articles/{article['id']}/annotation", json=body)
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "article.note"


def test_a_million_empty_records_get_a_report_of_bounded_size(db: Database, api: ApiClient, team: Team, project_id: int) -> None:
    response = api.as_(team.lena).post(f"/projects/{project_id}/articles", data=b"{}\n" * 200_000, headers=JSONL)
    assert response.status_code == 200
    report = response.json()
    assert (report["imported"], report["rejected_count"], len(report["rejected"])) == (0, 200_000, 100)
    assert len(response.content) < 50_000
