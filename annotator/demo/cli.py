"""`annotator demo`: a fresh demo database, served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import click

from annotator.app import create_app
from annotator.demo.setup import DEMO_USERS, PROJECT_NAME, build_demo, reset_sqlite_file
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.restore import serving


@click.command("demo")
@click.option("--data-dir", default=Path("demo-data"), show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Build the demo database and exit")
def demo(data_dir: Path, port: int, no_serve: bool) -> None:
    """Start the demo: sample articles, two annotators and a lead, on SQLite in DATA_DIR."""
    database = reset_sqlite_file(data_dir)
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{database.resolve()}")
    db = Database(settings.resolved_database_url())
    build_demo(db)
    address = f"http://127.0.0.1:{port}/"
    click.echo(f"Demo project {PROJECT_NAME!r} with the sample corpus, database {database}")
    click.echo(f"Open {address} and log in as:")
    for user in DEMO_USERS:
        click.echo(f"  {user.name:6} password {user.password:18} ({user.role})")
    if no_serve:
        return
    click.echo("Press Ctrl+C to stop.")
    with serving(settings.resolved_database_url()):
        create_app(settings, db).run(host="127.0.0.1", port=port, debug=False, use_reloader=False)
