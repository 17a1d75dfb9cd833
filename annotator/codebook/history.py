"""What the Codebook page and API list: the project's upgrades, and the actors annotators proposed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from annotator.labelschema.models import PROPOSAL_PREFIX
from annotator.storage.tables import (
    AnnotationRevision,
    Assignment,
    LabelSchemaRecord,
    Project,
    SchemaUpgrade,
    User,
)

EXAMPLES = 3


class UpgradeOut(BaseModel):
    id: int
    from_version: str
    to_version: str
    plan_sha256: str | None
    made_by: str
    created_at: datetime
    carried: int
    gold_carried: int
    reviews: int


class ProposedActor(BaseModel):
    """An actor id an annotator proposed (`new:...`), as the labels hold it now."""

    id: str
    statements: int
    annotators: list[str]
    names: list[str] = Field(description="The words marked as the actor, most frequent first")
    examples: list[str] = Field(description=f"Up to {EXAMPLES} evidence sentences")


def project_upgrades(session: Session, project: Project) -> list[UpgradeOut]:
    before, after = aliased(LabelSchemaRecord), aliased(LabelSchemaRecord)
    rows = session.execute(
        select(SchemaUpgrade, before.version, after.version, User.name)
        .join(before, before.id == SchemaUpgrade.from_schema_id).join(after, after.id == SchemaUpgrade.to_schema_id)
        .join(User, User.id == SchemaUpgrade.made_by_id)
        .where(SchemaUpgrade.project_id == project.id).order_by(SchemaUpgrade.id.desc())
    )
    return [UpgradeOut(id=u.id, from_version=old, to_version=new, plan_sha256=u.plan_sha256, made_by=who, created_at=u.created_at,
                       carried=u.report["carried"], gold_carried=u.report["gold_carried"], reviews=len(u.report["reviews"]))
            for u, old, new, who in rows]


def proposed_actors(session: Session, project: Project) -> list[ProposedActor]:
    """Every `new:` actor in the annotators' current labels, most used first."""
    rows = session.execute(
        select(AnnotationRevision.content, User.name)
        .join(Assignment, Assignment.head_revision_id == AnnotationRevision.id)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.project_id == project.id)
    )
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"people": [], "names": [], "examples": []})
    for content, name in rows:
        for statement in content["statements"]:
            actor = statement["actor"]
            if not actor["id"].startswith(PROPOSAL_PREFIX):
                continue
            seen = found[actor["id"]]
            seen["people"].append(name)
            if actor.get("span"):
                seen["names"].append(actor["span"]["text"])
            if statement.get("evidence"):
                seen["examples"].append(statement["evidence"]["text"])
    return sorted((
        ProposedActor(id=actor_id, statements=len(seen["people"]), annotators=sorted(set(seen["people"])),
                      names=_by_frequency(seen["names"]), examples=list(dict.fromkeys(seen["examples"]))[:EXAMPLES])
        for actor_id, seen in found.items()
    ), key=lambda p: (-p.statements, p.id))


def _by_frequency(values: list[str]) -> list[str]:
    counts = Counter(values)
    return sorted(counts, key=lambda v: (-counts[v], v))
