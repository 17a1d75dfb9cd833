"""`annotator agreement PROJECT [--json]`."""

from __future__ import annotations

import click

from annotator.agreement.models import AgreementReport, F1Figure, Figure
from annotator.agreement.service import project_report
from annotator.cli_support import CliContext, pass_cli
from annotator.projects.service import find_project


@click.command("agreement")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="The full report as JSON (as the API gives it)")
@click.option("--with-model", "with_model", metavar="NAME@VERSION",
              help="Count a model's stored predictions as a pseudo-annotator, named model:NAME@VERSION")
@pass_cli
def agreement_command(cli: CliContext, project: str, as_json: bool, with_model: str | None) -> None:
    """How far annotators agree in PROJECT (id or name)."""
    with cli.db().session() as session:
        report = project_report(session, find_project(session, project), with_model)
    click.echo(report.model_dump_json(indent=2) if as_json else render_text(report))


def _value(figure: Figure | F1Figure) -> str:
    return "  null" if figure.value is None else f"{figure.value:6.3f}"


def render_text(report: AgreementReport) -> str:
    lines = [
        f"project {report.project_id}: {len(report.annotators)} annotators, "
        f"{report.articles_labeled} articles labeled by two or more",
        "",
        f"{'field':16} {'alpha':>6} {'95% interval':>16} {'fleiss':>6} {'observed':>8} {'units':>7}",
    ]
    for row in report.fields:
        interval = row.alpha_interval
        span = "" if interval.low is None else f"[{interval.low:.3f}, {interval.high:.3f}]"
        lines.append(
            f"{row.field:16} {_value(row.alpha)} {span:>16} {_value(row.fleiss_kappa)} "
            f"{_value(row.observed):>8} {row.alpha.n_units:7d}" + (f"  ({row.alpha.reason})" if row.alpha.reason else "")
        )
    keys = report.statement_keys.pooled
    lines += ["", f"statement keys F1 {_value(keys)} over {keys.n_articles} article-pairs", ""]
    lines.append(f"{'span label':16} {'exact F1':>8} {'overlap F1':>10}")
    lines += [f"{s.label:16} {_value(s.exact):>8} {_value(s.overlap):>10}" for s in report.spans]
    lines += ["", f"{'annotator':16} {'done':>6} {'median s':>8} {'agrees':>7} {'gold':>7}"]
    for person in report.per_annotator:
        median = "" if person.median_seconds is None else f"{person.median_seconds:8.0f}"
        lines.append(
            f"{person.name:16} {person.items_done:6d} {median:>8} {_value(person.agreement_with_others):>7} "
            f"{_value(person.agreement_with_gold):>7}"
        )
    return "\n".join(lines)
