"""What the model looks at (pure Python, no extra needed): sentences, the actors named in them, and
for gold articles what each (sentence, actor) pair turned out to be."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.labelschema import LabelSchema
from annotator.labelschema.suggest import SpanSuggestion, suggest_spans

# A sentence ends at . ! or ? (and any closing quote), before white space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"“‘'(A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass
class Candidate:
    """One actor named in one sentence: maybe a statement of theirs."""

    article_id: int
    sentence: Sentence
    actor: str
    actor_span: SpanSuggestion
    outlet: SpanSuggestion | None  # an outlet named in the same sentence
    # From gold, for training: the statement this pair carries, if any.
    statement: Mapping[str, Any] | None = field(default=None)

    def features(self) -> dict[str, str]:
        """The sentence with the actor's mention masked, so wording, not names, carries the stance."""
        masked = self.sentence.text.replace(self.actor_span.text, " ACTORNAME ")
        return {"text": masked, "actor": self.actor}


def sentences(text: str) -> list[Sentence]:
    found, start = [], 0
    for boundary in _SENTENCE_END.finditer(text):
        end = boundary.start() + len(boundary.group().rstrip())  # the mark and any closing quote
        found.append(Sentence(start, end, text[start:end]))
        start = boundary.end()
    if text[start:].strip():
        found.append(Sentence(start, len(text.rstrip()), text[start:len(text.rstrip())]))
    return found


def candidates(article_id: int, text: str, schema: LabelSchema) -> Iterator[Candidate]:
    """Each actor named in each sentence, by the schema's aliases (first mention per sentence)."""
    mentions = suggest_spans(text, schema)
    for sentence in sentences(text):
        inside = [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]
        outlet = next((m for m in inside if m.vocabulary == "outlets"), None)
        seen: set[str] = set()
        for mention in inside:
            if mention.vocabulary == "actors" and mention.id not in seen:
                seen.add(mention.id)
                yield Candidate(article_id, sentence, mention.id, mention, outlet)


def labeled_candidates(article_id: int, text: str, content: Mapping[str, Any], schema: LabelSchema) -> list[Candidate]:
    """The article's candidates, each with the gold statement of its actor whose evidence lies in its sentence."""
    found = list(candidates(article_id, text, schema))
    for statement in content.get("statements", []):
        where = (statement.get("evidence") or (statement.get("actor") or {}).get("span") or {}).get("start")
        match = next((c for c in found if c.actor == statement["actor"]["id"] and where is not None
                      and c.sentence.start <= where < c.sentence.end and c.statement is None), None)
        if match is not None:
            match.statement = statement
    return found
