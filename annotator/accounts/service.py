"""Users, tokens and members: the operations, and who may perform them on whom.

The operations trust their caller (the CLI runs them as the server's operator);
the pages and the API check `may_manage` and `may_create` first.
"""

from __future__ import annotations

import secrets

from sqlalchemy import ColumnElement, and_, delete, or_, select, true
from sqlalchemy.orm import Session

from annotator.accounts.models import DisabledUser, MemberOut, TokenOut, UserOut
from annotator.annotate.assignment import release_unlabeled
from annotator.auth.membership import set_member
from annotator.auth.service import add_user, end_all_login_sessions, get_user, hash_password
from annotator.errors import Conflict, Forbidden, Invalid, NotFound
from annotator.storage.database import rows_changed
from annotator.storage.tables import ApiToken, Project, ProjectMember, User, utcnow


def managed_by_lead(lead: User) -> ColumnElement[bool]:
    """The accounts a lead manages: annotator accounts in no project she does not lead.

    An annotator in two projects is the lead's only if she leads both; one in no project yet
    (just created, or taken out of every project) is any lead's, who can then add them to hers.
    """
    led = select(ProjectMember.project_id).where(ProjectMember.user_id == lead.id, ProjectMember.role == "lead")
    elsewhere = select(ProjectMember.id).where(ProjectMember.user_id == User.id, ProjectMember.project_id.not_in(led))
    return and_(User.role == "annotator", ~elsewhere.exists())


def may_manage(session: Session, actor: User, target: User) -> bool:
    """Everyone manages themselves; admins manage everyone; a lead manages the annotators of her projects alone."""
    if actor.id == target.id or actor.role == "admin":
        return True
    if actor.role != "lead" or target.role != "annotator":
        return False
    return session.scalar(select(User.id).where(User.id == target.id, managed_by_lead(actor))) is not None


def manageable_ids(session: Session, actor: User) -> set[int]:
    """The ids of every account the actor may manage (see may_manage), in one query."""
    if actor.role == "admin":
        return set(session.scalars(select(User.id)))
    if actor.role == "lead":
        return set(session.scalars(select(User.id).where(or_(User.id == actor.id, managed_by_lead(actor)))))
    return {actor.id}


def require_may_manage(session: Session, actor: User, target: User) -> None:
    if may_manage(session, actor, target):
        return
    if actor.role == "lead" and target.role == "annotator":
        raise Forbidden(f"{target.name!r} also belongs to a project you do not lead; ask an admin or that project's lead")
    raise Forbidden(f"a {actor.role} cannot manage the {target.role} account {target.name!r}; ask an admin")


def managed_user(session: Session, actor: User, name: str) -> User:
    """The account NAME, if the actor may manage it."""
    user = get_user(session, name)
    require_may_manage(session, actor, user)
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


def reset_password(session: Session, user: User) -> tuple[str, list[TokenOut]]:
    """A new generated password; every session and API token of the user ends (the tokens are returned)."""
    password = temporary_password()
    return password, set_password(session, user, password)


def set_password(session: Session, user: User, password: str) -> list[TokenOut]:
    """A new password: every session and API token of the user ends; returns the tokens that ended.

    Whoever knew the old password may have made a token with it: a new password that left them
    working would keep them in.
    """
    user.password_hash = hash_password(password)
    end_all_login_sessions(session, user)
    return end_all_tokens(session, user)


def end_all_tokens(session: Session, user: User) -> list[TokenOut]:
    """Revoke every API token of the user; returns what ended."""
    ended = list_tokens(session, user)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    return ended


def with_ended_tokens(message: str, ended: list[TokenOut]) -> str:
    """A page's message about a change, and then what tokens it ended (if any)."""
    return " ".join(filter(None, [message, ended_tokens_sentence(ended)]))


def ended_tokens_sentence(ended: list[TokenOut]) -> str:
    """What a password change, reset or disabling ended, said in one sentence ('' if no token)."""
    if not ended:
        return ""
    named = ", ".join(f"{token.label} ({token.hint}…)" if token.label else f"{token.hint}…" for token in ended)
    return f"{len(ended)} API token(s) ended: {named}."


def disable_user(session: Session, user: User, actor: User | None = None) -> DisabledUser:
    """The user can no longer log in: their sessions and API tokens end at once (an enable brings
    none back), and the articles they hold without labels go back to the queue. `actor` is who did
    it (None: the server's operator, as an admin)."""
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        user.disabled_by_id = actor.id if actor is not None else None
    end_all_login_sessions(session, user)
    ended = end_all_tokens(session, user)
    session.flush()
    return DisabledUser(**describe_user(user).model_dump(), tokens_ended=ended,
                        articles_released=release_unlabeled(session, user))


def enable_user(session: Session, user: User, actor: User | None = None) -> None:
    """Let the user log in again (with no token: make new ones). What an admin, or the operator,
    disabled only an admin enables."""
    if actor is not None and actor.role != "admin" and user.disabled_at is not None and _disabled_by_an_admin(session, user):
        raise Forbidden(f"{user.name!r} was disabled by an admin; only an admin can enable the account")
    user.disabled_at = None
    user.disabled_by_id = None
    session.flush()


def _disabled_by_an_admin(session: Session, user: User) -> bool:
    if user.disabled_by_id is None:
        return True  # the server's operator, from the command line
    return session.scalar(select(User.role).where(User.id == user.disabled_by_id)) == "admin"


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
        return _tokens(session, or_(User.id == actor.id, managed_by_lead(actor)))
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
        require_may_manage(session, actor, owner)
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

