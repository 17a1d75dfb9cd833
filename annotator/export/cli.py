"""`annotator export PROJECT`."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click
from sqlalchemy import func, select

from annotator.cli_support import CliContext, pass_cli
from annotator.export.service import DATA_FILES, ExportOptions, write_export
from annotator.export.splits import DEFAULT_SEED, parse_ratios
from annotator.projects.service import find_project
from annotator.storage.tables import Article


@click.command("export")
@click.argument("project")
@click.option("--format", "export_format", type=click.Choice(list(DATA_FILES)), default="gold", show_default=True)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("exports"), show_default=True)
@click.option("--include-unadjudicated", is_flag=True, help="Add records for articles without gold, made by --aggregate")
@click.option("--aggregate", type=click.Choice(["majority", "dawid-skene", "mace"]), default="majority", show_default=True,
              help="How articles without gold are filled: a plain majority vote, or weighing each annotator by the "
              "competence the overlap shows (see `annotator quality`)")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Seed of the train/dev/test assignment")
@click.option("--ratios", default="0.8,0.1,0.1", show_default=True, help="train,dev,test shares")
@click.option("--labelstudio-account", metavar="EMAIL",
              help="With --format labelstudio: the receiving server's user to credit gold to (left out by default)")
@click.option("--predictions", "predictions_model", metavar="NAME@VERSION",
              help="With --format labelstudio: a stored model's statements as pre-annotations")
@pass_cli
def export_command(
    cli: CliContext, project: str, export_format: str, out: Path, include_unadjudicated: bool, aggregate: str, seed: int,
    ratios: str, labelstudio_account: str | None, predictions_model: str | None,
) -> None:
    """Export PROJECT's gold as a new versioned folder: data, manifest.json and a dataset card.

    As Label Studio tasks (--format labelstudio) every article goes out: those without labels as
    tasks to label there."""
    if aggregate != "majority" and not include_unadjudicated:
        raise click.BadParameter("only articles without gold are aggregated; add --include-unadjudicated", param_hint="--aggregate")
    if predictions_model and export_format != "labelstudio":
        raise click.BadParameter("only Label Studio tasks carry predictions; add --format labelstudio", param_hint="--predictions")
    try:
        split_ratios = parse_ratios(ratios)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--ratios") from error
    options = ExportOptions(export_format, include_unadjudicated, seed, split_ratios, labelstudio_account,  # type: ignore[arg-type]
                            predictions_model, aggregate)  # type: ignore[arg-type]
    # The command as typed, for the manifest: argv[0] is the script's path, the rest its words.
    command = shlex.join(["annotator", *sys.argv[1:]]) if len(sys.argv) > 1 else "annotator export"
    with cli.db().session() as session:
        found = find_project(session, project)
        total = session.scalar(select(func.count(Article.id)).where(Article.project_id == found.id)) or 0
        with click.progressbar(length=total, label="Exporting", file=sys.stderr) as bar:
            folder, manifest = write_export(session, found, options, out, command, on_article=bar.update)
    [data] = manifest.files
    click.echo(f"exported {data.records} records to {folder}")
    click.echo(f"  {data.name}  {data.bytes} bytes  sha256 {data.sha256}")
    click.echo(f"  splits: {manifest.counts.get('articles', {})}")
