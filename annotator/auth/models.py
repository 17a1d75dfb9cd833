"""Roles and the user as the rest of the app sees it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Role = Literal["annotator", "lead", "admin"]
ROLES: tuple[Role, ...] = ("annotator", "lead", "admin")
# Each role may do what the roles before it may.
_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}


def role_allows(role: str, required: Role) -> bool:
    return _RANK.get(role, -1) >= _RANK[required]


class UserOut(BaseModel):
    id: int
    name: str
    role: Role
