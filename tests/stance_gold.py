"""Gold that a model can learn from, made up for tests and benchmarks: actors from the schema say
things whose wording carries their stance, among sentences that carry none.

The wording overlaps between stances and a share of labels is flipped, so a model can do well but
not perfectly; the stances are unevenly frequent, so a majority-class guess scores poorly on macro-F1.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, update

from annotator.labelschema import LabelSchema
from annotator.projects.slots import add_unfilled
from annotator.storage import Database
from annotator.storage.tables import Article, GoldRecord, GoldRevision

STANCE_WORDING = {
    "open": ["said Moscow was ready for", "welcomed the idea of", "is open to", "expressed readiness for"],
    "conditional": ["would agree to {t} only if {p}", "said {t} could happen provided that {p}",
                    "would consider {t} once {p}"],
    "refuses": ["rejected", "ruled out", "dismissed any talk of", "flatly refused"],
    "noncommittal": ["declined to comment on", "gave no clear answer on", "said it was too early to discuss"],
}
STANCE_SHARE = {"open": 0.45, "conditional": 0.3, "refuses": 0.17, "noncommittal": 0.08}
TARGET_WORDING = {
    "us_russia_talks": ["talks with Washington", "US-Russia talks"],
    "russia_ukraine_talks": ["negotiations with Kyiv", "talks with Ukraine"],
    "leaders_meeting": ["a summit of the two leaders", "a meeting with Trump"],
    "ceasefire": ["a ceasefire", "a truce along the front"],
    "peace_process": ["the peace process", "a peace settlement"],
}
PRECONDITION_WORDING = {
    "troop_withdrawal": "troops are withdrawn",
    "substantive_agenda": "a substantive agenda is on paper",
    "security_interests": "Russia's security interests are respected",
    "sovereignty": "sovereignty is respected",
    "ceasefire_first": "a ceasefire holds first",
}
FILLER = ["Officials gave no further details.", "The statement came late on Tuesday.",
          "Markets barely moved on the news.", "Diplomats met again in Geneva."]
NOISE = 0.08  # share of statements whose stance label is flipped


@dataclass(frozen=True)
class GoldArticle:
    external_id: str
    text: str
    content: dict[str, Any]


def _span(text: str, start: int, part: str) -> dict[str, Any]:
    return {"start": start, "end": start + len(part), "text": part}


def make_article(rng: random.Random, schema: LabelSchema, number: int) -> GoldArticle:
    actors = [(e.id, rng.choice(e.names())) for e in rng.sample(schema.vocabulary("actors"), 3)]
    outlets = schema.vocabulary("outlets")
    text, statements, used = "", [], set()
    for actor, name in actors:
        if text:
            text += " "
        if rng.random() < 0.25:  # named, but saying nothing
            sentence = f"{name} arrived in {rng.choice(['Minsk', 'Ankara', 'Riyadh'])} on {rng.choice(['Monday', 'Friday'])}."
            text += sentence + " " + rng.choice(FILLER)
            continue
        stance = rng.choices(list(STANCE_SHARE), weights=list(STANCE_SHARE.values()))[0]
        target = rng.choice([t for t in TARGET_WORDING if (actor, t) not in used])
        used.add((actor, target))
        target_words = rng.choice(TARGET_WORDING[target])
        category = rng.choice(list(PRECONDITION_WORDING)) if stance == "conditional" else None
        wording = rng.choice(STANCE_WORDING[stance])
        condition = PRECONDITION_WORDING[category] if category else ""
        body = wording.format(t=target_words, p=condition) if "{t}" in wording else f"{wording} {target_words}"
        outlet = rng.choice(outlets) if rng.random() < 0.3 else None
        outlet_name = rng.choice(outlet.names()) if outlet else ""
        sentence = f"{name} {body}" + (f", {outlet_name} reported." if outlet else ".")
        start = len(text)
        text += sentence
        labeled = rng.choice(list(STANCE_SHARE)) if rng.random() < NOISE else stance
        statement: dict[str, Any] = {
            "actor": {"id": actor, "span": _span(text, start, name)},
            "stance": labeled, "target": target, "preconditions": [],
            "source_outlet": None, "evidence": _span(text, start, sentence.rstrip(".")),
        }
        if category:
            at = text.index(condition, start)
            statement["preconditions"] = [{"category": category, "span": _span(text, at, condition)}]
        if outlet:
            statement["source_outlet"] = {"id": outlet.id, "span": _span(text, text.index(outlet_name, start), outlet_name)}
        statements.append(statement)
        if rng.random() < 0.5:
            text += " " + rng.choice(FILLER)
    content = {"statements": statements, "article": {"relevant": True, "outlet": None, "note": ""}}
    return GoldArticle(f"gold-{number}", text + f" (Report {number}.)", content)


def make_gold(schema: LabelSchema, articles: int, seed: int = 5) -> list[GoldArticle]:
    rng = random.Random(seed)
    return [make_article(rng, schema, number) for number in range(articles)]


def store_gold(db: Database, project_id: int, schema_id: int, schema_version: str, adjudicator_id: int,
               gold: list[GoldArticle], batch: int = 2_000) -> None:
    """Insert the articles and their gold directly, a batch at a time (as a settled project would hold them)."""
    for first in range(0, len(gold), batch):
        chunk = gold[first:first + batch]
        with db.transaction() as session:
            article_ids = session.scalars(
                insert(Article).returning(Article.id, sort_by_parameter_order=True),
                [{"project_id": project_id, "external_id": g.external_id, "title": g.external_id, "text": g.text,
                  "text_sha256": f"{g.external_id:0>64}"[-64:], "meta": {}, "assigned_count": 0} for g in chunk],
            ).all()
            add_unfilled(session, project_id, len(article_ids))
            records = session.scalars(
                insert(GoldRecord).returning(GoldRecord.id, sort_by_parameter_order=True),
                [{"project_id": project_id, "article_id": a} for a in article_ids],
            ).all()
            revisions = session.scalars(
                insert(GoldRevision).returning(GoldRevision.id, sort_by_parameter_order=True),
                [{"gold_record_id": r, "adjudicator_id": adjudicator_id, "method": "adjudicated", "source_revision_ids": [],
                  "label_schema_id": schema_id, "schema_version": schema_version, "content": g.content}
                 for r, g in zip(records, chunk)],
            ).all()
            session.execute(update(GoldRecord), [{"id": r, "head_revision_id": v} for r, v in zip(records, revisions)])
