"""Users, tokens and members: the operations, and who may perform them on whom.

The operations trust their caller (the CLI runs them as the server's operator);
the pages and the API check `may_manage` and `may_create` first.
"""

from __future__ import annotations

import secrets

from sqlalchemy import ColumnElement, delete, or_, select, true
from sqlalchemy.orm import Session

from annotator.accounts.models import MemberOut, TokenOut, UserOut
from annotator.annotate.assignment import release_unlabeled
from annotator.auth.membership import set_member
from annotator.auth.service import add_user, end_all_login_sessions, get_user, hash_password
from annotator.errors import Conflict, Forbidden, Invalid, NotFound
from annotator.storage.database import rows_changed
from annotator.storage.tables import ApiToken, Project, ProjectMember, User, utcnow


def may_manage(actor: User, target: User) -> bool:
    """Everyone manages themselves; leads manage annotator accounts; admins manage everyone."""
    if actor.id == target.id or actor.role == "admin":
        return True
    return actor.role == "lead" and target.role == "annotator"


def require_may_manage(actor: User, target: User) -> None:
    if not may_manage(actor, target):
        raise Forbidden(f"a {actor.role} cannot manage the {target.role} account {target.name!r}; ask an admin")


def managed_user(session: Session, actor: User, name: str) -> User:
    """The account NAME, if the actor may manage it."""
    user = get_user(session, name)
    require_may_manage(actor, user)
    return user


def require_may_disable(actor: User, target: User) -> None:
    if actor.id == target.id:
        raise Invalid("you cannot disable your own account", [])


def require_may_create(actor: User, role: str) -> None:
    if actor.role != "admin" and role != "annotator":
        raise Forbidden(f"only admins create {role} accounts; a lead creates annotators")


def describe_user(user: User) -> UserOut:
    return UserOut(name=user.name, role=user.role, disabled=user.disabled_at is not None, created_at=user.created_at)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def temporary_password() -> str:
    return secrets.token_urlsafe(12)


def create_account(session: Session, name: str, role: str) -> tuple[User, str]:
    """A new user with a generated password, returned this once."""
    password = temporary_password()
    return add_user(session, name, password, role), password


def reset_password(session: Session, user: User) -> str:
    """A new generated password; every session of the user ends."""
    password = temporary_password()
    set_password(session, user, password)
    return password


def set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    end_all_login_sessions(session, user)


def disable_user(session: Session, user: User) -> int:
    """The user can no longer log in; their sessions end and their tokens stop working at once, and
    the articles they hold without labels go back to the queue. Returns how many were released."""
    if user.disabled_at is None:
        user.disabled_at = utcnow()
    end_all_login_sessions(session, user)
    session.flush()
    return release_unlabeled(session, user)


def enable_user(session: Session, user: User) -> None:
    user.disabled_at = None
    session.flush()


def describe_token(token: ApiToken, owner: str) -> TokenOut:
    return TokenOut(id=token.id, user=owner, label=token.label, hint=token.hint, created_at=token.created_at)


def list_tokens(session: Session, owner: User | None = None) -> list[TokenOut]:
    """The tokens of one user, or of everyone (newest first)."""
    return _tokens(session, true() if owner is None else User.id == owner.id)


def revocable_tokens(session: Session, actor: User) -> list[TokenOut]:
    """The tokens of the users the actor may manage (see may_manage)."""
    if actor.role == "admin":
        return list_tokens(session)
    if actor.role == "lead":
        return _tokens(session, or_(User.id == actor.id, User.role == "annotator"))
    return list_tokens(session, actor)


def _tokens(session: Session, owners: ColumnElement[bool]) -> list[TokenOut]:
    query = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id).where(owners).order_by(ApiToken.id.desc())
    return [describe_token(token, name) for token, name in session.execute(query)]


def revoke_token(session: Session, token_id: int, actor: User | None = None) -> tuple[ApiToken, User]:
    """Delete token ID (if the actor, when there is one, may manage its owner); returns it and its owner."""
    row = session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.id == token_id)).first()
    if row is None:
        raise NotFound(f"no API token {token_id}")
    token, owner = row
    if actor is not None:
        require_may_manage(actor, owner)
    session.execute(delete(ApiToken).where(ApiToken.id == token.id))
    return token, owner


def list_members(session: Session, project: Project) -> list[MemberOut]:
    rows = session.execute(
        select(User, ProjectMember.role).join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id).order_by(User.name)
    )
    return [
        MemberOut(name=user.name, role=role, account_role=user.role, disabled=user.disabled_at is not None)  # type: ignore[arg-type]
        for user, role in rows
    ]


def put_member(session: Session, project: Project, name: str, role: str) -> MemberOut:
    """Add the user to the project with this role, or change their role in it."""
    user = get_user(session, name)
    if role != "lead":
        _keep_a_lead(session, project, user)
    set_member(session, project.id, user, role)
    return MemberOut(name=user.name, role=role, account_role=user.role, disabled=user.disabled_at is not None)  # type: ignore[arg-type]


def remove_member(session: Session, project: Project, name: str) -> int:
    """Take the user out of the project: its pages, API and queue are closed to them at once, and the
    articles they held there without labels go back to the queue. Returns how many were released."""
    user = get_user(session, name)
    _keep_a_lead(session, project, user)
    removed = session.execute(
        delete(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user.id)
    )
    if not rows_changed(removed):
        raise NotFound(f"{name!r} is not a member of {project.name!r}")
    return release_unlabeled(session, user, project)


def _keep_a_lead(session: Session, project: Project, leaving: User) -> None:
    """Refuse to leave a project without a lead: nobody could then manage it but an admin."""
    leads = session.scalars(
        select(ProjectMember.user_id).where(ProjectMember.project_id == project.id, ProjectMember.role == "lead")
    ).all()
    if list(leads) == [leaving.id]:
        raise Conflict(f"{leaving.name!r} is the only lead of {project.name!r}; make someone else lead first")

