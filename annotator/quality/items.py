"""Control and training items turned from gold, the project's quality settings, and a lead's say on a
member (set aside or restored; let through the training round)."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from annotator.errors import Conflict, NotFound
from annotator.quality.answers import CONTROL, TRAINING
from annotator.quality.models import ControlItemsAdd, ControlItemsOut, MemberStanding, QualitySettings
from annotator.quality.training import LET_THROUGH, finish_training
from annotator.storage.revisions import current_gold
from annotator.storage.tables import ControlItem, GoldRecord, GoldRevision, Project, ProjectMember, User, utcnow


def _gold_left(project: Project) -> Select[int]:
    """Gold articles under the project's current version that are not yet items."""
    return (
        select(GoldRecord.article_id)
        .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
        .where(current_gold(project), ~GoldRecord.article_id.in_(select(ControlItem.article_id)))
    )


def add_control_items(session: Session, project: Project, lead: User, wanted: ControlItemsAdd) -> ControlItemsOut:
    """Turn gold articles, chosen at random, into control or training items; refused when none is left."""
    chosen = list(session.scalars(_gold_left(project).order_by(func.random()).limit(wanted.count)))
    if not chosen:
        raise Conflict(f"project {project.name!r} has no gold article left to turn into {wanted.purpose} items: "
                       "adjudicate some articles first")
    session.add_all(ControlItem(project_id=project.id, article_id=article_id, purpose=wanted.purpose, added_by_id=lead.id)
                    for article_id in chosen)
    session.flush()
    return control_items_summary(session, project, added=len(chosen))


def control_items_summary(session: Session, project: Project, added: int = 0) -> ControlItemsOut:
    counts = dict(session.execute(select(ControlItem.purpose, func.count()).where(ControlItem.project_id == project.id)
                                  .group_by(ControlItem.purpose)).all())
    gold_left = session.scalar(select(func.count()).select_from(_gold_left(project).subquery())) or 0
    return ControlItemsOut(
        added=added, control_items=counts.get(CONTROL, 0), training_items=counts.get(TRAINING, 0), gold_left=gold_left,
        control_rate=project.control_rate, training_articles=project.training_articles,
        quality_threshold=project.quality_threshold,
    )


def change_quality_settings(session: Session, project: Project, change: QualitySettings) -> ControlItemsOut:
    for name, value in change.model_dump(exclude_none=True).items():
        setattr(project, name, value)
    session.flush()
    return control_items_summary(session, project)


def change_standing(session: Session, project: Project, user: User, standing: MemberStanding) -> list[str]:
    """Set a member aside or restore them, or let them through the training round; what changed, in words."""
    member = session.scalar(select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user.id))
    if member is None:
        raise NotFound(f"{user.name} is not a member of project {project.name!r}")
    changed = []
    if standing.set_aside is not None and standing.set_aside != (member.set_aside_at is not None):
        member.set_aside_at = utcnow() if standing.set_aside else None
        changed.append(f"{user.name} set aside: their labels leave agreement and aggregates until restored"
                       if standing.set_aside else f"{user.name} restored: their labels count again")
    if standing.let_through:
        if member.trained_at is not None:
            raise Conflict(f"{user.name} has already finished the training round ({member.trained_how})")
        finish_training(session, project.id, user.id, LET_THROUGH)
        changed.append(f"{user.name} let through the training round")
    session.flush()
    return changed
