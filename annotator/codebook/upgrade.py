"""Moving a running project to a new version of its schema: preview, then apply in one transaction.

Every head revision (annotators' labels and gold) is read once and moved by the plan
(codebook.migration). Apply appends a revision made under the new version for each one carried,
naming its origin, and moves the head to it; nothing stored is edited. Labels that cannot be carried
keep their old revision under the old version, and go to a review queue: their annotator, or the
lead for gold. Applying the same plan again finds every head already under the new version and
changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal, cast

from pydantic import BaseModel, Field
from sqlalchemy import Select, Table, insert, select, update
from sqlalchemy.orm import Session

from annotator.codebook.diff import schema_diff
from annotator.codebook.migration import Migrated, Steps, migrate
from annotator.codebook.plan import MigrationPlan, PlanError, checked_plan
from annotator.errors import Invalid, Problem
from annotator.labelschema import LabelSchema, SchemaError, load_schema_text
from annotator.projects.service import project_schema, register_schema
from annotator.storage.tables import (
    AnnotationRevision,
    Article,
    Assignment,
    GoldRecord,
    GoldRevision,
    LabelSchemaRecord,
    Project,
    Review,
    SchemaUpgrade,
    User,
    utcnow,
)
from annotator.storage.turns import in_turns

RevisionKind = Literal["annotation", "gold"]


class StepCount(BaseModel):
    """What one change of the plan (or a rename the diff sees) touches."""

    field: str
    old: str
    kind: str
    new: list[str]
    statements: int = Field(default=0, description="Statements (or articles, for an article's outlet) holding the old id")
    articles: int = 0
    annotators: int = Field(default=0, description="People whose labels hold it")
    gold: int = Field(default=0, description="Gold records holding it")


class ReviewItem(BaseModel):
    article_id: int
    kind: RevisionKind
    reviewer: str
    reasons: list[str]


class UpgradeReport(BaseModel):
    old_version: str
    new_version: str
    plan_sha256: str | None
    applied: bool
    steps: list[StepCount]
    carried: int = Field(description="Annotators' label documents carried to the new version")
    gold_carried: int
    reviews: list[ReviewItem] = Field(description="What goes back to people, and why")
    already_upgraded: int = Field(default=0, description="Documents already under the new version (a second apply)")


@dataclass(frozen=True)
class Head:
    """One head revision of the project: whose, on which article, and its labels."""

    kind: RevisionKind
    owner_id: int  # the assignment or gold record
    revision_id: int
    article_id: int
    text: str
    person_id: int
    person: str
    label_schema_id: int
    content: dict[str, Any]
    extra: dict[str, Any]  # what a carried revision copies (decisions; a gold revision's method and sources)


# Heads are read, moved and stored this many at a time: memory stays flat however large the project.
BATCH = 2_000


def upgrade_schema(
    session: Session, project: Project, new: LabelSchema, plan_text: str | None, lead: User, *, apply: bool
) -> UpgradeReport:
    """Preview (apply False) or apply moving the project to schema `new` by the plan.

    The heads are read twice, a batch at a time: once to count (and refuse what no plan places),
    once, when applying, to store. A PlanError names every id the new version drops that labels use
    and the plan does not place."""
    old = project_schema(project)
    if old == new:  # applied already: what it carried is under `new`, what it could not waits for review
        return UpgradeReport(old_version=old.version, new_version=new.version, plan_sha256=None, applied=False, steps=[],
                             carried=0, gold_carried=0, reviews=[], already_upgraded=sum(1 for _ in _heads(session, project)))
    diff = schema_diff(old, new)
    plan = checked_plan(plan_text, old, new) if plan_text else None
    steps = Steps(plan, diff)
    existing = session.scalar(select(LabelSchemaRecord.id).where(
        LabelSchemaRecord.name == new.name, LabelSchemaRecord.version == new.version))
    counts: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    carried = {"annotation": 0, "gold": 0}
    reviews: list[ReviewItem] = []
    unplanned: dict[tuple[str, str], int] = defaultdict(int)
    already = 0
    one_writer = session.get_bind().dialect.name == "sqlite"
    for read, head in enumerate(_heads(session, project), start=1):
        if one_writer and read % BATCH == 0:
            session.commit()  # nothing written yet: the lock (a writer session's from its BEGIN) goes to waiting saves
        if head.label_schema_id == existing:
            already += 1
            continue
        outcome = migrate(head.content, head.text, steps, new)
        for key, statements in outcome.steps.items():
            counts[key].add(head, statements)
        for key in outcome.unplanned:
            unplanned[key] += 1
        if outcome.content is not None:
            carried[head.kind] += 1
        else:
            reviews.append(ReviewItem(article_id=head.article_id, kind=head.kind, reviewer=head.person if head.kind == "annotation" else lead.name,
                                      reasons=outcome.reasons))
    if unplanned:
        raise PlanError([f"{field} {old_id!r} is gone from {new.name} {new.version} and {count} label document(s) use it: "
                         "place it in the plan" for (field, old_id), count in sorted(unplanned.items())])
    report = UpgradeReport(
        old_version=old.version, new_version=new.version, plan_sha256=plan.sha256 if plan else None, applied=apply,
        steps=[counts[(s.field, s.old)].as_step(s.field, s.old, s.kind, s.new) for s in steps.by_id.values()],
        carried=carried["annotation"], gold_carried=carried["gold"], reviews=reviews, already_upgraded=already,
    )
    if apply:
        record = register_schema(session, new)
        _apply(session, project, record.id, old, new, steps, plan, lead)
        session.add(SchemaUpgrade(project_id=project.id, from_schema_id=project.label_schema_id, to_schema_id=record.id,
                                  plan=plan_text, plan_sha256=plan.sha256 if plan else None, made_by_id=lead.id,
                                  report=report.model_dump(mode="json")))
        project.label_schema_id = record.id
        session.flush()
    return report


@dataclass
class _Tally:
    """What one step touches, as the heads are read."""

    statements: int = 0
    articles: set[int] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    gold: int = 0

    def add(self, head: Head, statements: int) -> None:
        self.statements += statements
        self.articles.add(head.article_id)
        if head.kind == "gold":
            self.gold += 1
        else:
            self.people.add(head.person)

    def as_step(self, field: str, old: str, kind: str, new: list[str]) -> StepCount:
        return StepCount(field=field, old=old, kind=kind, new=new, statements=self.statements,
                         articles=len(self.articles), annotators=len(self.people), gold=self.gold)


def _heads(session: Session, project: Project) -> Iterator[Head]:
    """Every head revision of the project, annotators' then gold, a batch at a time (by owner id)."""
    annotations = (
        select(Assignment.id, AnnotationRevision.id, Assignment.article_id, Article.text, User.id, User.name,
               AnnotationRevision.label_schema_id, AnnotationRevision.content, AnnotationRevision.suggestion_decisions)
        .join(AnnotationRevision, AnnotationRevision.id == Assignment.head_revision_id)
        .join(Article, Article.id == Assignment.article_id)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.project_id == project.id)
    )
    for owner, revision, article, text, person_id, person, schema_id, content, decisions in _in_batches(session, annotations, Assignment.id):
        yield Head("annotation", owner, revision, article, text, person_id, person, schema_id, content,
                   {"suggestion_decisions": decisions})
    gold = (
        select(GoldRecord.id, GoldRevision.id, GoldRecord.article_id, Article.text, User.id, User.name,
               GoldRevision.label_schema_id, GoldRevision.content, GoldRevision.method, GoldRevision.source_revision_ids)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .join(Article, Article.id == GoldRecord.article_id)
        .join(User, User.id == GoldRevision.adjudicator_id)
        .where(GoldRecord.project_id == project.id)
    )
    for owner, revision, article, text, person_id, person, schema_id, content, method, sources in _in_batches(session, gold, GoldRecord.id):
        yield Head("gold", owner, revision, article, text, person_id, person, schema_id, content,
                   {"method": method, "source_revision_ids": sources})


def _in_batches(session: Session, query: Select[Any], key: Any) -> Iterator[Any]:
    after = 0
    while rows := session.execute(query.where(key > after).order_by(key).limit(BATCH)).all():
        yield from rows
        after = rows[-1][0]


def _apply(
    session: Session, project: Project, label_schema_id: int, old: LabelSchema, new: LabelSchema, steps: Steps,
    plan: MigrationPlan | None, lead: User,
) -> None:
    """Store what the preview counted: a batch of new revisions at a time, then each head moved to its
    new revision if it still points where it did (a save that came in between wins, and goes to review).

    On PostgreSQL all of it is one transaction, which saves of other labels do not wait for. SQLite has
    one write lock for the whole database: there the batches take turns with saves (storage.turns),
    and the project moves to the new version with the last one. Stopped part-way, the heads carried
    so far are under the new version, and applying again carries the rest."""
    origin = f"{old.name} {old.version} by plan {plan.sha256 if plan else 'none'}"
    sha = plan.sha256 if plan else "none"
    moved = ((head, migrate(head.content, head.text, steps, new)) for head in _heads(session, project)
             if head.label_schema_id != label_schema_id)
    batches = in_turns(session, moved) if session.get_bind().dialect.name == "sqlite" else _chunks(moved)
    for batch in batches:
        _store(session, project, label_schema_id, new, lead, batch, origin, sha)


def _chunks(items: Iterator[tuple[Head, Migrated]]) -> Iterator[list[tuple[Head, Migrated]]]:
    while batch := list(islice(items, BATCH)):
        yield batch


_REVISIONS: dict[RevisionKind, tuple[type[AnnotationRevision] | type[GoldRevision], str, str]] = {
    "annotation": (AnnotationRevision, "assignment_id", "author_id"),
    "gold": (GoldRevision, "gold_record_id", "adjudicator_id"),
}


def _store(
    session: Session, project: Project, label_schema_id: int, new: LabelSchema, lead: User,
    batch: list[tuple[Head, Migrated]], origin: str, sha: str,
) -> None:
    reviews = [(head, outcome.reasons) for head, outcome in batch if outcome.content is None]
    for kind, (table, owner_column, maker_column) in _REVISIONS.items():
        carried = [(head, outcome) for head, outcome in batch if outcome.content is not None and head.kind == kind]
        if not carried:
            continue
        # Inserted without RETURNING (one prepared statement run for the list), then the heads moved to them
        # in one statement: the revision of the same owner, made from the head it still points at.
        session.execute(insert(cast(Table, table.__table__)), [
            {owner_column: head.owner_id, maker_column: lead.id, "label_schema_id": label_schema_id,
             "schema_version": new.version, "content": outcome.content, "base_revision_id": head.revision_id,
             "migrated_from": origin, "created_at": utcnow(), **head.extra}
            for head, outcome in carried
        ])
        stale = _move_heads(session, kind, [head for head, _ in carried], label_schema_id, origin)
        reviews += [(head, ["saved again while the codebook changed: check these labels under the new version"]) for head in stale]
    known = set(session.execute(select(Review.revision_kind, Review.revision_id).where(
        Review.project_id == project.id, Review.plan_sha256 == sha)).all()) if reviews else set()
    session.add_all(
        Review(project_id=project.id, article_id=head.article_id, revision_kind=head.kind, revision_id=head.revision_id,
               user_id=head.person_id if head.kind == "annotation" else lead.id, label_schema_id=label_schema_id,
               plan_sha256=sha, reasons=reasons)
        for head, reasons in reviews if (head.kind, head.revision_id) not in known
    )
    session.flush()


def _move_heads(session: Session, kind: RevisionKind, heads: list[Head], label_schema_id: int, origin: str) -> list[Head]:
    """Point each owner's head at the revision carried from it, if it still points at the one carried
    from (one statement for the batch); the heads a save moved in between, which stay as it left them."""
    owner = cast(Table, (Assignment if kind == "annotation" else GoldRecord).__table__)
    revisions = cast(Table, _REVISIONS[kind][0].__table__)
    owner_column = revisions.c[_REVISIONS[kind][1]]
    ids = [head.owner_id for head in heads]
    carried = (select(revisions.c.id).where(
        owner_column == owner.c.id, revisions.c.base_revision_id == owner.c.head_revision_id,
        revisions.c.label_schema_id == label_schema_id, revisions.c.migrated_from == origin,
    ).scalar_subquery())
    session.execute(update(owner).where(owner.c.id.in_(ids), carried.is_not(None))
                    .values(head_revision_id=carried, updated_at=utcnow()))
    moved = set(session.scalars(
        select(owner.c.id).join(revisions, revisions.c.id == owner.c.head_revision_id)
        .where(owner.c.id.in_(ids), revisions.c.label_schema_id == label_schema_id)))
    return [head for head in heads if head.owner_id not in moved]


def upgrade_from_text(
    session: Session, project: Project, schema_text: str, plan_text: str | None, lead: User, *, apply: bool
) -> UpgradeReport:
    """upgrade_schema from what a page or the API sends: the new schema and the plan as YAML text.
    Invalid names every problem of either (each with its line, for the schema)."""
    try:
        new = load_schema_text(schema_text, source="the new schema")
        return upgrade_schema(session, project, new, plan_text or None, lead, apply=apply)
    except SchemaError as error:
        raise Invalid("the new schema is not valid", [Problem.at(("label_schema",), p) for p in error.problems]) from error
    except PlanError as error:
        raise Invalid("the plan cannot be applied", [Problem.at(("plan",), p) for p in error.problems]) from error
