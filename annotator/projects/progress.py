"""How far one user is through a project: done, and what is still theirs or open to them."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from annotator.projects.models import ProjectProgress
from annotator.projects.slots import ProjectSlots
from annotator.storage.tables import Article, Assignment, Project, User

# Progress in one statement: my assignments by status, and the unfilled articles
# (a kept count) minus the unfilled ones I already hold.
_PROGRESS = (
    select(
        func.count().filter(Assignment.status == "done"),
        func.count().filter(Assignment.status == "open"),
        select(Project.unfilled_articles).where(Project.id == bindparam("project_id")).scalar_subquery()
        - func.count().filter(Article.assigned_count < bindparam("overlap")),
    )
    .select_from(Assignment)
    .join(Article, Article.id == Assignment.article_id)
    .where(Assignment.user_id == bindparam("user_id"), Assignment.project_id == bindparam("project_id"))
)


def progress(session: Session, project: ProjectSlots, user: User) -> ProjectProgress:
    done, open_, available = session.execute(
        _PROGRESS, {"user_id": user.id, "project_id": project.id, "overlap": project.overlap}
    ).one()
    return ProjectProgress(done=done, total=done + open_ + available)
