"""Schemathesis fuzzes every operation of /api/v1/openapi.json with valid and invalid data, on SQLite
and PostgreSQL: no 5xx, no response off its schema, and data off the schema is refused."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection, response_schema_conformance

from annotator.app import create_app
from annotator.settings import Settings
from tests.support import Team

EXAMPLES_PER_OPERATION = 25


def openapi_document() -> dict[str, Any]:
    """The document the server serves; generating it needs no database."""
    return create_app(Settings(secret_key="fuzz", database_url="sqlite://")).api_doc


# "all": requests that fit the schema and requests that break it (wrong types, missing or extra fields).
schema = schemathesis.openapi.from_dict(
    openapi_document(), config=SchemathesisConfig.from_dict({"generation": {"mode": "all"}}),
)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_fuzzed_requests_never_break_the_server_or_the_document(case, server_url: str, team: Team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(
        base_url=server_url,
        headers={"Authorization": f"Bearer {team.lena.token}"},
        checks=[not_a_server_error, response_schema_conformance, negative_data_rejection],
        timeout=30,
    )
