"""Build the demo database (no server; the CLI serves it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.adjudicate.compare import is_unanimous
from annotator.adjudicate.models import GoldSave
from annotator.adjudicate.service import head_versions, save_gold
from annotator.annotate.models import AnnotationContent
from annotator.annotate.service import checked_content, store_imported
from annotator.auth.membership import set_member
from annotator.auth.service import add_user, get_user
from annotator.demo.labels import BEN, CLEO, MODEL_NAME, MODEL_SAYS, MODEL_VERSION, labels_for
from annotator.ingest.models import SourcePosition
from annotator.ingest.readers import read_paths
from annotator.ingest.store import import_records
from annotator.labelschema import LabelSchema, load_schema
from annotator.predictions.evaluation import evaluate, gold_from_project, human_labels, index_predictions
from annotator.predictions.models import PredictionLine
from annotator.predictions.readers import PredictionRecord
from annotator.predictions.store import SuggestionSettings, import_predictions, set_suggestions, store_evaluation
from annotator.projects.service import create_project
from annotator.shipped import DEMO_MORE, SAMPLE_CORPUS, default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import Article, Project

PROJECT_NAME = "diplomacy-demo"
MODEL = f"{MODEL_NAME}@{MODEL_VERSION}"
OVERLAP = 3  # ben and cleo have labeled already; ana is the third


@dataclass(frozen=True)
class DemoUser:
    name: str
    password: str
    role: str


# Printed on start; the demo serves on 127.0.0.1 only.
DEMO_USERS = (
    DemoUser("ana", "ana-labels-2026", "annotator"),
    DemoUser("ben", "ben-labels-2026", "annotator"),
    DemoUser("cleo", "cleo-labels-2026", "annotator"),
    DemoUser("lena", "lena-leads-2026", "lead"),
)


def reset_sqlite_file(data_dir: Path) -> Path:
    """Delete the demo database (and its WAL files) so the demo starts fresh."""
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / "annotator.db"
    for leftover in (database, data_dir / "annotator.db-wal", data_dir / "annotator.db-shm"):
        leftover.unlink(missing_ok=True)
    return database


def build_demo(db: Database) -> int:
    """Migrate, then add the project, the sample corpus, the users, two annotators' labels, gold where
    they agree, and a model's predictions offered as suggestions and evaluated; returns the project id."""
    upgrade_to_head(db)
    schema = load_schema(default_schema_path())
    with db.session(write=True) as session:
        project = create_project(session, PROJECT_NAME, schema, overlap=OVERLAP)
        for user in DEMO_USERS:
            set_member(session, project.id, add_user(session, user.name, user.password, user.role), user.role)
        session.commit()
        project_id = project.id
        import_records(session, project_id, read_paths([SAMPLE_CORPUS, DEMO_MORE]))
        _label_and_predict(session, session.get(Project, project_id), schema)  # type: ignore[arg-type]
    return project_id


def _label_and_predict(session: Session, project: Project, schema: LabelSchema) -> None:
    articles = list(session.scalars(select(Article).where(Article.project_id == project.id).order_by(Article.id)))
    for name, said in (("ben", BEN), ("cleo", CLEO)):
        annotator = get_user(session, name)
        for article in articles:
            labels = labels_for(article.external_id or "", article.text, said, _outlet_id(schema, article.outlet))
            content = checked_content(AnnotationContent.model_validate(labels), article, schema)
            store_imported(session, project, schema, article, annotator, content)
    _settle_agreements(session, project, schema, articles)
    session.commit()
    records = [
        PredictionRecord(SourcePosition(source="demo"), PredictionLine.model_validate({
            **labels_for(article.external_id or "", article.text, MODEL_SAYS, None, with_score=True),
            "article_id": article.id, "model": MODEL_NAME, "model_version": MODEL_VERSION,
        }))
        for article in articles
    ]
    import_predictions(session, project, schema, records)
    set_suggestions(session, project, SuggestionSettings(model=MODEL, control_share=0.1))
    gold = gold_from_project(session, project, None)
    store_evaluation(session, project, evaluate(gold, index_predictions(records, MODEL), human_labels(session, gold)))
    session.commit()


def _settle_agreements(session: Session, project: Project, schema: LabelSchema, articles: list[Article]) -> None:
    """Lena makes gold of what ben and cleo agree on (two of the three the overlap asks for: a majority,
    left for ana to confirm or dispute), so the lead's pages and the model have gold to show."""
    lena = get_user(session, "lena")
    versions = head_versions(session, [article.id for article in articles])
    for article in articles:
        if is_unanimous(versions[article.id]):
            agreed = AnnotationContent.model_validate(versions[article.id][0].content)
            save_gold(session, project, schema, article, lena, GoldSave(base_revision=None, **agreed.model_dump()))


def _outlet_id(schema: LabelSchema, imported: str | None) -> str | None:
    """The vocabulary id of the outlet an article was imported with, if the schema knows it."""
    if imported is None:
        return None
    wanted = imported.casefold()
    return next((e.id for e in schema.vocabulary("outlets") if wanted in {n.casefold() for n in e.names()}), None)
