"""`annotator worker`: runs queued jobs (training, prediction, large projects' reports) on this host, beside
any number of workers on others. Wired above the capabilities whose jobs it runs."""

from __future__ import annotations

import signal
import threading

import click

from annotator.cli_support import CliContext, pass_cli
from annotator.agreement.background import agreement_handlers
from annotator.jobs.worker import Handler, Worker
from annotator.model.background import baseline_handlers
from annotator.quality.background import quality_handlers
from annotator.storage import Database


@click.command("worker")
@click.option("--until-idle", is_flag=True, help="Stop once no job is waiting (the SQLite default starts one so)")
@click.option("--poll", "poll_seconds", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between looks for a job while none is waiting")
@pass_cli
def worker_command(cli: CliContext, until_idle: bool, poll_seconds: float) -> None:
    """Claim and run queued jobs one at a time, reporting progress and a heartbeat to the database; a job
    whose worker stopped is taken over once. Stops at SIGTERM or Ctrl+C after the job under way."""
    db = cli.db()
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    worker = Worker(db, every_handler(db), cli.settings.job_stale_seconds, poll_seconds)
    click.echo(f"worker {worker.name}: waiting for jobs", err=True)
    ran = worker.run(until_idle=until_idle, stop=stop)
    click.echo(f"worker {worker.name}: ran {ran} job(s), stopping", err=True)


def every_handler(db: Database) -> dict[str, Handler]:
    """What a worker runs, for every kind of job the capabilities queue."""
    return {**baseline_handlers(db), **agreement_handlers(db), **quality_handlers(db)}
