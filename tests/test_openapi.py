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


def test_json_writes_document_their_415_and_the_export_its_200(client) -> None:  # type: ignore[no-untyped-def]
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in (("/api/v1/articles/{article_id}/annotation", "put"), ("/api/v1/articles/{article_id}/gold", "put"),
                         ("/api/v1/projects", "post")):
        assert "415" in paths[path][method]["responses"], f"{method} {path}"
    export = paths["/api/v1/projects/{project_id}/export"]["get"]["responses"]["200"]
    assert set(export["content"]) == {"application/x-ndjson", "text/plain", "application/json"}


def test_a_method_not_allowed_says_which_are(client) -> None:  # type: ignore[no-untyped-def]
    response = client.delete("/api/v1/openapi.json")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
