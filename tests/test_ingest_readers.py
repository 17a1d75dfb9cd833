"""Reading import files into records, and rejecting bad records one by one."""

from __future__ import annotations

import io
import json
from pathlib import Path

from annotator.ingest.models import ReadRecord, Rejection, derived_title
from annotator.ingest.readers import read_jsonl, read_label_studio, read_paths, read_stream, read_text_file


def test_text_file_title_is_the_first_non_empty_line() -> None:
    result = read_text_file("a.txt", b"\n\n  Talks stall in Geneva  \nBody text.\n")
    assert isinstance(result, ReadRecord)
    assert result.record.resolved_title() == "Talks stall in Geneva"


def test_trailing_source_line_becomes_the_outlet() -> None:
    result = read_text_file("a.txt", "Title\nBody.\nSource : Swifteradio.com\n".encode())
    assert isinstance(result, ReadRecord)
    assert result.record.outlet == "Swifteradio.com"


def test_text_without_source_line_has_no_outlet() -> None:
    result = read_text_file("a.txt", b"Title\nThe source of the leak was unclear.")
    assert isinstance(result, ReadRecord)
    assert result.record.outlet is None


def test_text_file_line_endings_become_newlines() -> None:
    result = read_text_file("a.txt", b"\xef\xbb\xbfTitle\r\nBody\rMore\r\n")
    assert isinstance(result, ReadRecord)
    assert result.record.text == "Title\nBody\nMore"


def test_empty_binary_and_non_utf8_files_are_rejected() -> None:
    assert read_text_file("empty.txt", b"  \n\n") == Rejection(source="empty.txt", reason="empty file")
    binary = read_text_file("blob.txt", b"PK\x03\x04\x00\x00")
    assert isinstance(binary, Rejection) and "binary" in binary.reason
    latin = read_text_file("latin.txt", "Café".encode("latin-1"))
    assert isinstance(latin, Rejection) and "not UTF-8" in latin.reason


def test_jsonl_reads_every_field() -> None:
    line = {"id": 7, "title": "T", "text": "Body", "outlet": "Reuters", "url": "https://example.org/a",
            "published": "2024-03-01", "meta": {"lang": "en"}}
    [result] = read_jsonl("a.jsonl", io.BytesIO(json.dumps(line).encode() + b"\n"))
    assert isinstance(result, ReadRecord)
    assert result.line == 1
    assert result.record.model_dump() == {**line, "id": 7}


def test_jsonl_rejects_each_bad_line_with_its_number_and_reason() -> None:
    lines = [
        '{"text": "fine"}',
        '{"text": "broken"',
        '{"title": "no text"}',
        '{"text": "x", "txt": "typo"}',
        '{"text": "x", "published": "last Tuesday"}',
        '["not", "an", "object"]',
        '{"text": "   "}',
    ]
    results = list(read_jsonl("a.jsonl", io.BytesIO("\n".join(lines).encode())))
    assert isinstance(results[0], ReadRecord)
    reasons = {r.line: r.reason for r in results if isinstance(r, Rejection)}
    assert set(reasons) == {2, 3, 4, 5, 6, 7}
    assert reasons[2].startswith("malformed JSON")
    assert reasons[3] == "text: Field required"
    assert reasons[4] == "txt: Extra inputs are not permitted"
    assert "not an ISO 8601 date" in reasons[5]
    assert "valid dictionary" in reasons[6]
    assert "text is empty" in reasons[7]


def test_jsonl_rejects_a_line_that_is_not_utf8() -> None:
    data = b'{"text": "ok"}\n{"text": "caf\xe9"}\n'
    results = list(read_jsonl("a.jsonl", io.BytesIO(data)))
    assert isinstance(results[1], Rejection) and results[1].line == 2 and "not UTF-8" in results[1].reason


def test_label_studio_tasks_with_data_and_bare_objects() -> None:
    tasks = [
        {"id": 41, "data": {"text": "First", "title": "One", "outlet": "TASS", "section": "world"}, "annotations": []},
        {"text": "Second"},
    ]
    first, second = read_label_studio("tasks.json", io.BytesIO(json.dumps(tasks).encode()))
    assert isinstance(first, ReadRecord) and isinstance(second, ReadRecord)
    assert (first.task, first.record.id, first.record.title, first.record.outlet) == (1, 41, "One", "TASS")
    assert first.record.meta == {"section": "world"}
    assert second.record.text == "Second"


def test_label_studio_task_without_text_is_rejected_by_number() -> None:
    results = list(read_label_studio("tasks.json", io.BytesIO(b'[{"data": {"text": "ok"}}, {"data": {"body": "no"}}]')))
    assert isinstance(results[1], Rejection)
    assert (results[1].task, results[1].reason) == (2, "text: Input should be a valid string")


def test_label_studio_file_that_is_not_json_is_rejected() -> None:
    [result] = read_label_studio("tasks.json", io.BytesIO(b"<html>"))
    assert isinstance(result, Rejection) and "not a Label Studio JSON file" in result.reason


def test_unsupported_file_type_is_rejected() -> None:
    [result] = read_stream("notes.docx", io.BytesIO(b"..."))
    assert isinstance(result, Rejection) and "unsupported file type" in result.reason


def test_folder_reads_txt_files_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Second\nbody")
    (tmp_path / "a.txt").write_text("First\nbody")
    (tmp_path / "ignored.md").write_text("# not an article")
    counted: list[int] = []
    results = list(read_paths([tmp_path], on_bytes=counted.append))
    assert [r.source for r in results] == ["a.txt", "b.txt"]
    assert sum(counted) == len("First\nbody") + len("Second\nbody")


def test_a_headline_first_line_is_the_title() -> None:
    assert derived_title("Talks stall in Geneva\n\nDelegates left early.") == "Talks stall in Geneva"


def test_a_question_headline_is_kept_whole() -> None:
    assert derived_title("What's next for Zelensky-Putin talks?\nBody.") == "What's next for Zelensky-Putin talks?"


def test_an_article_that_opens_with_body_text_gets_its_first_sentence_as_title() -> None:
    text = "The Kremlin said on Tuesday it saw no basis for talks. Officials added more later.\nSecond paragraph."
    assert derived_title(text) == "The Kremlin said on Tuesday it saw no basis for talks."


def test_a_long_first_sentence_is_cut_at_a_word() -> None:
    text = "Officials " + "in many capitals said again and again " * 6 + "that nothing would change soon."
    title = derived_title(text)
    assert title.endswith("…") and len(title) <= 80
    assert text.startswith(title[:-1])
    assert text[len(title) - 1] == " "


def test_a_label_studio_file_is_read_task_by_task_as_it_arrives() -> None:
    tasks = json.dumps([{"data": {"text": f"Article {i} about talks."}} for i in range(20_000)]).encode()
    stream = io.BytesIO(b"\xef\xbb\xbf\n" + tasks)
    first = next(read_label_studio("big.json", stream))
    assert isinstance(first, ReadRecord) and first.record.text == "Article 0 about talks."
    assert stream.tell() < len(tasks) / 4  # the rest is still unread


def test_a_label_studio_file_broken_part_way_keeps_the_tasks_before_it() -> None:
    results = list(read_label_studio("cut.json", io.BytesIO(b'[{"data": {"text": "Whole."}}, {"data": {"te')))
    assert isinstance(results[0], ReadRecord) and isinstance(results[1], Rejection)
    assert "not a Label Studio JSON file" in results[1].reason


def test_a_jsonl_file_saved_with_a_byte_order_mark_keeps_its_first_line() -> None:
    results = list(read_stream("excel.jsonl", io.BytesIO(b'\xef\xbb\xbf{"text": "First."}\n{"text": "Second."}\n')))
    assert [r.record.text for r in results if isinstance(r, ReadRecord)] == ["First.", "Second."]


def test_a_csv_file_from_a_spreadsheet_imports_like_jsonl() -> None:
    data = ('\ufeffid,title,text,outlet,section\r\n'
            'a1,Talks,"Peskov said, again, that talks\r\nwere off.",TASS,world\r\n'
            'a2,,Second article.,,\r\n').encode()
    first, second = read_stream("sheet.csv", io.BytesIO(data))
    assert isinstance(first, ReadRecord) and isinstance(second, ReadRecord)
    assert (first.record.id, first.record.title, first.record.outlet, first.record.meta) == ("a1", "Talks", "TASS", {"section": "world"})
    assert first.record.text == "Peskov said, again, that talks\r\nwere off."
    assert (second.line, second.record.title, second.record.outlet) == (4, None, None)


def test_a_csv_file_without_a_text_column_is_refused_with_the_columns_it_needs() -> None:
    [result] = read_stream("sheet.csv", io.BytesIO(b"id,body\n1,Something\n"))
    assert isinstance(result, Rejection) and "names no text column" in result.reason and "published" in result.reason
