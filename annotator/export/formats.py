"""Turn one settled article into the lines of each export format (pure, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from annotator.labelstudio.convert import content_to_results

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
SENTENCE_END = frozenset(".!?")
# BIO cannot nest: where tagged spans overlap, the earlier label here wins.
TAGGED_LABELS = ("ACTOR", "SOURCE_OUTLET", "PRECONDITION")


def statement_rows(record: Mapping[str, Any], text: str) -> Iterator[dict[str, Any]]:
    """`statements` lines of one gold record: each statement with its evidence text."""
    for index, statement in enumerate(record["statements"]):
        evidence = statement["evidence"]
        outlet = statement.get("source_outlet")
        yield {
            "article_id": record["id"],
            "statement": index,
            "split": record["split"],
            "status": record["provenance"]["status"],
            "actor": statement["actor"]["id"],
            "target": statement["target"],
            "stance": statement["stance"],
            "preconditions": sorted({p["category"] for p in statement["preconditions"]}),
            "source_outlet": outlet["id"] if outlet else None,
            "evidence": evidence,
            "evidence_text": text[evidence["start"] : evidence["end"]],
        }


def tagged_spans(statements: list[Mapping[str, Any]]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for statement in statements:
        if statement["actor"].get("span"):
            spans.append((statement["actor"]["span"]["start"], statement["actor"]["span"]["end"], "ACTOR"))
        outlet = statement.get("source_outlet") or {}
        if outlet.get("span"):
            spans.append((outlet["span"]["start"], outlet["span"]["end"], "SOURCE_OUTLET"))
        for precondition in statement["preconditions"]:
            if precondition.get("span"):
                spans.append((precondition["span"]["start"], precondition["span"]["end"], "PRECONDITION"))
    return sorted(spans, key=lambda s: TAGGED_LABELS.index(s[2]))


def conll_lines(record: Mapping[str, Any]) -> Iterator[str]:
    """`spans` format: a document of `token<TAB>BIO tag` lines; a token touched by a span takes its tag."""
    text = record["text"]
    spans = tagged_spans(record["statements"])
    yield f"-DOCSTART-\tO\t# article {record['id']} split {record['split']}"
    yield ""
    previous: tuple[int, str] | None = None  # (span index, label) of the last tagged token
    for match in TOKEN.finditer(text):
        start, end = match.span()
        hit = next(((i, label) for i, (s, e, label) in enumerate(spans) if s < end and start < e), None)
        if hit is None:
            tag = "O"
        else:
            tag = ("I-" if previous == hit else "B-") + hit[1]
        previous = hit
        yield f"{match.group()}\t{tag}"
        if match.group() in SENTENCE_END:
            yield ""
            previous = None
    yield ""


class ModelStatements(NamedTuple):
    """A model's statements for one article, sent to Label Studio as a pre-annotation."""

    model_version: str  # NAME@VERSION
    statements: list[dict[str, Any]]


def labelstudio_task(
    record: Mapping[str, Any], suggestions: Sequence[Mapping[str, Any]], account: str | None = None,
    predicted: ModelStatements | None = None,
) -> dict[str, Any]:
    """A Label Studio task: the record's labels as a ground-truth annotation (none for an article
    without labels, there to be labeled), alias suggestions and a model's statements as predictions.

    The annotation names no user unless `account` (an e-mail the receiving server knows) is given:
    Label Studio refuses a whole import that names a user it does not have."""
    annotations = []
    if record["provenance"]["status"] != "unlabeled":
        content = {"statements": record["statements"], "article": record["article"]}
        annotation: dict[str, Any] = {"result": content_to_results(content), "ground_truth": record["provenance"]["status"] == "gold"}
        if account:
            annotation["completed_by"] = {"email": account}
        annotations.append(annotation)
    model = [] if predicted is None else [{
        "model_version": predicted.model_version,
        "score": min(s["score"] for s in predicted.statements) if all(s.get("score") is not None for s in predicted.statements) else None,
        "result": content_to_results({"statements": predicted.statements}, with_article=False),
    }]
    return {
        "id": record["id"],
        "data": {"text": record["text"], "title": record["title"], "article_id": record["id"],
                 "external_id": record["external_id"], "split": record["split"]},
        "annotations": annotations,
        "predictions": model + [{
            "model_version": "vocabulary-aliases",
            "result": [
                {"id": f"suggestion-{i}", "from_name": "span", "to_name": "text", "type": "labels",
                 "value": {"start": s["start"], "end": s["end"], "text": s["text"],
                           "labels": ["actor" if s["vocabulary"] == "actors" else "source_outlet"]}}
                for i, s in enumerate(suggestions)
            ],
        }],
    }
