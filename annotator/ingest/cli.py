"""`annotator import PROJECT PATH...`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotator.cli_support import CliContext, pass_cli
from annotator.ingest.label_readers import read_label_file, read_user_names
from annotator.ingest.label_store import import_labels
from annotator.ingest.models import REPORTED, ImportReport
from annotator.ingest.readers import import_size, read_paths
from annotator.ingest.store import import_records
from annotator.projects.service import find_project, project_schema


@click.command("import")
@click.argument("project")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON")
@pass_cli
def import_command(cli: CliContext, project: str, paths: tuple[Path, ...], as_json: bool) -> None:
    """Import articles into PROJECT (id or name) from .txt folders, .jsonl or Label Studio .json files."""
    with cli.db().session(write=True) as session:
        project_id = find_project(session, project).id
        with click.progressbar(length=import_size(paths), label="Importing", file=sys.stderr) as bar:
            report = import_records(session, project_id, read_paths(paths, on_bytes=bar.update))
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        _print_report(report)


def _print_report(report: ImportReport) -> None:
    click.echo(
        f"imported {report.imported}, duplicates {report.duplicate_count}, rejected {report.rejected_count}"
    )
    for duplicate in report.duplicates:
        click.echo(f"  duplicate  {duplicate.where()}: same text as article {duplicate.duplicate_of}")
    if (unnamed := report.duplicate_count - len(report.duplicates)) > 0:
        click.echo(f"  and {unnamed} more duplicates, counted above (the first {REPORTED} are named)")
    for line in report.rejection_lines():
        click.echo(line)


@click.command("import-annotations")
@click.argument("project")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON")
@click.option("--users", "users_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='Label Studio user ids (or e-mails) to user names, as JSON: {"2": "maria", "ann@example.org": "ann"}')
@pass_cli
def import_annotations_command(cli: CliContext, project: str, path: Path, as_json: bool, users_path: Path | None) -> None:
    """Import labels made elsewhere into PROJECT: JSONL ({article_id, annotator, statements, article})
    or a Label Studio export (.json); each is checked like a save."""
    try:
        users = read_user_names(users_path) if users_path else {}
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--users") from error
    with cli.db().session(write=True) as session:
        found = find_project(session, project)
        report = import_labels(session, found, project_schema(found), read_label_file(path, users))
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    click.echo(f"imported {report.imported}, unchanged {report.unchanged}, rejected {report.rejected_count}")
    if report.left_out:
        click.echo(f"  left out: {', '.join(f'{count} {what}' for what, count in sorted(report.left_out.items()))}")
    if report.ground_truth:
        click.echo(f"  {report.ground_truth} imported annotation(s) were Label Studio ground truth: imported as any other")
    if report.new_annotators:
        click.echo(f"  new annotators (cannot log in): {', '.join(report.new_annotators)}")
        if unmapped := [name for name in report.new_annotators if name.startswith("labelstudio-")]:
            click.echo(f"  {', '.join(unmapped)} are Label Studio user ids, which another server gives other people: "
                       "name them with --users FILE")
    for line in report.rejection_lines():
        click.echo(line)
    for note in report.notes:
        click.echo(f"  note       {note.where()}: {note.note}")
