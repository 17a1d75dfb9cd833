"""The `annotator` command: one group, each capability adding its own commands."""

from __future__ import annotations

import click

from annotator import __version__
from annotator.accounts.cli import MEMBERSHIP_COMMANDS, token_group, user_group
from annotator.adjudicate.cli import gold_group
from annotator.agreement.cli import agreement_command
from annotator.cli_support import AnnotatorGroup, CliContext
from annotator.codebook.cli import upgrade_schema_command
from annotator.demo.cli import demo
from annotator.export.cli import export_command
from annotator.job_commands import worker_command
from annotator.ingest.cli import import_annotations_command, import_command
from annotator.maintenance import backup_command, db_group, restore_command
from annotator.model.cli import predict_command, train_command
from annotator.predictions.cli import evaluate_command, import_predictions_command, suggestions_command
from annotator.serve import serve_command
from annotator.projects.cli import project_group
from annotator.quality.cli import MEMBER_STANDING_COMMANDS, control_group, quality_command
from annotator.schema_commands import schema_group
from annotator.settings import Settings


@click.group(cls=AnnotatorGroup)
@click.version_option(__version__, prog_name="annotator")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Stance annotation studio. Settings come from ANNOTATOR_* environment variables."""
    ctx.obj = CliContext(settings=Settings())
    ctx.call_on_close(ctx.obj.close)


for command in (
    schema_group, project_group, user_group, token_group, import_command, import_annotations_command,
    agreement_command, quality_command, control_group, gold_group, evaluate_command, import_predictions_command, suggestions_command, train_command, predict_command,
    export_command,
    db_group, backup_command, restore_command, demo, serve_command, worker_command,
):
    main.add_command(command)
# Membership (accounts), a member's standing (quality) and schema upgrades (codebook) are spoken of as part of a project.
for command in (*MEMBERSHIP_COMMANDS, *MEMBER_STANDING_COMMANDS, upgrade_schema_command):
    project_group.add_command(command)
