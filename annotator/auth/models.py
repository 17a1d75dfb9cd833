"""Roles, and which role may do what."""

from __future__ import annotations

from typing import Literal

Role = Literal["annotator", "lead", "admin"]
ROLES: tuple[Role, ...] = ("annotator", "lead", "admin")
# Each role may do what the roles before it may.
_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}


def role_allows(role: str, required: Role) -> bool:
    return _RANK.get(role, -1) >= _RANK[required]
