"""`annotator evaluate GOLD PREDICTIONS`: a model's predictions scored against gold."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
import orjson

from annotator.cli_support import CliContext, pass_cli
from annotator.ingest.models import Rejection
from annotator.predictions.evaluation import (
    SAMPLES,
    evaluate,
    gold_from_file,
    gold_from_project,
    human_labels,
    index_predictions,
)
from annotator.predictions.models import EvaluationReport
from annotator.predictions.readers import read_predictions
from annotator.predictions.store import SuggestionSettings, import_predictions, set_suggestions, store_evaluation
from annotator.projects.service import find_project, find_project_or_none, project_schema


@click.command("evaluate")
@click.argument("gold")
@click.argument("predictions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", type=click.Choice(["train", "dev", "test"]), help="Only the gold articles of this split")
@click.option("--model", "model", metavar="NAME@VERSION", help="The model to score, when the file holds several")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as one JSON object")
@click.option("--diff", "diff_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write what the model missed, added and got wrong, one article a line (JSONL)")
@click.option("--samples", default=SAMPLES, show_default=True, type=click.IntRange(0, 100_000), help="Bootstrap resamples")
@pass_cli
def evaluate_command(
    cli: CliContext, gold: str, predictions: Path, split: str | None, model: str | None, as_json: bool,
    diff_path: Path | None, samples: int,
) -> None:
    """Score PREDICTIONS (JSONL or Label Studio tasks) against GOLD: a project (its current gold)
    or a gold.jsonl from an export (a pinned version)."""
    def rejected(rejection: Rejection) -> None:
        click.echo(f"  rejected   {rejection.where()}: {rejection.reason}", err=True)

    index = index_predictions(read_predictions(predictions), model, rejected)
    with cli.db().session(write=True) as session, ExitStack() as closing:
        pinned = gold_from_file(Path(gold), split) if Path(gold).is_file() else gold_from_project(session, find_project(session, gold), split)
        diff = closing.enter_context(diff_path.open("wb")) if diff_path else None

        def write_diff(line: dict[str, Any]) -> None:
            diff.write(orjson.dumps(line) + b"\n")  # type: ignore[union-attr]

        with click.progressbar(label="Scoring", file=sys.stderr, length=max(pinned.expected, 1)) as bar:
            report = evaluate(pinned, index, human_labels(session, pinned), samples, on_article=lambda: bar.update(1),
                              on_diff=write_diff if diff else None)
        if pinned.project is not None and (project := find_project_or_none(session, pinned.project)):
            store_evaluation(session, project, report)  # listed on the project's models page
            session.commit()
    click.echo(report.model_dump_json(indent=2) if as_json else summary(report))


def _figure(report: EvaluationReport, path: str, value: float | None) -> str:
    if value is None:
        return "undefined"
    interval = report.intervals.get(path)
    return f"{value:.3f}" + (f" [{interval.low:.3f}, {interval.high:.3f}]" if interval else "")


def summary(report: EvaluationReport) -> str:
    keys, stance = report.statement_keys, report.fields["stance"]
    lines = [
        f"{report.model}@{report.model_version} against {report.gold.version}"
        + (f" ({report.gold.split} split)" if report.gold.split else ""),
        f"  {report.gold.articles} gold articles, {report.predictions.articles_with_predictions} with predictions, "
        f"{report.predictions.predictions_without_gold} predictions without gold",
        f"  statement keys  P {_figure(report, 'statement_keys.precision', keys['precision'])}"
        f"  R {_figure(report, 'statement_keys.recall', keys['recall'])}  F1 {_figure(report, 'statement_keys.f1', keys['f1'])}",
        f"  stance          accuracy {_figure(report, 'fields.stance.accuracy', stance['accuracy'])}"
        f"  macro-F1 {_figure(report, 'fields.stance.macro_f1', stance['macro_f1'])}  (n={stance['n']})",
    ]
    for label, matches in report.spans.items():
        lines.append(f"  {label:15} exact F1 {_figure(report, f'spans.{label}.exact.f1', matches['exact']['f1'])}"
                     f"  overlap F1 {_figure(report, f'spans.{label}.overlap.f1', matches['overlap']['f1'])}")
    for person in report.humans:
        lines.append(f"  annotator {person.annotator}: keys F1 {person.statement_keys_f1}, stance accuracy {person.stance_accuracy}"
                     f" on {person.articles} articles")
    for figure, place in report.model_in_human_range.items():
        if place:
            lines.append(f"  model {place} the annotators' range on {figure}")
    return "\n".join(lines)


@click.command("import-predictions")
@click.argument("project")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON")
@pass_cli
def import_predictions_command(cli: CliContext, project: str, path: Path, as_json: bool) -> None:
    """Store a model's predictions for PROJECT (JSONL or Label Studio tasks), apart from annotators' labels;
    they become suggestions on the labeling page. Importing the same file again changes nothing."""
    with cli.db().session(write=True) as session:
        found = find_project(session, project)
        report = import_predictions(session, found, project_schema(found), read_predictions(path))
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    click.echo(f"imported {report.imported}, replaced {report.replaced}, unchanged {report.unchanged}, "
               f"rejected {report.rejected_count} ({', '.join(report.models) or 'no model'})")
    if report.empty:
        click.echo(f"  warning: {report.empty} of them hold no statement (stored: the model found none in those articles)")
    for line in report.rejection_lines():
        click.echo(line)


@click.command("suggestions")
@click.argument("project")
@click.option("--model", "model", metavar="NAME@VERSION", help="The stored model version to offer; leave out to stop")
@click.option("--control", default=0.1, show_default=True, type=click.FloatRange(0, 1),
              help="Share of articles (stable by id) whose annotators never see suggestions")
@pass_cli
def suggestions_command(cli: CliContext, project: str, model: str | None, control: float) -> None:
    """Offer a model's predictions to PROJECT's annotators as suggestions, keeping a blind control share."""
    with cli.db().session(write=True) as session:
        settings = set_suggestions(session, find_project(session, project), SuggestionSettings(model=model, control_share=control))
    if settings.model is None:
        click.echo("suggestions off")
    else:
        click.echo(f"annotators now see {settings.model}'s statements, except on a blind control share of {settings.control_share:.0%}")
