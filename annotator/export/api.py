"""GET /api/v1/projects/{id}/export: the data of an export, streamed as it is read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from flask import Response
from pydantic import BaseModel, Field, field_validator

from annotator.auth.guard import requires
from annotator.context import app_state, db_session
from annotator.errors import ErrorBody
from annotator.export.models import ExportFormat, Split
from annotator.export.service import DATA_FILES, ExportOptions, Tally, check_exportable, data_lines, download_name
from annotator.export.splits import DEFAULT_SEED, RATIOS_PATTERN, parse_ratios
from annotator.http import ProjectPath, api_blueprint
from annotator.projects.service import find_project
from annotator.storage import Database
from annotator.storage.tables import utcnow

api = api_blueprint("export_api", __name__, "export")


class ExportQuery(BaseModel):
    format: ExportFormat = "gold"
    include_unadjudicated: bool = False
    aggregate: Literal["majority", "dawid-skene", "mace"] = Field(
        default="majority", description="How articles without gold are filled, when included")
    seed: int = DEFAULT_SEED
    ratios: str = Field(default="0.8,0.1,0.1", pattern=RATIOS_PATTERN, description="train,dev,test shares summing to 1")

    @field_validator("ratios")
    @classmethod
    def ratios_are_valid(cls, value: str) -> str:
        parse_ratios(value)
        return value

    def split_ratios(self) -> dict[Split, float]:
        return parse_ratios(self.ratios)


EXPORT_OK = {
    "description": "The export's data, streamed: JSONL (gold, statements), CoNLL text (spans) or a JSON list (labelstudio)",
    "content": {
        "application/x-ndjson": {"schema": {"type": "string"}},
        "text/plain": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
    },
}


@api.get("/projects/<int:project_id>/export", responses={200: EXPORT_OK, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody})
@requires("lead")
def get_export(path: ProjectPath, query: ExportQuery) -> Response:
    """Stream a project's gold in one format (gold, statements, spans or labelstudio)."""
    session = db_session()
    project = find_project(session, path.project_id)
    options = ExportOptions(query.format, query.include_unadjudicated, query.seed, query.split_ratios(), aggregate=query.aggregate)
    check_exportable(session, project, options)
    _, mimetype = DATA_FILES[query.format]
    response = Response(_streamed(app_state().db, project.id, options), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{download_name(project.name, options, utcnow())}"'
    return response


def _streamed(db: Database, project_id: int, options: ExportOptions) -> Iterator[bytes]:
    """The export's lines, read through a session of the stream's own.

    The request's sessions close when the view returns, before the body is
    sent; this one lives exactly as long as the stream, and closes when it ends
    or the client goes away.
    """
    with db.session() as session:
        yield from data_lines(session, find_project(session, project_id), options, Tally())
