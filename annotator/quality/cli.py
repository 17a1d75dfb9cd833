"""`annotator quality PROJECT [--json]`, `annotator control add|training`, and a lead's say on a member
(`annotator project set-aside|let-through`)."""

from __future__ import annotations

import click

from annotator.auth.service import get_user
from annotator.cli_support import CliContext, acting_lead, pass_cli
from annotator.projects.service import find_project
from annotator.quality.competence import ESTIMATED_FIELDS
from annotator.quality.estimators import Method
from annotator.quality.items import add_control_items, change_quality_settings, change_standing
from annotator.quality.models import AnnotatorQuality, ControlItemsAdd, ControlItemsOut, MemberStanding, QualitySettings
from annotator.quality.service import quality_report

METHODS = click.Choice(["dawid-skene", "mace"])


@click.command("quality")
@click.argument("project")
@click.option("--method", type=METHODS, default="dawid-skene", show_default=True, help="The estimator over the overlap")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON")
@pass_cli
def quality_command(cli: CliContext, project: str, method: Method, as_json: bool) -> None:
    """Each annotator's accuracy per field: estimated from the overlap, and on control items (with a 95%
    interval and n), and the flags the Team page shows."""
    with cli.db().session() as session:
        report = quality_report(session, find_project(session, project), method)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    click.echo(f"{report.project}: estimated by {report.method} over the overlap; {report.control_items} control item(s) "
               f"served at a rate of {report.control_rate:g}; threshold {report.threshold:g}")
    click.echo(f"{'annotator':12} " + "  ".join(f"{name:>16}" for name in ESTIMATED_FIELDS) + "  control items")
    for person in report.annotators:
        click.echo(_row(person))
        for flag in person.flags:
            click.echo(f"{'':12} ! {flag}")
    for pair in report.confusions[:5]:
        click.echo(f"confused: {pair.field} {pair.truth} given as {pair.given} ~{pair.times:g} times ({', '.join(pair.annotators)})")


def _row(person: AnnotatorQuality) -> str:
    cells = []
    for name in ESTIMATED_FIELDS:
        quality = person.fields[name]
        cells.append(f"{quality.accuracy:6.3f} (n={quality.units:>5})" if quality.accuracy is not None else f"{'—':>16}")
    control = person.control
    shown = f"{control.accuracy:.3f} [{control.low:.2f}, {control.high:.2f}] n={control.n}" if control.accuracy is not None else "—"
    return f"{person.annotator:12} " + "  ".join(cells) + f"  {shown}"


@click.group("control")
def control_group() -> None:
    """Control and training items: gold articles with a known answer, served among the work and scored."""


@control_group.command("add")
@click.argument("project")
@click.option("--from-gold", is_flag=True, required=True, help="Turn gold articles (under the current schema version) into items")
@click.option("--count", type=click.IntRange(1, 100_000), help="How many, chosen at random (default: every gold article left)")
@click.option("--training", is_flag=True, help="Training items, for new annotators' training round, instead of control items")
@click.option("--rate", type=click.FloatRange(0, 0.5), help="Share of each annotator's next articles that are control items")
@click.option("--by", "lead", metavar="NAME", help="The lead adding them (needed when there are several)")
@pass_cli
def add(cli: CliContext, project: str, from_gold: bool, count: int | None, training: bool, rate: float | None, lead: str | None) -> None:
    """Turn PROJECT's gold articles into control items (or training items)."""
    with cli.db().transaction() as session:
        found = find_project(session, project)
        made_by = acting_lead(session, found, lead, "control items are a lead's")
        added = add_control_items(session, found, made_by, ControlItemsAdd(purpose="training" if training else "control", count=count))
        summary = change_quality_settings(session, found, QualitySettings(control_rate=rate)) if rate is not None else added
    # The summary after the rate was set, but the count of this command's items.
    click.echo(f"added {added.added} {'training' if training else 'control'} item(s). " + _summary(summary))


@control_group.command("training")
@click.argument("project")
@click.option("--articles", type=click.IntRange(0, 100), required=True, help="Training items a new annotator labels first (0: none)")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Share right needed to pass (also where the Team page flags)")
@pass_cli
def training(cli: CliContext, project: str, articles: int, threshold: float | None) -> None:
    """Require a training round in PROJECT: new annotators label training items, with feedback, before real work."""
    with cli.db().transaction() as session:
        summary = change_quality_settings(session, find_project(session, project),
                                          QualitySettings(training_articles=articles, quality_threshold=threshold))
    click.echo(_summary(summary))


def _summary(summary: ControlItemsOut) -> str:
    return (f"{summary.control_items} control item(s) served at a rate of {summary.control_rate:g}; "
            f"{summary.training_items} training item(s), {summary.training_articles} required, threshold "
            f"{summary.quality_threshold:g}; {summary.gold_left} gold article(s) left to turn")


@click.command("set-aside")
@click.argument("project")
@click.argument("annotator")
@click.option("--restore", is_flag=True, help="Count their labels again")
@pass_cli
def set_aside_command(cli: CliContext, project: str, annotator: str, restore: bool) -> None:
    """Set ANNOTATOR aside in PROJECT: their labels stay stored, but leave agreement and aggregates."""
    _stand(cli, project, annotator, MemberStanding(set_aside=not restore))


@click.command("let-through")
@click.argument("project")
@click.argument("annotator")
@pass_cli
def let_through_command(cli: CliContext, project: str, annotator: str) -> None:
    """Let ANNOTATOR through PROJECT's training round, whatever their score."""
    _stand(cli, project, annotator, MemberStanding(let_through=True))


def _stand(cli: CliContext, project: str, annotator: str, standing: MemberStanding) -> None:
    with cli.db().transaction() as session:
        changed = change_standing(session, find_project(session, project), get_user(session, annotator), standing)
    click.echo("; ".join(changed) or "nothing to change")


MEMBER_STANDING_COMMANDS = (set_aside_command, let_through_command)
