"""/api/v1/projects/{id}/predictions and /evaluations: store a model's predictions, score them."""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from typing import Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy.orm import Session

from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.errors import ErrorBody
from annotator.http import ProjectPath, api_blueprint, json_response
from annotator.ingest.uploads import UPLOAD_BODY, uploaded_files
from annotator.predictions.evaluation import SAMPLES, evaluate, gold_from_project, human_labels, stored_index
from annotator.predictions.models import EvaluationReport
from annotator.predictions.readers import read_prediction_stream
from annotator.predictions.store import (
    PredictionImportReport,
    SuggestionSettings,
    import_predictions,
    project_evaluations,
    set_suggestions,
    store_evaluation,
)
from annotator.projects.service import find_project, project_schema
from annotator.request_checks import takes_uploads
from annotator.storage.tables import Evaluation, Project

api = api_blueprint("predictions_api", __name__, "models")


class EvaluationRequest(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model: str | None = Field(default=None, description="NAME@VERSION of stored predictions; may be left out when only one is stored")
    split: Literal["train", "dev", "test"] | None = Field(default=None, description="Only the gold articles of this split")
    samples: StrictInt = Field(default=SAMPLES, ge=0, le=10_000, description="Bootstrap resamples (a whole number, not true or false)")


class EvaluationSummary(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    id: int
    model: str
    model_version: str
    gold_version: str
    split: str | None
    statement_keys_f1: float | None
    created_at: datetime


class EvaluationList(BaseModel):
    evaluations: list[EvaluationSummary] = Field(description="Best statement-key F1 first")


def summarize(evaluation: Evaluation) -> EvaluationSummary:
    return EvaluationSummary.model_validate(evaluation, from_attributes=True)


@api.post(
    "/projects/<int:project_id>/predictions",
    responses={200: PredictionImportReport, 413: ErrorBody, 415: ErrorBody},
    openapi_extensions=UPLOAD_BODY,
)
@takes_uploads
@requires("lead")
def post_predictions(path: ProjectPath) -> Response:
    """Store a model's predictions (JSONL lines or Label Studio tasks), apart from annotators' labels.

    Read as the upload arrives and stored a batch at a time: sending the same file again changes nothing."""
    session = db_session()
    project = find_project(session, path.project_id)
    results = chain.from_iterable(read_prediction_stream(name, stream) for name, stream in uploaded_files())
    return json_response(import_predictions(session, project, project_schema(project), results))


def evaluate_stored(session: Session, project: Project, wanted: EvaluationRequest) -> Evaluation:
    """Score stored predictions against the project's current gold, and keep the result."""
    gold = gold_from_project(session, project, wanted.split)
    report = evaluate(gold, stored_index(session, project, wanted.model), human_labels(session, gold), wanted.samples)
    evaluation = store_evaluation(session, project, report)
    session.commit()
    return evaluation


@api.post("/projects/<int:project_id>/evaluations", responses={201: EvaluationReport, 404: ErrorBody, 415: ErrorBody, 422: ErrorBody})
@requires("lead")
def post_evaluation(path: ProjectPath, body: EvaluationRequest) -> Response:
    """Score a stored model version against the project's current gold; the evaluation is kept."""
    session = db_session()
    evaluation = evaluate_stored(session, find_project(session, path.project_id), body)
    return json_response(EvaluationReport.model_validate(evaluation.report), 201)


@api.get("/projects/<int:project_id>/evaluations", responses={200: EvaluationList, 404: ErrorBody})
@requires("lead")
def get_evaluations(path: ProjectPath) -> Response:
    """Every model version evaluated in the project, best first."""
    session = db_session()
    project = find_project(session, path.project_id)
    return json_response(EvaluationList(evaluations=[summarize(e) for e in project_evaluations(session, project)]))


@api.put("/projects/<int:project_id>/suggestions", responses={200: SuggestionSettings, 404: ErrorBody, 415: ErrorBody, 422: ErrorBody})
@requires("lead")
def put_suggestions(path: ProjectPath, body: SuggestionSettings) -> Response:
    """Offer a stored model version's predictions to annotators as suggestions (or stop), with a blind control share."""
    session = db_session()
    return json_response(set_suggestions(session, find_project(session, path.project_id), body))
