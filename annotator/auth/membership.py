"""Who belongs to which project, and which project a request's URL is about.

Admins reach every project; everyone else reaches a project only as a member, with
the role (annotator or lead) they hold there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from annotator.errors import NotFound
from annotator.storage.lean import Executor, LeanQuery
from annotator.storage.tables import (
    AnnotationRevision,
    Article,
    Assignment,
    Evaluation,
    MAX_ROW_ID,
    GoldRecord,
    GoldRevision,
    ProjectMember,
    User,
)

def _member_role(project_id: Any) -> Select[Any]:
    """The role of the user (bound as `user_id`) in the project: a bound id or a column of an outer query."""
    return select(ProjectMember.role).where(ProjectMember.project_id == project_id, ProjectMember.user_id == bindparam("user_id"))


_MEMBER_ROLE = LeanQuery(_member_role(bindparam("project_id")))


def _with_member_role(owner: Select[Any]) -> LeanQuery:
    """The owner query's project id (its one column) and the user's role there, in one query (every request runs one)."""
    return LeanQuery(owner.add_columns(_member_role(owner.selected_columns[0]).scalar_subquery()))


# A URL names its project directly or through a row that belongs to one: each view argument
# that does, with the query that finds the project (and the caller's role there) and the word for a missing row.
_OWNING_PROJECT: dict[str, tuple[LeanQuery, str]] = {
    "article_id": (
        _with_member_role(select(Article.project_id).where(Article.id == bindparam("key"))),
        "article",
    ),
    "evaluation_id": (
        _with_member_role(select(Evaluation.project_id).where(Evaluation.id == bindparam("key"))),
        "evaluation",
    ),
    "annotation_revision_id": (
        _with_member_role(
            select(Assignment.project_id).join(AnnotationRevision, AnnotationRevision.assignment_id == Assignment.id)
            .where(AnnotationRevision.id == bindparam("key"))
        ),
        "annotation revision",
    ),
    "gold_revision_id": (
        _with_member_role(
            select(GoldRecord.project_id).join(GoldRevision, GoldRevision.gold_record_id == GoldRecord.id)
            .where(GoldRevision.id == bindparam("key"))
        ),
        "gold revision",
    ),
}


def role_in_url(session: Executor, user: User, view_args: Mapping[str, object]) -> tuple[int | None, str | None]:
    """The project the URL is about (None outside any project) and the user's role in it (None: no member)."""
    if isinstance(project_id := view_args.get("project_id"), int):
        if not _is_row_id(project_id):
            raise NotFound(f"no project {project_id}")
        return project_id, project_role(session, user, project_id)
    for name, (query, what) in _OWNING_PROJECT.items():
        if isinstance(key := view_args.get(name), int):
            found = query.first(session, {"key": key, "user_id": user.id}) if _is_row_id(key) else None
            if found is None:
                raise NotFound(f"no {what} {key}")
            return found[0], "admin" if user.role == "admin" else found[1]
    return None, None


def _is_row_id(key: int) -> bool:
    return 0 < key <= MAX_ROW_ID


def project_role(session: Executor, user: User, project_id: int) -> str | None:
    """The user's role in the project: admin for admins, else their membership role, else None."""
    if user.role == "admin":
        return "admin"
    return _MEMBER_ROLE.scalar(session, {"project_id": project_id, "user_id": user.id})


def set_member(session: Session, project_id: int, user: User, role: str) -> ProjectMember:
    """Make the user a member of the project with this role (adding or changing it)."""
    member = session.scalar(
        select(ProjectMember).where(ProjectMember.project_id == project_id, ProjectMember.user_id == user.id)
    )
    if member is None:
        member = ProjectMember(project_id=project_id, user_id=user.id, role=role)
        session.add(member)
    else:
        member.role = role
    session.flush()
    return member
