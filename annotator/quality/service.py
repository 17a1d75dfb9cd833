"""A project's annotator competence, read from the same labels agreement reads."""

from __future__ import annotations

from sqlalchemy.orm import Session

from annotator.agreement.service import streamed_articles
from annotator.agreement.units import article_units
from annotator.quality.competence import CompetenceReport, competence, field_units
from annotator.storage.tables import Project


def project_competence(session: Session, project: Project) -> CompetenceReport:
    articles = (article_units(article_id, label_sets) for article_id, label_sets, _ in streamed_articles(session, project))
    return competence(field_units(articles))
