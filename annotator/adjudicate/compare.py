"""Compare annotators' labels for one article and propose gold (pure, no I/O)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.adjudicate.models import GoldMethod, KeyRow
from annotator.annotate.models import ArticleLabels
from annotator.agreement.units import StatementKey, first_statements

STATEMENT_PARTS = ("actor", "stance", "preconditions", "source_outlet", "evidence")
ARTICLE_PARTS = ("relevant", "outlet")


@dataclass(frozen=True)
class Version:
    """One annotator's head revision of the article."""

    annotator: str
    revision: int
    content: Mapping[str, Any]
    by_lead: bool = False  # a lead's own labels, beside the annotators'
    schema_version: str = ""  # the version they were made under (or carried to)


def canonical_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement with preconditions in a fixed order, so equal labels compare equal."""
    preconditions = sorted(statement["preconditions"], key=lambda p: (p["category"], json.dumps(p.get("span"), sort_keys=True)))
    return {**statement, "preconditions": preconditions}


def canonical_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """Labels in comparable form: statements by key, article fields without the free-text note."""
    by_key, _ = first_statements(content["statements"])
    return {
        "statements": [canonical_statement(by_key[key]) for key in sorted(by_key)],
        "article": {part: content["article"][part] for part in ARTICLE_PARTS},
    }


def _fingerprint(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def same_labels(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    """Whether two label documents say the same (statements in any order, the note aside)."""
    return _fingerprint(canonical_content(first)) == _fingerprint(canonical_content(second))


def is_unanimous(versions: Sequence[Version]) -> bool:
    return len(versions) >= 2 and len({_fingerprint(canonical_content(v.content)) for v in versions}) == 1


def key_rows(versions: Sequence[Version]) -> list[KeyRow]:
    by_annotator = {v.annotator: first_statements(v.content["statements"])[0] for v in versions}
    keys = sorted({key for statements in by_annotator.values() for key in statements})
    rows = []
    for actor, target in keys:
        present = {who: statements.get((actor, target)) for who, statements in by_annotator.items()}
        rows.append(
            KeyRow.model_validate(
                {
                    "actor": actor,
                    "target": target,
                    "statements": present,
                    "differs": _differing_parts(list(present.values())),
                }
            )
        )
    return rows


def _differing_parts(statements: list[Mapping[str, Any] | None]) -> list[str]:
    if any(s is None for s in statements):
        return ["presence"]
    canonical = [canonical_statement(s) for s in statements if s is not None]
    return [part for part in STATEMENT_PARTS if len({_fingerprint(s[part]) for s in canonical}) > 1]


def article_differs(versions: Sequence[Version]) -> list[str]:
    return [part for part in ARTICLE_PARTS if len({_fingerprint(v.content["article"][part]) for v in versions}) > 1]


@dataclass(frozen=True)
class Proposal:
    """A starting point for gold; `decisive` when every choice in it had a strict majority.

    `ties` names what the annotators split evenly on (a statement key, or an article
    field such as `article.outlet`): no side is taken, the lead decides.
    """

    content: dict[str, Any]
    decisive: bool
    ties: list[str]


def statement_tie(key: StatementKey) -> str:
    return f"statement ({key[0]}, {key[1]})"


def majority_proposal(versions: Sequence[Version]) -> Proposal:
    """Per key held by more than half the annotators, the version more of them gave than any
    other; per article field, likewise. An even split is a tie: a tied statement is left
    out and a tied article field keeps its default, and `ties` lists them. The note stays empty."""
    by_annotator = [first_statements(v.content["statements"])[0] for v in versions]
    holders: Counter[StatementKey] = Counter(key for statements in by_annotator for key in statements)
    statements, ties, counts = [], [], []
    for key in sorted(holders):
        if 2 * holders[key] < len(versions):
            continue  # most annotators left it out
        top = _most_common([canonical_statement(s[key]) for s in by_annotator if key in s])
        if 2 * holders[key] == len(versions) or top is None:
            ties.append(statement_tie(key))
            continue
        statements.append(top[0])
        counts.append(top[1])
    article = ArticleLabels().model_dump()
    for part in ARTICLE_PARTS:
        top = _most_common([v.content["article"][part] for v in versions])
        if top is None:
            ties.append(f"article.{part}")
            continue
        article[part] = top[0]
        counts.append(top[1])
    decisive = not ties and all(2 * count > len(versions) for count in counts)
    return Proposal({"statements": statements, "article": article}, decisive, ties)


def _most_common(values: list[Any]) -> tuple[Any, int] | None:
    """The value given most often and how often; None when two or more values share the top."""
    ranked = Counter(_fingerprint(v) for v in values).most_common(2)
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    return next(v for v in values if _fingerprint(v) == ranked[0][0]), ranked[0][1]


def gold_method(content: Mapping[str, Any], versions: Sequence[Version], overlap: int = 2) -> GoldMethod:
    """How a gold content relates to the annotations it settles (derived, never claimed). Unanimous
    means every annotator the overlap asks for agreed: two of three agreeing is a majority."""
    settled = _fingerprint(canonical_content(content))
    complete = len(versions) >= overlap
    if complete and is_unanimous(versions) and settled == _fingerprint(canonical_content(versions[0].content)):
        return "unanimous"
    if len(versions) >= 2:
        proposal = majority_proposal(versions)
        if proposal.decisive and settled == _fingerprint(canonical_content(proposal.content)):
            return "majority"
    return "adjudicated"

