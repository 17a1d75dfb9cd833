"""`annotator project upgrade-schema PROJECT NEW.yaml --plan PLAN.yaml [--dry-run]`."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.cli_support import CliContext, SchemaFile, acting_lead, pass_cli
from annotator.codebook.plan import PlanError
from annotator.codebook.upgrade import UpgradeReport, upgrade_schema
from annotator.errors import Invalid
from annotator.labelschema import load_schema
from annotator.projects.service import find_project


@click.command("upgrade-schema")
@click.argument("project")
@click.argument("new_path", metavar="NEW", type=SchemaFile())
@click.option("--plan", "plan_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Where each old id goes (YAML); needed for every id NEW drops that labels use")
@click.option("--dry-run", is_flag=True, help="Only count what would change and what would go back to people")
@click.option("--by", "lead", metavar="NAME", help="The lead the upgrade is made by (needed when there are several)")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON")
@pass_cli
def upgrade_schema_command(
    cli: CliContext, project: str, new_path: Path, plan_path: Path | None, dry_run: bool, lead: str | None, as_json: bool
) -> None:
    """Move PROJECT to schema NEW: labels the plan carries become new revisions under NEW (the old ones
    stay as they were made); the rest go back to their annotators, or the lead for gold, for review."""
    new = load_schema(new_path)
    with cli.db().session(write=True) as session:
        found = find_project(session, project)
        made_by = acting_lead(session, found, lead, "a schema upgrade is a lead's")
        try:
            report = upgrade_schema(session, found, new, plan_path.read_text() if plan_path else None, made_by, apply=not dry_run)
        except PlanError as error:
            raise Invalid(f"{plan_path or 'no plan'}: {'; '.join(error.problems)}", []) from error
        session.commit()
    click.echo(report.model_dump_json(indent=2) if as_json else "\n".join(report_lines(report)))


def report_lines(report: UpgradeReport) -> list[str]:
    done = "applied" if report.applied else "dry run, nothing changed"
    lines = [f"{report.old_version} -> {report.new_version} ({done}): {report.carried} annotation(s) and "
             f"{report.gold_carried} gold record(s) carried, {len(report.reviews)} to review"]
    lines += [f"  {s.field:9} {s.old} {s.kind} {', '.join(s.new)}: {s.statements} statement(s), {s.articles} article(s), "
              f"{s.annotators} annotator(s), {s.gold} gold" for s in report.steps]
    lines += [f"  review    article {r.article_id} ({r.kind}, {r.reviewer}): {'; '.join(r.reasons)}" for r in report.reviews]
    if report.already_upgraded:
        lines.append(f"  {report.already_upgraded} document(s) were under {report.new_version} already")
    return lines
