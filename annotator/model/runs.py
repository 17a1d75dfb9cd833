"""A training run and a prediction run, whoever starts them: the command line (with a progress bar) or a
worker running a job (with the job's progress). Each reads and writes through the database alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.model.card import ModelCard
from annotator.model.store import articles_without_gold, import_lines
from annotator.model.versions import MODEL_NAME, next_version
from annotator.predictions.store import SuggestionSettings, set_suggestions
from annotator.projects.service import find_project, project_schema
from annotator.storage import Database

Progress = Callable[[str, float], None]
# Predicting reports progress after every this many articles.
PROGRESS_EVERY = 50


@dataclass(frozen=True)
class Trained:
    card: ModelCard
    summary: str


def train_run(db: Database, project_key: str | int, progress: Progress, export_dir: Path | None = None, seed: int = 13,
              curve: bool = True) -> Trained:
    """Train the baseline on the project's current gold (or a pinned export), store it as a new version with
    its card, and keep its test evaluation with the project's evaluations."""
    from annotator.model.training import gold_of_export, gold_of_project, save_version, train  # noqa: PLC0415
    from annotator.predictions.store import store_evaluation  # noqa: PLC0415

    with db.session() as session:
        project = find_project(session, project_key)
        project_id, schema = project.id, project_schema(project)
        gold = gold_of_export(export_dir) if export_dir else gold_of_project(session, project)
        version = next_version(session, project_id)
    model, card, test_report = train(gold, schema, version, seed, curve, progress)
    with db.transaction() as session:
        save_version(session, project_id, model, card)
        if test_report is not None:
            store_evaluation(session, find_project(session, project_id), test_report)
    return Trained(card, f"{MODEL_NAME}@{version} stored: {card.counts.train} train, {card.counts.dev} dev, {card.counts.test} test articles")


def prediction_lines_of(db: Database, project_key: str | int, version: str, progress: Progress) -> Iterator[dict[str, Any]]:
    """The version's prediction line for each of the project's articles without gold, as they come."""
    from annotator.model.training import load_version, prediction_lines  # noqa: PLC0415

    with db.session() as session:
        project = find_project(session, project_key)
        schema = project_schema(project)
        model, _ = load_version(session, project.id, version)
        articles = articles_without_gold(session, project)
    for done, line in enumerate(prediction_lines(model, schema, articles, version), 1):
        if done % PROGRESS_EVERY == 0 or done == len(articles):
            progress(f"predicting, {done} of {len(articles)} articles", 0.9 * done / max(len(articles), 1))
        yield line


def store_predictions(db: Database, project_key: str | int, version: str, lines: list[dict[str, Any]], offer: bool) -> str:
    """Store the lines as the version's predictions and, with `offer`, make them the suggestions annotators see."""
    with db.session(write=True) as session:  # the import commits as it goes
        project = find_project(session, project_key)
        report = import_lines(session, project, project_schema(project), lines)
        summary = (f"{MODEL_NAME}@{version}: imported {report.imported}, replaced {report.replaced}, "
                   f"unchanged {report.unchanged}, rejected {report.rejected_count}")
        if offer:
            set_suggestions(session, project, SuggestionSettings(model=f"{MODEL_NAME}@{version}", control_share=project.control_share))
            summary += "; offered to annotators as suggestions"
        session.commit()
    return summary


def predict_run(db: Database, project_key: str | int, version: str, progress: Progress, offer: bool = False) -> str:
    """Predict the articles without gold with a stored version and store the predictions (a job's run)."""
    lines = list(prediction_lines_of(db, project_key, version, progress))
    return store_predictions(db, project_key, version, lines, offer)
