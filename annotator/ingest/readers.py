"""Turn import files into article records or per-record rejections (no database)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

import ijson
from pydantic import ValidationError

from annotator.ingest.models import ArticleRecord, ReadRecord, Rejection, SourcePosition
from annotator.streams import BOM, first_byte, numbered_lines

ReadResult = ReadRecord | Rejection

SOURCE_LINE = re.compile(r"^\s*Source\s*:\s*(?P<outlet>\S.*?)\s*$", re.IGNORECASE)
LABEL_STUDIO_FIELDS = ("title", "outlet", "url", "published")
CSV_COLUMNS = ("id", "title", "text", "outlet", "url", "published")
FLAT_EXPORT_REFUSAL = ("Label Studio's {kind} export flattens each annotation, so a choice no longer says which "
                       "span it belongs to, and holds no predictions; export the project from Label Studio as JSON instead")
CONLL_REFUSAL = ("Label Studio's CoNLL export holds tokens and tags only, not the text as written nor any "
                 "choice; export the project from Label Studio as JSON instead")


ByteCounter = Callable[[int], None]


def read_paths(paths: Iterable[Path], on_bytes: ByteCounter | None = None) -> Iterator[ReadResult]:
    """Records from files and folders, the format chosen by each path's kind and suffix.

    `on_bytes` hears how many bytes have been read, for a progress bar.
    """
    count = on_bytes or (lambda _n: None)
    for path in paths:
        if path.is_dir():
            for child in sorted(path.glob("*.txt")):
                data = child.read_bytes()
                count(len(data))
                yield read_text_file(child.name, data)
        else:
            with path.open("rb") as stream:
                yield from read_stream(path.name, cast(IO[bytes], _CountingStream(stream, count)))


def import_size(paths: Iterable[Path]) -> int:
    """Bytes read_paths will read, for a progress bar's length."""
    return sum(
        sum(f.stat().st_size for f in path.glob("*.txt")) if path.is_dir() else path.stat().st_size
        for path in paths
    )


class _CountingStream:
    def __init__(self, stream: IO[bytes], count: ByteCounter) -> None:
        self._stream = stream
        self._count = count

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._count(len(data))
        return data

    def __iter__(self) -> Iterator[bytes]:
        for line in self._stream:
            self._count(len(line))
            yield line


def read_stream(name: str, stream: IO[bytes]) -> Iterator[ReadResult]:
    suffix = Path(name).suffix.lower()
    if suffix == ".txt":
        yield read_text_file(name, stream.read())
    elif suffix in (".jsonl", ".ndjson"):
        yield from read_jsonl(name, stream)
    elif suffix in (".csv", ".tsv"):
        yield from read_csv(name, stream, delimiter="\t" if suffix == ".tsv" else ",")
    elif suffix == ".json":
        yield from read_label_studio(name, stream)
    elif suffix in (".conll", ".conll2003"):
        yield Rejection(source=name, reason=CONLL_REFUSAL)
    else:
        yield Rejection(source=name, reason="unsupported file type; use .txt, .jsonl, .csv, .tsv or .json (Label Studio tasks)")


def read_text_file(name: str, data: bytes) -> ReadResult:
    """A plain article: title from the first non-empty line, outlet from a trailing `Source: X`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Rejection(source=name, reason=f"not UTF-8 text ({error.reason} at byte {error.start})")
    # Browsers show \n only; offsets must index the text exactly as shown.
    text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    if "\x00" in text:
        return Rejection(source=name, reason="binary file (contains NUL bytes)")
    if not text.strip():
        return Rejection(source=name, reason="empty file")
    last_line = text.rsplit("\n", 1)[-1]
    outlet = match.group("outlet") if (match := SOURCE_LINE.match(last_line)) else None
    return _validated(name, {"id": Path(name).stem, "text": text, "outlet": outlet})


def read_jsonl(name: str, stream: IO[bytes]) -> Iterator[ReadResult]:
    empty = True
    for number, raw in numbered_lines(stream):
        empty = False
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
        except UnicodeDecodeError as error:
            yield Rejection(source=name, line=number, reason=f"not UTF-8 ({error.reason})")
            continue
        except json.JSONDecodeError as error:
            yield Rejection(source=name, line=number, reason=f"malformed JSON: {error.msg} at column {error.colno}")
            continue
        except ValueError as error:  # a number Python will not read (thousands of digits), or NaN
            yield Rejection(source=name, line=number, reason=f"malformed JSON: {error}")
            continue
        except RecursionError:
            yield Rejection(source=name, line=number, reason="malformed JSON: nested too deeply to read")
            continue
        yield _validated(name, data, line=number)
    if empty:
        yield Rejection(source=name, reason="empty file")


def csv_names_text(header: bytes) -> bool:
    """Whether a CSV file's first line names a text column (the one column an article needs)."""
    try:
        columns = next(csv.reader([header.removeprefix(BOM).decode("utf-8")]), [])
    except (UnicodeDecodeError, csv.Error):
        return False
    return "text" in columns


def read_csv(name: str, stream: IO[bytes], delimiter: str = ",") -> Iterator[ReadResult]:
    """A CSV (or tab-separated) file, as Excel or a spreadsheet saves it, whose header names its
    columns: `text`, and any of `id`, `title`, `outlet`, `url`, `published`; other columns go to the
    article's meta. Label Studio's CSV and TSV exports (a row per annotation) give one article per task."""
    try:
        rows = csv.DictReader((line.decode("utf-8") for _, line in numbered_lines(stream)), delimiter=delimiter)
        header = rows.fieldnames
    except UnicodeDecodeError as error:
        yield Rejection(source=name, reason=f"not UTF-8 text ({error.reason})")
        return
    if not header:
        yield Rejection(source=name, reason="empty file")
        return
    if "text" not in header:
        yield Rejection(source=name, line=1, reason=f"the header names no text column; name the columns {', '.join(CSV_COLUMNS)}")
        return
    flat = FlatExport()
    try:
        for row in rows:
            if "annotation_id" in header:
                if flat.seen(row):
                    continue
                yield _validated(name, flat.article(row), line=rows.line_num)
                continue
            known = {column: value for column in CSV_COLUMNS if (value := row.get(column)) not in (None, "")}
            meta = {column: value for column, value in row.items() if column not in CSV_COLUMNS and column and value}
            yield _validated(name, {**known, "meta": meta}, line=rows.line_num)
    except (UnicodeDecodeError, csv.Error) as error:
        yield Rejection(source=name, line=rows.line_num + 1, reason=f"unreadable CSV: {error}")


def _not_json(constant: str) -> Any:
    """NaN and Infinity are not JSON; Python's reader would take them and the database store null."""
    raise ValueError(f"{constant} is not a JSON value")


def iter_tasks(name: str, stream: IO[bytes]) -> Iterator[Any]:
    """The tasks of a Label Studio JSON file (a list of tasks, or one task) as they are read, so a
    large export is never held whole; a Rejection where the file stops being readable."""
    start, rest = first_byte(stream)
    if start == b"{":
        yield from _one_task(name, rest.read())
        return
    if start != b"[":
        yield Rejection(source=name, reason="not a Label Studio JSON file: expected a JSON list of tasks")
        return
    try:
        yield from ijson.items(rest, "item", use_float=True)
    except (ijson.JSONError, UnicodeDecodeError) as error:
        yield Rejection(source=name, reason=f"not a Label Studio JSON file: {str(error).splitlines()[0]}")


def _one_task(name: str, data: bytes) -> Iterator[Any]:
    try:
        yield json.loads(data.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError) as error:
        yield Rejection(source=name, reason=f"not a Label Studio JSON file: {error}")
    except RecursionError:
        yield Rejection(source=name, reason="not a Label Studio JSON file: nested too deeply to read")


def labelstudio_tasks(name: str, stream: IO[bytes]) -> Iterator[tuple[SourcePosition, str, dict[str, Any]] | Rejection]:
    """Each task of a Label Studio JSON file with its position and text, or why it cannot be read."""
    for number, task in enumerate(iter_tasks(name, stream), start=1):
        if isinstance(task, Rejection):
            yield task
            return
        if is_flat_row(task):
            yield Rejection(source=name, reason=FLAT_EXPORT_REFUSAL.format(kind="JSON_MIN"))
            return
        position = SourcePosition(source=name, task=number)
        text = (task.get("data") or {}).get("text") if isinstance(task, dict) else None
        if isinstance(text, str):
            yield position, text, task
        else:
            yield Rejection(**position.model_dump(), reason="task has no data.text")


def read_label_studio(name: str, stream: IO[bytes]) -> Iterator[ReadResult]:
    """Label Studio tasks: a list of `{"id", "data": {"text", ...}}`, or of bare data objects, or its
    JSON_MIN export (a flat row per annotation: one article per task)."""
    flat = FlatExport()
    for number, task in enumerate(iter_tasks(name, stream), start=1):
        if isinstance(task, Rejection):
            yield task
            return
        if is_flat_row(task):
            if not flat.seen(task):
                yield _validated(name, flat.article(task), task=number)
            continue
        yield _validated(name, _article_from_task(task), task=number)


def _article_from_task(task: Any) -> Any:
    if not isinstance(task, dict):
        return task
    fields = task.get("data", task)
    if not isinstance(fields, dict):
        return fields
    known = {key: fields[key] for key in LABEL_STUDIO_FIELDS if key in fields}
    meta = {k: v for k, v in fields.items() if k not in (*LABEL_STUDIO_FIELDS, "text", "id", "external_id")}
    return {"id": _source_id(fields, task.get("id", fields.get("id"))), "text": fields.get("text"), **known, "meta": meta}


def _source_id(fields: dict[str, Any], task_id: Any) -> Any:
    """The article's id in its source: the `external_id` our own export put in the task's data (so a
    round trip keeps every article's id, and so its split), else Label Studio's task id."""
    external = fields.get("external_id")
    return external if isinstance(external, str | int) and str(external).strip() else task_id


def is_flat_row(task: Any) -> bool:
    """Whether a JSON item is a row of Label Studio's JSON_MIN export (an annotation, flattened)."""
    return isinstance(task, dict) and "data" not in task and "annotation_id" in task


class FlatExport:
    """Label Studio's flat exports (JSON_MIN, CSV, TSV) hold a row per annotation: one article per task."""

    def __init__(self) -> None:
        self._tasks: set[str] = set()

    def seen(self, row: dict[str, Any]) -> bool:
        """Whether the row's task was met before (a second annotator's row); marks it met."""
        task = str(row.get("id"))
        if task in self._tasks:
            return True
        self._tasks.add(task)
        return False

    @staticmethod
    def article(row: dict[str, Any]) -> dict[str, Any]:
        """The task's data as an article; the rest of a flat row is one annotator's labels, not the article's."""
        known = {key: row[key] for key in LABEL_STUDIO_FIELDS if row.get(key) not in (None, "")}
        return {"id": _source_id(row, row.get("id")), "text": row.get("text"), **known}


def _validated(source: str, data: Any, line: int | None = None, task: int | None = None) -> ReadResult:
    try:
        record = ArticleRecord.model_validate(data)
    except ValidationError as error:
        return Rejection(source=source, line=line, task=task, reason=validation_reason(error))
    return ReadRecord(source=source, line=line, task=task, record=record)


def validation_reason(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in issue['loc']) or 'record'}: {issue['msg']}" for issue in error.errors()
    )
