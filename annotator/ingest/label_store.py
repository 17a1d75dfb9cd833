"""Store labels made elsewhere, each checked like a save; a bad record is reported, not stored."""

from __future__ import annotations

import secrets

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.annotate.service import store_imported
from annotator.auth.service import add_user
from annotator.errors import ApiError
from annotator.ingest.label_readers import LabelRecord, LabelResult
from annotator.ingest.models import Rejection
from annotator.ingest.store import text_digest
from annotator.labelschema import LabelSchema
from annotator.storage.tables import Article, Project, User


class LabelImportReport(BaseModel):
    imported: int = 0
    new_annotators: list[str] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)


def import_labels(session: Session, project: Project, schema: LabelSchema, results: list[LabelResult]) -> LabelImportReport:
    report = LabelImportReport()
    for result in results:
        if isinstance(result, Rejection):
            report.rejected.append(result)
            continue
        article = _find_article(session, project, result)
        if article is None:
            report.rejected.append(_rejection(result, "no such article in this project"))
            continue
        try:
            with session.begin_nested():  # a refused record rolls back to here, the others stay
                annotator = _annotator(session, result.annotator, report)
                store_imported(session, project, schema, article, annotator, result.content)
        except ApiError as error:
            problems = "; ".join(f"{p.field}: {p.message}" for p in error.problems) or error.message
            report.rejected.append(_rejection(result, problems))
            continue
        report.imported += 1
    session.commit()
    return report


def _find_article(session: Session, project: Project, record: LabelRecord) -> Article | None:
    query = select(Article).where(Article.project_id == project.id)
    if record.article_id is not None:
        query = query.where(Article.id == record.article_id)
    elif record.external_id is not None:
        query = query.where(Article.external_id == record.external_id)
    else:
        query = query.where(Article.text_sha256 == text_digest(record.article_text or ""))
    return session.scalars(query.limit(1)).first()


def _annotator(session: Session, name: str, report: LabelImportReport) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        # Imported annotators get no usable password: they appear in figures, they do not log in.
        user = add_user(session, name, secrets.token_urlsafe(32), "annotator")
        report.new_annotators.append(name)
    return user


def _rejection(record: LabelRecord, reason: str) -> Rejection:
    return Rejection(**record.position.model_dump(), reason=reason)
