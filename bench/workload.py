"""Workload generator: a project with N articles labeled by M annotators, written straight to the database."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, update

from annotator.auth.membership import set_member
from annotator.labelschema import LabelSchema
from annotator.projects.service import create_project
from annotator.storage import Database
from annotator.storage.tables import AnnotationRevision, Article, Assignment, User
from tests.stance_gold import GoldArticle, store_gold

WORDS = (
    "talks ceasefire delegation ministry spokesman summit negotiations reporters agreement conditions "
    "withdrawal sovereignty guarantees statement briefing officials agenda peace process meeting"
).split()


@dataclass(frozen=True)
class Workload:
    articles: int
    annotators: int
    statements: int
    seed: int = 7
    text_chars: int = 600


def article_text(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    length = 0
    while length < chars:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:chars]


def _span(text: str, start: int, length: int) -> dict[str, Any]:
    start = max(0, min(start, len(text) - length))
    return {"start": start, "end": start + length, "text": text[start : start + length]}


def _statement(
    rng: random.Random, text: str, key: tuple[str, str], offset: int, stance: str, categories: list[str], outlets: list[str]
) -> dict[str, Any]:
    jitter = rng.choice((0, 0, 0, 1, 2))  # evidence boundaries slip now and then
    return {
        "actor": {"id": key[0], "span": _span(text, offset, 12)},
        "stance": stance,
        "target": key[1],
        "preconditions": [{"category": c, "span": _span(text, offset + 20, 15)} for c in categories],
        "source_outlet": {"id": rng.choice(outlets), "span": None} if rng.random() < 0.3 else None,
        "evidence": _span(text, offset + jitter, 60),
    }


@dataclass(frozen=True)
class LabelChoices:
    """What a schema lets a statement say, worked out once: a load test's client labels
    hundreds of articles a second, on the cores the server it measures runs on."""

    keys: list[tuple[str, str]]
    stances: list[str]
    categories: list[str]
    outlets: list[str]

    @classmethod
    def of(cls, schema: LabelSchema) -> LabelChoices:
        targets = schema.statement.target.ids()
        return cls(
            keys=[(actor, target) for actor in sorted(schema.vocabulary_ids("actors")) for target in targets],
            stances=schema.statement.stance.ids(),
            categories=schema.statement.preconditions.ids(),
            outlets=sorted(schema.vocabulary_ids("outlets")),
        )


def labels_for(rng: random.Random, text: str, choices: LabelChoices, workload: Workload) -> list[dict[str, Any]]:
    """Each annotator's content for one article: mostly agreeing, with realistic slips."""
    stances, categories, outlets = choices.stances, choices.categories, choices.outlets
    keys = rng.sample(choices.keys, workload.statements)
    truth = [
        (rng.choice(stances), rng.sample(categories, rng.randrange(1, 3)), rng.randrange(0, len(text) - 80))
        for _ in keys
    ]
    contents = []
    for _ in range(workload.annotators):
        statements = []
        for key, (stance, chosen, offset) in zip(keys, truth):
            if rng.random() < 0.1:
                continue  # missed this statement
            if rng.random() < 0.2:
                stance = rng.choice(stances)
            wanted = chosen if stance == "conditional" or rng.random() < 0.5 else []
            categories_given = wanted if stance != "conditional" else (wanted or chosen)
            statements.append(_statement(rng, text, key, offset, stance, categories_given, outlets))
        contents.append({"statements": statements, "article": {"relevant": rng.random() < 0.95, "outlet": None, "note": ""}})
    return contents


def build(db: Database, schema: LabelSchema, workload: Workload, password_hash: str = "!") -> int:
    """Insert the whole workload; returns the project id."""
    rng, choices = random.Random(workload.seed), LabelChoices.of(schema)
    with db.session(write=True) as session:
        project = create_project(session, f"bench-{workload.articles}", schema, overlap=workload.annotators)
        users = [User(name=f"annotator{i}", password_hash=password_hash, role="annotator") for i in range(workload.annotators)]
        session.add_all(users)
        session.flush()
        for user in users:
            set_member(session, project.id, user, "annotator")
        session.commit()
        project_id, schema_id, user_ids = project.id, project.label_schema_id, [u.id for u in users]
    for first in range(0, workload.articles, 2_000):
        count = min(2_000, workload.articles - first)
        texts = [article_text(rng, workload.text_chars) + f" #{first + i}" for i in range(count)]
        with db.transaction() as session:
            article_ids = session.scalars(
                insert(Article).returning(Article.id, sort_by_parameter_order=True),
                [
                    {"project_id": project_id, "title": f"Article {first + i}", "text": text,
                     "text_sha256": f"{first + i:064d}", "meta": {}, "assigned_count": workload.annotators}
                    for i, text in enumerate(texts)
                ],
            ).all()
            assignments = session.scalars(
                insert(Assignment).returning(Assignment.id, sort_by_parameter_order=True),
                [{"project_id": project_id, "article_id": a, "user_id": u, "status": "done"} for a in article_ids for u in user_ids],
            ).all()
            contents = [c for text in texts for c in labels_for(rng, text, choices, workload)]
            revisions = session.scalars(
                insert(AnnotationRevision).returning(AnnotationRevision.id, sort_by_parameter_order=True),
                [
                    {"assignment_id": a, "author_id": user_ids[i % len(user_ids)], "label_schema_id": schema_id,
                     "schema_version": schema.version, "content": c, "seconds_spent": rng.uniform(30, 400)}
                    for i, (a, c) in enumerate(zip(assignments, contents))
                ],
            ).all()
            session.execute(
                update(Assignment),
                [{"id": a, "head_revision_id": r} for a, r in zip(assignments, revisions)],
            )
    return project_id


def build_gold(db: Database, schema: LabelSchema, articles: int, text_chars: int = 4_500, seed: int = 11) -> int:
    """A project of `articles` articles, each with a gold record of two to four statements."""
    rng, choices = random.Random(seed), LabelChoices.of(schema)
    workload = Workload(articles, 1, 3, seed, text_chars)
    with db.session(write=True) as session:
        project = create_project(session, f"export-{articles}", schema, overlap=2)
        lead = User(name="lead", password_hash="!", role="lead")
        session.add(lead)
        session.flush()
        set_member(session, project.id, lead, "lead")
        session.commit()
        project_id, schema_id, lead_id = project.id, project.label_schema_id, lead.id
    for first in range(0, articles, 2_000):
        texts = [article_text(rng, text_chars) + f" #{first + i}" for i in range(min(2_000, articles - first))]
        chunk = [GoldArticle(f"article-{first + i}", text, labels_for(rng, text, choices, workload)[0]) for i, text in enumerate(texts)]
        store_gold(db, project_id, schema_id, schema.version, lead_id, chunk)
    return project_id
