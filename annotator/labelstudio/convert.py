"""Statements <-> Label Studio results (pure, no SDK needed: results are plain JSON).

Label Studio has no notion of a statement, so one is spread over regions:
- every span is a region of the Labels control `span` (actor, precondition,
  source_outlet, evidence) with a per-region Number `statement` (1, 2, ...);
- the evidence region carries the statement's fields as per-region Choices:
  `actor_id`, `stance`, `target` and, if any, `source_outlet_id`;
- a precondition region carries its `category`;
- article fields are the Choices `relevant` (yes/no) and `article_outlet`, and
  the TextArea `note`.
The labeling config that declares these controls is made by labelstudio.config.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

SPAN, STATEMENT = "span", "statement"
EVIDENCE_FIELDS = ("actor_id", "stance", "target", "source_outlet_id")
CATEGORY, RELEVANT, ARTICLE_OUTLET, NOTE = "category", "relevant", "article_outlet", "note"
TEXT = "text"


class ConversionError(ValueError):
    pass


def content_to_results(content: Mapping[str, Any], with_article: bool = True) -> list[dict[str, Any]]:
    """Our annotation content as a Label Studio `result` list; a model's statements alone without `with_article`."""
    results: list[dict[str, Any]] = []
    for number, statement in enumerate(content["statements"], start=1):
        evidence = statement.get("evidence")
        if not evidence:
            raise ConversionError(f"statement {number} has no evidence span, which carries its fields")
        region = f"s{number}-evidence"
        results += _region(region, "evidence", evidence, number)
        outlet = statement.get("source_outlet") or {}
        fields = {"actor_id": statement["actor"]["id"], "stance": statement["stance"], "target": statement["target"],
                  "source_outlet_id": outlet.get("id")}
        results += [_choice(region, name, evidence, value) for name, value in fields.items() if value]
        if statement["actor"].get("span"):
            results += _region(f"s{number}-actor", "actor", statement["actor"]["span"], number)
        if outlet.get("span"):
            results += _region(f"s{number}-outlet", "source_outlet", outlet["span"], number)
        for index, precondition in enumerate(statement["preconditions"], start=1):
            if not precondition.get("span"):
                raise ConversionError(f"statement {number} precondition {index} has no span")
            pre = f"s{number}-pre{index}"
            results += _region(pre, "precondition", precondition["span"], number)
            results.append(_choice(pre, CATEGORY, precondition["span"], precondition["category"]))
    if not with_article:
        return results
    article = content["article"]
    results.append(_article_choice(RELEVANT, "yes" if article["relevant"] else "no"))
    if article.get("outlet"):
        results.append(_article_choice(ARTICLE_OUTLET, article["outlet"]))
    if article.get("note"):
        results.append({"id": NOTE, "from_name": NOTE, "to_name": TEXT, "type": "textarea", "value": {"text": [article["note"]]}})
    return results


def _region(region: str, label: str, span: Mapping[str, Any], number: int) -> list[dict[str, Any]]:
    where = {"start": span["start"], "end": span["end"], "text": span["text"]}
    return [
        {"id": region, "from_name": SPAN, "to_name": TEXT, "type": "labels", "value": {**where, "labels": [label]}},
        {"id": region, "from_name": STATEMENT, "to_name": TEXT, "type": "number", "value": {**where, "number": number}},
    ]


def _choice(region: str, name: str, span: Mapping[str, Any], value: str) -> dict[str, Any]:
    where = {"start": span["start"], "end": span["end"], "text": span["text"]}
    return {"id": region, "from_name": name, "to_name": TEXT, "type": "choices", "value": {**where, "choices": [value]}}


def _article_choice(name: str, value: str) -> dict[str, Any]:
    return {"id": name, "from_name": name, "to_name": TEXT, "type": "choices", "value": {"choices": [value]}}


def results_to_content(results: list[Mapping[str, Any]], notes: list[str] | None = None) -> dict[str, Any]:
    """A Label Studio `result` list as our annotation content (to be checked like any save).

    A span region that belongs to no statement (a suggestion the annotator left alone, as in a
    task started from our exported predictions) is left out, and `notes` says so."""
    regions: dict[str, dict[str, Any]] = defaultdict(dict)
    article: dict[str, Any] = {"relevant": True, "outlet": None, "note": ""}
    for item in results:
        name, value = item.get("from_name"), item.get("value") or {}
        if name == RELEVANT:
            article["relevant"] = _single(value, name) != "no"
        elif name == ARTICLE_OUTLET:
            article["outlet"] = _single(value, name)
        elif name == NOTE:
            article["note"] = "\n".join(value.get("text") or [])
        elif item.get("id") is None:
            raise ConversionError(f"a {name!r} result has no region id")
        else:
            _read_region_part(regions[str(item["id"])], name, value)
    statements = dict(sorted(_statements(regions, notes if notes is not None else [])))
    return {"statements": list(statements.values()), "article": article}


def _read_region_part(region: dict[str, Any], name: str | None, value: Mapping[str, Any]) -> None:
    if name == SPAN:
        labels = value.get("labels") or []
        if len(labels) != 1:
            raise ConversionError(f"a span region must have exactly one label, not {labels}")
        region["label"] = labels[0]
        region["span"] = {"start": value.get("start"), "end": value.get("end"), "text": value.get("text")}
    elif name == STATEMENT:
        region["statement"] = value.get("number")
    elif name in (*EVIDENCE_FIELDS, CATEGORY):
        region[name] = _single(value, name)
    else:
        raise ConversionError(f"unknown control {name!r}; see `annotator schema labelstudio` for the config")


def _statements(regions: Mapping[str, dict[str, Any]], notes: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for region_id, region in regions.items():
        if "label" not in region:
            raise ConversionError(f"region {region_id!r} needs a span label")
        if not isinstance(region.get("statement"), int):
            quote = (region.get("span") or {}).get("text") or ""
            notes.append(f"region {region_id!r} ({region['label']} “{quote}”) belongs to no statement: left out")
            continue
        grouped[region["statement"]].append(region)
    for number, parts in grouped.items():
        evidence = [p for p in parts if p["label"] == "evidence"]
        if len(evidence) != 1:
            raise ConversionError(f"statement {number} needs exactly one evidence region, has {len(evidence)}")
        fields = evidence[0]
        actor_span = next((p["span"] for p in parts if p["label"] == "actor"), None)
        outlet_span = next((p["span"] for p in parts if p["label"] == "source_outlet"), None)
        outlet_id = fields.get("source_outlet_id")
        yield number, {
            "actor": {"id": fields.get("actor_id") or "", "span": actor_span},
            "stance": fields.get("stance") or "",
            "target": fields.get("target") or "",
            "preconditions": [
                {"category": p.get(CATEGORY) or "", "span": p["span"]} for p in parts if p["label"] == "precondition"
            ],
            "source_outlet": {"id": outlet_id or "", "span": outlet_span} if outlet_id or outlet_span else None,
            "evidence": fields["span"],
        }


def _single(value: Mapping[str, Any], name: str | None) -> str:
    choices = value.get("choices") or []
    if len(choices) != 1:
        raise ConversionError(f"{name!r} must have exactly one choice, not {choices}")
    return str(choices[0])
