"""Account payloads: no password or token is ever read back, only shown once when made."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from annotator.auth.models import Role

ProjectRole = Literal["annotator", "lead"]


class UserCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80, description="Letters, digits, '_', '.' or '-'")
    role: Role = "annotator"


class UserOut(BaseModel):
    name: str
    role: str
    disabled: bool
    created_at: datetime


class UserList(BaseModel):
    users: list[UserOut]


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(min_length=8, max_length=1000)


class TokenCreate(BaseModel):
    label: str = Field(default="", max_length=80, description="What the token is for, e.g. 'training pipeline'")


class TokenOut(BaseModel):
    id: int
    user: str
    label: str
    hint: str = Field(description="The token's first characters, to recognise it")
    created_at: datetime


class IssuedPassword(BaseModel):
    """A new account or a reset: the password is shown this once; the user changes it on their account page."""

    user: UserOut
    password: str
    tokens_ended: list[TokenOut] = Field(default_factory=list, description="The API tokens a reset revoked")


class DisabledUser(UserOut):
    """A disabled account, and what its disabling ended."""

    tokens_ended: list[TokenOut] = Field(description="The API tokens revoked: an enable brings none back")
    articles_released: int = Field(description="Articles they held without labels, back in the queue")


class TokenList(BaseModel):
    tokens: list[TokenOut]


class IssuedToken(BaseModel):
    token: TokenOut
    secret: str = Field(description="The token itself: shown this once, stored only as a hash")


class MemberSet(BaseModel):
    role: ProjectRole


class MemberOut(BaseModel):
    name: str
    role: ProjectRole
    account_role: str
    disabled: bool


class MemberList(BaseModel):
    members: list[MemberOut]
