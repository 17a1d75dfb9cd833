"""Schemathesis fuzzes every operation of /api/v1/openapi.json: no 5xx, no response off its schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.support import Team

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def api_schema(server_url: str, project_id: int):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_url(f"{server_url}/api/v1/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_fuzzed_requests_never_break_the_server_or_the_document(case, team: Team) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {team.lena.token}"},
        checks=[not_a_server_error, response_schema_conformance],
        timeout=30,
    )
