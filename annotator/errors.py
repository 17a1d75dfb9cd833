"""Errors the API reports, and the one JSON shape every 4xx body takes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """One thing wrong with a request, located by its field path."""

    field: str = Field(description="Dotted path of the offending field, '' for the whole body")
    loc: list[str | int]
    message: str

    @classmethod
    def at(cls, loc: Sequence[str | int], message: str) -> Problem:
        return cls(field=".".join(str(p) for p in loc), loc=list(loc), message=message)


class ErrorBody(BaseModel):
    error: str = Field(description="Machine-readable code, e.g. invalid_annotation, stale_revision")
    message: str
    problems: list[Problem] = Field(default_factory=list)


class ApiError(Exception):
    """Raised by cores and routes; rendered as ErrorBody with its status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, problems: Iterable[Problem] = (), **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)
        self.extra = extra

    def reason(self) -> str:
        """One line naming every problem (each field and what is wrong), for import reports."""
        return "; ".join(f"{p.field}: {p.message}" for p in self.problems) or self.message

    def headers(self) -> dict[str, str]:
        """HTTP headers the refusal carries (Retry-After, say)."""
        return {}

    def body(self) -> dict[str, object]:
        body = ErrorBody(error=self.code, message=self.message, problems=self.problems).model_dump()
        return {**body, **self.extra}


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class SchemaChanged(Conflict):
    """Labels made under a schema version the project has left (the page was open across an upgrade)."""

    code = "schema_changed"

    @classmethod
    def since(cls, made_under: str, current: str) -> SchemaChanged:
        return cls(f"the codebook changed from version {made_under} to {current} while this page was open: "
                   "reload, and your edits come back carried to the new version where they can be")


class StaleRevision(Conflict):
    """A save based on a revision that is no longer the newest: refused, nothing overwritten."""

    code = "stale_revision"

    @classmethod
    def based_on(cls, base: int | None, current: int | None) -> StaleRevision:
        started_from = f"revision {base}" if base is not None else "no saved revision"
        latest = f"revision {current}" if current is not None else "unsaved"
        return cls(
            f"your edit started from {started_from}, but the latest is {latest}; "
            "reload to see it before saving again",
            current_revision=current,
        )


class Invalid(ApiError):
    status = 422
    code = "invalid"
