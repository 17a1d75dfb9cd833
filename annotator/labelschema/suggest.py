"""Spans an annotator probably wants, found by vocabulary aliases before they start."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel

from annotator.labelschema.models import LabelSchema

VOCABULARIES = ("actors", "outlets")


class SpanSuggestion(BaseModel):
    vocabulary: str
    id: str
    start: int
    end: int
    text: str


def suggest_spans(text: str, schema: LabelSchema) -> list[SpanSuggestion]:
    """Every non-overlapping alias occurrence, longest alias first at each position."""
    pattern, owners = _alias_pattern(_alias_table(schema))
    if pattern is None:
        return []
    return [
        SpanSuggestion(
            vocabulary=owners[match.group()][0],
            id=owners[match.group()][1],
            start=match.start(),
            end=match.end(),
            text=match.group(),
        )
        for match in pattern.finditer(text)
    ]


def _alias_table(schema: LabelSchema) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (alias, vocabulary, entry.id)
        for vocabulary in VOCABULARIES
        for entry in schema.vocabulary(vocabulary)
        for alias in entry.names()
    )


@lru_cache(maxsize=32)
def _alias_pattern(
    table: tuple[tuple[str, str, str], ...],
) -> tuple[re.Pattern[str] | None, dict[str, tuple[str, str]]]:
    owners: dict[str, tuple[str, str]] = {}
    for alias, vocabulary, entry_id in table:
        owners.setdefault(alias, (vocabulary, entry_id))
    if not owners:
        return None, owners
    # Longest first, so "Kremlin spokesman Dmitry Peskov" wins over "Kremlin".
    alternatives = "|".join(re.escape(a) for a in sorted(owners, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), owners
