"""The model statements an annotator is shown as suggestions, unless the article is a blind control;
and the stored predictions of a model named NAME@VERSION, as suggestions and exports read them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from annotator.projects.control import in_blind_control
from annotator.storage.tables import Article, Prediction, Project


class ModelSuggestions(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model: str
    model_version: str
    statements: list[dict[str, Any]]  # with the model's score


def model_suggestions(session: Session, project: Project, article: Article) -> ModelSuggestions | None:
    """The project's suggestion model's statements for the article: None when suggestions are off, the
    article is in the blind control share, or the model has not seen it. A model that found nothing in
    it says so (no statements), so that an annotator can tell that from suggestions being off."""
    if project.suggestion_model is None or in_blind_control(article.id, project.control_share):
        return None
    content = predicted_content(session, article.id, project.suggestion_model)
    if content is None:
        return None
    model, _, version = project.suggestion_model.rpartition("@")
    return ModelSuggestions(model=model, model_version=version, statements=content["statements"])


def _named(model_version: str) -> ColumnElement[bool]:
    model, _, version = model_version.rpartition("@")
    return (Prediction.model == model) & (Prediction.model_version == version)


def predicted_content(session: Session, article_id: int, model_version: str) -> dict[str, Any] | None:
    """What model NAME@VERSION predicted for the article, if it has seen it."""
    return session.scalar(select(Prediction.content).where(Prediction.article_id == article_id, _named(model_version)))


def has_predictions(session: Session, project: Project, model_version: str) -> bool:
    """Whether model NAME@VERSION has predictions stored in the project."""
    found = session.scalar(select(Prediction.id).where(Prediction.project_id == project.id, _named(model_version)).limit(1))
    return found is not None
