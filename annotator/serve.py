"""`annotator serve`: the app under gunicorn, for production (the demo uses Flask's own server)."""

from __future__ import annotations

import gc
import os
from functools import partial

import click
from flask import Flask
from sqlalchemy.exc import DBAPIError

from annotator.app import create_app
from annotator.serving import GunicornServer, gunicorn_options
from annotator.serving.framing import ReadLimits
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.failures import storage_failure
from annotator.storage.restore import serving
from annotator.storage.migrate import upgrade_to_head


def annotator_app(settings: Settings) -> Flask:
    """The app for one worker, with its own pool of database connections."""
    app = create_app(settings)
    # The app's long-lived objects (routes, models, schemas) never become garbage:
    # moved out of the collector's sight, they no longer lengthen its pauses.
    gc.collect()
    gc.freeze()
    return app


# Python threads share one core per process: one process per core, its connections balanced by the
# worker (annotator.serving.worker), served most. Measured with bench.loop (16 annotators, 2 cores), 2 x 2
# served 1,614 to 1,677 requests/s, p99 20 to 22 ms; 4 x 2 served 1,522 to 1,559, p99 32 to 33 ms.
# The second thread keeps a worker's other connections served while one of its requests runs long,
# or waits for the disk.
DEFAULT_WORKERS = os.cpu_count() or 1


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=DEFAULT_WORKERS, show_default="1 per CPU core", type=click.IntRange(1, 64),
              help="Worker processes")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 256), help="Threads per worker")
def serve_command(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the app with gunicorn (settings from ANNOTATOR_* variables); migrates the database first."""
    settings = Settings()
    url = settings.resolved_database_url()
    database = Database(url)
    try:
        upgrade_to_head(database)  # once, before workers start, so they never race to migrate
        database.check_writable()  # a server that cannot save must not accept labels
    except DBAPIError as error:
        raise click.ClickException(f"cannot serve: {storage_failure(error) or error.orig}") from error
    finally:
        database.dispose()
    click.echo(f"serving on http://{host}:{port}/ with {workers} workers x {threads} threads")
    # The serving lock (inherited by the forked workers) keeps `annotator restore` away while we run.
    with serving(url):
        try:
            options = gunicorn_options(bind=f"{host}:{port}", workers=workers, threads=threads)
            limits = ReadLimits(max_body_bytes=settings.max_upload_bytes)
            GunicornServer(partial(annotator_app, settings), options, limits).run()
        finally:
            _fold_in_the_log(url)


def _fold_in_the_log(url: str) -> None:
    """After the workers stop, checkpoint SQLite's log so no stale log is left beside the database."""
    database = Database(url)
    try:
        database.checkpoint()
    except DBAPIError as error:
        click.echo(f"could not checkpoint the write-ahead log: {error.orig}", err=True)
    finally:
        database.dispose()
