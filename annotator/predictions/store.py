"""Predictions and evaluations in the database: stored apart from annotators' labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.annotate.service import checked_content
from annotator.annotate.suggestions import has_predictions
from annotator.errors import ApiError, NotFound
from annotator.ingest.models import Rejection, RejectionTally
from annotator.ingest.store import find_article
from annotator.labelschema import LabelSchema
from annotator.predictions.models import EvaluationReport
from annotator.predictions.readers import PredictionRecord, PredictionResult
from annotator.storage.tables import Article, Evaluation, Prediction, Project
from annotator.storage.turns import in_turns


class PredictionImportReport(RejectionTally):
    imported: int = Field(default=0, description="New predictions stored")
    replaced: int = Field(default=0, description="Predictions of the same article and model version, now changed")
    unchanged: int = Field(default=0, description="Already stored exactly so: a repeated import changes nothing")
    models: list[str] = Field(default_factory=list, description="NAME@VERSION of every model in the file")
    empty: int = Field(default=0, description="Predictions stored with no statement: the model found none in the article")


def import_predictions(
    session: Session, project: Project, schema: LabelSchema, results: Iterable[PredictionResult]
) -> PredictionImportReport:
    """Each prediction checked like a save (schema, spans against the text); bad ones reported, not
    stored. Read as they come and stored in turns (storage.turns): saves go on meanwhile."""
    report = PredictionImportReport()
    models: set[str] = set()
    for batch in in_turns(session, results):
        for result in batch:
            if isinstance(result, Rejection):
                report.reject(result)
            elif (stored := _checked_and_stored(session, project, schema, result, report)) is not None:
                models.add(stored)
    report.models = sorted(models)
    return report


def _checked_and_stored(
    session: Session, project: Project, schema: LabelSchema, result: PredictionRecord, report: PredictionImportReport,
) -> str | None:
    """Store one prediction if its article is found and its labels pass; its model's NAME@VERSION if so."""
    line = result.line
    article = find_article(session, project.id, line.article_id, line.external_id, result.article_text)
    if article is None:
        report.reject(Rejection(**result.position.model_dump(), reason="no such article in this project"))
        return None
    try:
        checked_content(line.content(), article, schema, "prediction")
    except ApiError as error:
        report.reject(Rejection(**result.position.model_dump(), reason=error.reason()))
        return None
    _store(session, project, article, result, report)
    report.empty += not line.statements
    return f"{line.model}@{line.model_version}"


def _store(session: Session, project: Project, article: Article, record: PredictionRecord, report: PredictionImportReport) -> None:
    line = record.line
    content = line.model_dump(mode="json", include={"statements", "article"})
    stored = session.scalar(select(Prediction).where(
        Prediction.article_id == article.id, Prediction.model == line.model, Prediction.model_version == line.model_version))
    if stored is None:
        session.add(Prediction(project_id=project.id, article_id=article.id, model=line.model,
                               model_version=line.model_version, content=content, stance_margin=line.stance_margin))
        report.imported += 1
    elif stored.content != content or stored.stance_margin != line.stance_margin:
        stored.content, stored.stance_margin = content, line.stance_margin
        report.replaced += 1
    else:
        report.unchanged += 1


class SuggestionSettings(BaseModel):
    """Which stored model version annotators see as suggestions, and the share kept blind to them."""

    model_config = ConfigDict(protected_namespaces=())

    model: str | None = Field(default=None, description="NAME@VERSION of stored predictions; null turns suggestions off")
    control_share: float = Field(default=0.1, ge=0, le=1, allow_inf_nan=False,
                                 description="Share of articles (stable by id) whose annotators never see suggestions")

    @field_validator("control_share", mode="before")
    @classmethod
    def not_a_truth_value(cls, share: object) -> object:
        if isinstance(share, bool):  # pydantic would read false as 0 and hide the mistake
            raise ValueError("must be a number from 0 to 1, not true or false")
        return share


def set_suggestions(session: Session, project: Project, settings: SuggestionSettings) -> SuggestionSettings:
    if settings.model is not None and not has_predictions(session, project, settings.model):
        raise NotFound(f"no predictions of {settings.model} in project {project.name!r}; import them first")
    project.suggestion_model, project.control_share = settings.model, settings.control_share
    session.commit()
    return settings


def store_evaluation(session: Session, project: Project, report: EvaluationReport) -> Evaluation:
    evaluation = Evaluation(
        project_id=project.id, model=report.model, model_version=report.model_version, gold_version=report.gold.version,
        split=report.gold.split, statement_keys_f1=report.statement_keys["f1"], report=report.model_dump(mode="json"),
        created_at=report.created_at,
    )
    session.add(evaluation)
    session.flush()
    return evaluation


def project_evaluations(session: Session, project: Project) -> list[Evaluation]:
    """Every evaluation of the project, best statement-key F1 first (undefined last), then newest."""
    return list(session.scalars(
        select(Evaluation).where(Evaluation.project_id == project.id)
        .order_by(Evaluation.statement_keys_f1.desc().nulls_last(), Evaluation.created_at.desc())
    ))


# Fewer gold articles than this, and model versions are listed, not ranked: their figures' intervals
# are too wide for an order between them to mean anything.
MIN_ARTICLES_TO_RANK = 30


@dataclass(frozen=True)
class EvaluationGroup:
    """The evaluations against one gold version and split: the only ones whose figures compare."""

    gold_version: str
    split: str | None
    articles: int
    evaluations: list[Evaluation]  # the newest of each model version, best statement-key F1 first

    @property
    def rankable(self) -> bool:
        return self.articles >= MIN_ARTICLES_TO_RANK


def evaluation_groups(evaluations: list[Evaluation]) -> list[EvaluationGroup]:
    """Evaluations grouped by the gold they were scored against, each model version once (its
    newest evaluation there); newest gold first."""
    groups: dict[tuple[str, str | None], dict[tuple[str, str], Evaluation]] = {}
    for evaluation in sorted(evaluations, key=lambda e: e.created_at, reverse=True):
        versions = groups.setdefault((evaluation.gold_version, evaluation.split), {})
        versions.setdefault((evaluation.model, evaluation.model_version), evaluation)
    return [
        EvaluationGroup(gold_version, split, int(next(iter(found.values())).report["gold"]["articles"]),
                        sorted(found.values(), key=_best_first))
        for (gold_version, split), found in groups.items()
    ]


def _best_first(evaluation: Evaluation) -> tuple[bool, float]:
    f1 = evaluation.statement_keys_f1
    return (f1 is None, -(f1 or 0.0))
