"""The project's articles a model predicts for, and its predictions stored back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.ingest.models import SourcePosition
from annotator.labelschema import LabelSchema
from annotator.predictions.models import PredictionLine
from annotator.predictions.readers import PredictionRecord
from annotator.predictions.store import PredictionImportReport, import_predictions
from annotator.storage.tables import Article, GoldRecord, Project


def articles_without_gold(session: Session, project: Project) -> list[tuple[int, str | None, str]]:
    has_gold = select(GoldRecord.article_id).where(GoldRecord.project_id == project.id, GoldRecord.head_revision_id.is_not(None))
    rows = session.execute(
        select(Article.id, Article.external_id, Article.text)
        .where(Article.project_id == project.id, Article.id.not_in(has_gold)).order_by(Article.id)
    )
    return [(i, external, text) for i, external, text in rows]


def import_lines(session: Session, project: Project, schema: LabelSchema, lines: Iterable[dict[str, Any]]) -> PredictionImportReport:
    """Store prediction lines as any imported predictions are stored: checked like saves."""
    records = [PredictionRecord(SourcePosition(source="annotator predict", line=n), PredictionLine.model_validate(line))
               for n, line in enumerate(lines, start=1)]
    return import_predictions(session, project, schema, records)
