"""The OpenAPI document is generated from the pydantic models and is valid."""

from __future__ import annotations

from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_public(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["components"]["schemas"]["AnnotationSave"]["required"] == ["base_revision"]


def test_openapi_document_lists_every_endpoint(client) -> None:  # type: ignore[no-untyped-def]
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/articles",
        "/api/v1/projects/{project_id}/next",
        "/api/v1/articles/{article_id}",
        "/api/v1/articles/{article_id}/annotation",
        "/api/v1/articles/{article_id}/annotations",
    } <= set(paths)
    assert set(paths["/api/v1/articles/{article_id}/annotation"]) == {"get", "put"}
