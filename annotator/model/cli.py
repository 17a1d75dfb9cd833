"""`annotator train PROJECT` and `annotator predict PROJECT --model VERSION`."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import click
import orjson

from annotator.cli_support import CliContext, pass_cli
from annotator.model.extra import require_model_extra
from annotator.model.folders import models_folder, next_version
from annotator.model.progress import StatusFile
from annotator.model.store import articles_without_gold, import_lines
from annotator.predictions.store import SuggestionSettings, set_suggestions
from annotator.projects.service import find_project, project_schema

# A page's status file is rewritten after every this many articles predicted.
PROGRESS_EVERY = 50


@click.command("train")
@click.argument("project")
@click.option("--gold", "export_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Train on a pinned export (the folder `annotator export` wrote) instead of the project's current gold")
@click.option("--seed", default=13, show_default=True, type=int, help="Same gold and seed, same model")
@click.option("--curve/--no-curve", default=True, show_default=True,
              help="Also train on 25, 50 and 75%% of the train split, for the learning curve")
@click.option("--status", "status_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write progress to this file as JSON (the lead's page reads it)")
@pass_cli
def train_command(cli: CliContext, project: str, export_dir: Path | None, seed: int, curve: bool, status_path: Path | None) -> None:
    """Train the baseline on PROJECT's gold (train split), score it on dev and test, write a model folder."""
    require_model_extra()
    from annotator.model.training import gold_of_export, gold_of_project, save_folder, train  # noqa: PLC0415
    from annotator.predictions.store import store_evaluation  # noqa: PLC0415

    status = StatusFile(status_path)
    try:
        with cli.db().session() as session:
            found = find_project(session, project)
            schema = project_schema(found)
            gold = gold_of_export(export_dir) if export_dir else gold_of_project(session, found)
        folder = models_folder(cli.settings.data_dir, found)
        version = next_version(folder)
        with click.progressbar(length=100, label="Training", file=sys.stderr) as bar:
            def progress(stage: str, done: float) -> None:
                bar.update(round(done * 100) - bar.pos)
                status.write("running", stage, done)

            model, card, test_report = train(gold, schema, version, seed, curve, progress)
        saved = save_folder(folder, model, card)
        if test_report is not None:
            with cli.db().transaction() as session:
                store_evaluation(session, find_project(session, found.id), test_report)
    except Exception as error:
        status.write("failed", str(error), 1.0)
        raise
    status.write("done", f"baseline@{version} written to {saved}", 1.0, version=version)
    click.echo(f"baseline@{version}: {card.counts.train} train, {card.counts.dev} dev, {card.counts.test} test articles; written to {saved}")
    for split, figures in (("dev", card.dev), ("test", card.test), ("majority-stance baseline, test", card.majority_baseline_test)):
        shown = ", ".join(f"{k} {v:.3f}" for k, v in figures.items() if isinstance(v, float))
        click.echo(f"  {split}: {shown or 'no articles'}")


@click.command("predict")
@click.argument("project")
@click.option("--model", "version", required=True, metavar="VERSION", help="A baseline version `annotator train` wrote")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSONL here (default: standard output)")
@click.option("--import", "import_them", is_flag=True, help="Store them in the project, for suggestions and the uncertainty queue")
@click.option("--offer", is_flag=True, help="With --import: offer them to annotators as suggestions (the blind control share stays)")
@click.option("--status", "status_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write progress to this file as JSON (the lead's page reads it)")
@pass_cli
def predict_command(
    cli: CliContext, project: str, version: str, output: Path | None, import_them: bool, offer: bool, status_path: Path | None
) -> None:
    """Predict statements, with a score each, for PROJECT's articles that have no gold."""
    require_model_extra()
    if offer and not import_them:
        raise click.UsageError("--offer needs --import: only stored predictions can be offered")
    status = StatusFile(status_path)
    try:
        summary = _predict(cli, project, version, output, import_them, offer, status)
    except Exception as error:
        status.write("failed", str(error), 1.0)
        raise
    status.write("done", summary, 1.0, version=version)
    click.echo(summary, err=True)


def _predict(
    cli: CliContext, project: str, version: str, output: Path | None, import_them: bool, offer: bool, status: StatusFile
) -> str:
    from annotator.model.training import MODEL_NAME, load_folder, prediction_lines  # noqa: PLC0415

    with cli.db().session() as session:
        found = find_project(session, project)
        schema = project_schema(found)
        model, _ = load_folder(models_folder(cli.settings.data_dir, found), version)
        articles = articles_without_gold(session, found)
    kept = []
    with ExitStack() as closing, click.progressbar(articles, label="Predicting", file=sys.stderr) as bar:
        sink = closing.enter_context(output.open("wb")) if output else (None if import_them else sys.stdout.buffer)
        for done, line in enumerate(prediction_lines(model, schema, bar, version), 1):
            if done % PROGRESS_EVERY == 0:
                status.write("running", f"predicting, {done} of {len(articles)} articles", done / max(len(articles), 1))
            if sink is not None:
                sink.write(orjson.dumps(line) + b"\n")
            if import_them:
                kept.append(line)
    if not import_them:
        return f"baseline@{version}: {len(articles)} article(s) predicted"
    with cli.db().session(write=True) as session:
        target = find_project(session, found.id)
        report = import_lines(session, target, schema, kept)
        summary = (f"baseline@{version}: imported {report.imported}, replaced {report.replaced}, "
                   f"unchanged {report.unchanged}, rejected {report.rejected_count}")
        if offer:
            set_suggestions(session, target, SuggestionSettings(model=f"{MODEL_NAME}@{version}", control_share=target.control_share))
            summary += "; offered to annotators as suggestions"
    return summary
