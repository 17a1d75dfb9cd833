"""Who belongs to which project, and which project a request's URL is about.

Admins reach every project; everyone else reaches a project only as a member, with
the role (annotator or lead) they hold there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, null, select
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

def _member_role(project_id: Any, user_id: Any) -> Select[Any]:
    """The role of a user in a project, each a bound value or a column of an outer query."""
    return select(ProjectMember.role).where(ProjectMember.project_id == project_id, ProjectMember.user_id == user_id)


_MEMBER_ROLE = LeanQuery(_member_role(bindparam("project_id"), bindparam("user_id")))

# A URL names its project directly (None) or through a row that belongs to one: each view argument
# that does, with the query of the owning project's id (the row bound as `key`) and the word for a missing row.
_OWNING_PROJECT: dict[str, tuple[Select[Any] | None, str]] = {
    "project_id": (None, "project"),
    "article_id": (select(Article.project_id).where(Article.id == bindparam("key")), "article"),
    "evaluation_id": (select(Evaluation.project_id).where(Evaluation.id == bindparam("key")), "evaluation"),
    "annotation_revision_id": (
        select(Assignment.project_id).join(AnnotationRevision, AnnotationRevision.assignment_id == Assignment.id)
        .where(AnnotationRevision.id == bindparam("key")),
        "annotation revision",
    ),
    "gold_revision_id": (
        select(GoldRecord.project_id).join(GoldRevision, GoldRevision.gold_record_id == GoldRecord.id)
        .where(GoldRevision.id == bindparam("key")),
        "gold revision",
    ),
}


class UrlProject(NamedTuple):
    """The view argument that ties a URL to a project, and its value."""

    argument: str
    key: int


def project_in_url(view_args: Mapping[str, object]) -> UrlProject | None:
    """What ties the URL to a project (None: it is about none); NotFound for a key no row can have."""
    for argument, (_, what) in _OWNING_PROJECT.items():
        if isinstance(key := view_args.get(argument), int):
            if not 0 < key <= MAX_ROW_ID:
                raise NotFound(f"no {what} {key}")
            return UrlProject(argument, key)
    return None


@cache
def with_role_in_url(user_query: Select[Any], url: str | None) -> LeanQuery:
    """The user query (users and their columns), and after them the URL's project id and the user's
    role there, for a URL tied to a project through `url` (a view argument, its value bound as `key`).

    One statement, not two: every request that needs a login runs one.
    """
    if url is None:
        return LeanQuery(user_query)
    owner = _OWNING_PROJECT[url][0]
    project_id = bindparam("key") if owner is None else owner.scalar_subquery()
    # A project named by its id needs no lookup: its column stays NULL (role_in_url uses the key).
    return LeanQuery(user_query.add_columns(
        null() if owner is None else project_id, _member_role(project_id, User.id).scalar_subquery(),
    ))


def role_in_url(user: User, url: UrlProject, found: Sequence[Any]) -> tuple[int, str | None]:
    """The URL's project and the user's role in it (None: no member), from what with_role_in_url found."""
    found_project_id, member_role = found
    project_id = url.key if _OWNING_PROJECT[url.argument][0] is None else found_project_id
    if project_id is None:
        raise NotFound(f"no {_OWNING_PROJECT[url.argument][1]} {url.key}")
    return project_id, "admin" if user.role == "admin" else member_role


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
