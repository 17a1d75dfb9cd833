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
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.codebook.diff import schema_diff
from annotator.codebook.migration import Migrated, Steps, migrate
from annotator.codebook.plan import MigrationPlan, PlanError, checked_plan
from annotator.errors import Invalid, Problem
from annotator.labelschema import LabelSchema, SchemaError, load_schema_text
from annotator.projects.service import project_schema, register_schema
from annotator.storage.revisions import advance_head
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
)

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
    person: User
    label_schema_id: int
    content: dict[str, Any]
    extra: dict[str, Any]  # what a carried revision copies (decisions; a gold revision's method and sources)


def upgrade_schema(
    session: Session, project: Project, new: LabelSchema, plan_text: str | None, lead: User, *, apply: bool
) -> UpgradeReport:
    """Preview (apply False) or apply moving the project to schema `new` by the plan.

    A PlanError names every id the new version drops that labels use and the plan does not place."""
    old = project_schema(project)
    if old == new:  # applied already: what it carried is under `new`, what it could not waits for review
        return UpgradeReport(old_version=old.version, new_version=new.version, plan_sha256=None, applied=False, steps=[],
                             carried=0, gold_carried=0, reviews=[], already_upgraded=sum(1 for _ in _heads(session, project)))
    diff = schema_diff(old, new)
    plan = checked_plan(plan_text, old, new) if plan_text else None
    steps = Steps(plan, diff)
    record = register_schema(session, new) if apply else None
    target_id = record.id if record else session.scalar(select(LabelSchemaRecord.id).where(
        LabelSchemaRecord.name == new.name, LabelSchemaRecord.version == new.version))
    counts: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    outcomes: list[tuple[Head, Migrated]] = []
    already = 0
    for head in _heads(session, project):
        if head.label_schema_id == target_id:
            already += 1
            continue
        outcome = migrate(head.content, head.text, steps, new)
        outcomes.append((head, outcome))
        for key, statements in outcome.steps.items():
            counts[key].add(head, statements)
    if unplanned := _unplanned(outcomes, new):
        raise PlanError(unplanned)
    origin = f"{old.name} {old.version} by plan {plan.sha256 if plan else 'none'}"
    report = UpgradeReport(
        old_version=old.version, new_version=new.version, plan_sha256=plan.sha256 if plan else None, applied=apply,
        steps=[counts[(s.field, s.old)].as_step(s.field, s.old, s.kind, s.new) for s in steps.by_id.values()],
        carried=sum(1 for h, o in outcomes if o.content is not None and h.kind == "annotation"),
        gold_carried=sum(1 for h, o in outcomes if o.content is not None and h.kind == "gold"),
        reviews=[ReviewItem(article_id=h.article_id, kind=h.kind, reviewer=h.person.name, reasons=o.reasons)
                 for h, o in outcomes if o.content is None],
        already_upgraded=already,
    )
    if record is not None:
        for head, outcome in outcomes:
            _store(session, project, record.id, new, lead, head, outcome, origin, plan)
        session.add(SchemaUpgrade(project_id=project.id, from_schema_id=project.label_schema_id, to_schema_id=record.id,
                                  plan=plan_text, plan_sha256=plan.sha256 if plan else None, made_by_id=lead.id,
                                  report=report.model_dump(mode="json")))
        project.label_schema_id = record.id
        session.flush()
    return report


@dataclass
class _Tally:
    statements: int = 0

    def __post_init__(self) -> None:
        self.articles: set[int] = set()
        self.people: set[str] = set()
        self.gold = 0

    def add(self, head: Head, statements: int) -> None:
        self.statements += statements
        self.articles.add(head.article_id)
        if head.kind == "gold":
            self.gold += 1
        else:
            self.people.add(head.person.name)

    def as_step(self, field: str, old: str, kind: str, new: list[str]) -> StepCount:
        return StepCount(field=field, old=old, kind=kind, new=new, statements=self.statements,
                         articles=len(self.articles), annotators=len(self.people), gold=self.gold)


def _unplanned(outcomes: list[tuple[Head, Migrated]], new: LabelSchema) -> list[str]:
    uses: dict[tuple[str, str], int] = defaultdict(int)
    for _, outcome in outcomes:
        for key in outcome.unplanned:
            uses[key] += 1
    return [f"{field} {old!r} is gone from {new.name} {new.version} and {count} label document(s) use it: "
            "place it in the plan" for (field, old), count in sorted(uses.items())]


def _heads(session: Session, project: Project) -> Iterator[Head]:
    annotations = session.execute(
        select(Assignment.id, Assignment.article_id, AnnotationRevision, Article.text, User)
        .join(AnnotationRevision, AnnotationRevision.id == Assignment.head_revision_id)
        .join(Article, Article.id == Assignment.article_id)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.project_id == project.id)
        .order_by(Assignment.id)
    )
    for owner_id, article_id, revision, text, person in annotations:
        yield Head("annotation", owner_id, revision.id, article_id, text, person, revision.label_schema_id, revision.content,
                   {"suggestion_decisions": revision.suggestion_decisions})
    gold = session.execute(
        select(GoldRecord.id, GoldRecord.article_id, GoldRevision, Article.text, User)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .join(Article, Article.id == GoldRecord.article_id)
        .join(User, User.id == GoldRevision.adjudicator_id)
        .where(GoldRecord.project_id == project.id)
        .order_by(GoldRecord.id)
    )
    for owner_id, article_id, settled, text, adjudicator in gold:
        yield Head("gold", owner_id, settled.id, article_id, text, adjudicator, settled.label_schema_id, settled.content,
                   {"method": settled.method, "source_revision_ids": settled.source_revision_ids})


def _store(
    session: Session, project: Project, label_schema_id: int, new: LabelSchema, lead: User, head: Head, outcome: Migrated,
    origin: str, plan: MigrationPlan | None,
) -> None:
    if outcome.content is None:
        reviewer = lead if head.kind == "gold" else head.person
        exists = session.scalar(select(Review.id).where(
            Review.revision_kind == head.kind, Review.revision_id == head.revision_id,
            Review.plan_sha256 == (plan.sha256 if plan else "none")))
        if exists is None:
            session.add(Review(project_id=project.id, article_id=head.article_id, revision_kind=head.kind,
                               revision_id=head.revision_id, user_id=reviewer.id, label_schema_id=label_schema_id,
                               plan_sha256=plan.sha256 if plan else "none", reasons=outcome.reasons))
        return
    made = dict(label_schema_id=label_schema_id, schema_version=new.version, content=outcome.content,
                base_revision_id=head.revision_id, migrated_from=origin)
    if head.kind == "annotation":
        revision: AnnotationRevision | GoldRevision = AnnotationRevision(
            assignment_id=head.owner_id, author_id=lead.id, **made, **head.extra)
        session.add(revision)
        session.flush()
        advance_head(session, Assignment, head.owner_id, head.revision_id, revision.id)
    else:
        revision = GoldRevision(gold_record_id=head.owner_id, adjudicator_id=lead.id, **made, **head.extra)
        session.add(revision)
        session.flush()
        advance_head(session, GoldRecord, head.owner_id, head.revision_id, revision.id)


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
