"""The model statements an annotator is shown as suggestions, unless the article is a blind control."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
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
    model, _, version = project.suggestion_model.rpartition("@")
    content = session.scalar(select(Prediction.content).where(
        Prediction.article_id == article.id, Prediction.model == model, Prediction.model_version == version))
    if content is None:
        return None
    return ModelSuggestions(model=model, model_version=version, statements=content["statements"])
