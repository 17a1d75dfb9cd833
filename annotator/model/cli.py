"""`annotator train PROJECT` and `annotator predict PROJECT --model VERSION`."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import click
import orjson

from annotator.cli_support import CliContext, pass_cli
from annotator.model.extra import require_model_extra
from annotator.model.runs import prediction_lines_of, store_predictions, train_run


@click.command("train")
@click.argument("project")
@click.option("--gold", "export_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Train on a pinned export (the folder `annotator export` wrote) instead of the project's current gold")
@click.option("--seed", default=13, show_default=True, type=int, help="Same gold and seed, same model")
@click.option("--curve/--no-curve", default=True, show_default=True,
              help="Also train on 25, 50 and 75%% of the train split, for the learning curve")
@pass_cli
def train_command(cli: CliContext, project: str, export_dir: Path | None, seed: int, curve: bool) -> None:
    """Train the baseline on PROJECT's gold (train split), score it on dev and test, and store it as a new
    version in the database, where every host finds it."""
    require_model_extra()
    with click.progressbar(length=100, label="Training", file=sys.stderr) as bar:
        trained = train_run(cli.db(), project, lambda stage, done: bar.update(round(done * 100) - bar.pos), export_dir, seed, curve)
    click.echo(trained.summary)
    card = trained.card
    for split, figures in (("dev", card.dev), ("test", card.test), ("majority-stance baseline, test", card.majority_baseline_test)):
        shown = ", ".join(f"{k} {v:.3f}" for k, v in figures.items() if isinstance(v, float))
        click.echo(f"  {split}: {shown or 'no articles'}")


@click.command("predict")
@click.argument("project")
@click.option("--model", "version", required=True, metavar="VERSION", help="A baseline version `annotator train` stored")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSONL here (default: standard output)")
@click.option("--import", "import_them", is_flag=True, help="Store them in the project, for suggestions and the uncertainty queue")
@click.option("--offer", is_flag=True, help="With --import: offer them to annotators as suggestions (the blind control share stays)")
@pass_cli
def predict_command(cli: CliContext, project: str, version: str, output: Path | None, import_them: bool, offer: bool) -> None:
    """Predict statements, with a score each, for PROJECT's articles that have no gold."""
    require_model_extra()
    if offer and not import_them:
        raise click.UsageError("--offer needs --import: only stored predictions can be offered")
    kept = []
    with ExitStack() as closing, click.progressbar(length=100, label="Predicting", file=sys.stderr) as bar:
        sink = closing.enter_context(output.open("wb")) if output else (None if import_them else sys.stdout.buffer)
        for line in prediction_lines_of(cli.db(), project, version, lambda stage, done: bar.update(round(done * 100) - bar.pos)):
            if sink is not None:
                sink.write(orjson.dumps(line) + b"\n")
            if import_them:
                kept.append(line)
    if import_them:
        click.echo(store_predictions(cli.db(), project, version, kept, offer), err=True)
