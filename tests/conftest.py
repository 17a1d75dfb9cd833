"""Fixtures: a real database (SQLite file and PostgreSQL server), the app, a real HTTP server."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from annotator.app import create_app
from annotator.auth.membership import set_member
from annotator.auth.service import create_token, get_user
from annotator.ingest.readers import read_paths
from annotator.ingest.store import import_records
from annotator.labelschema import LabelSchema, load_schema
from annotator.projects.service import create_project
from annotator.settings import Settings
from annotator.shipped import SAMPLE_CORPUS, default_schema_path
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import User
from tests.postgres import PostgresServer, PostgresUnavailable
from tests.support import ApiClient, Team, TeamMember, WebSession

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PASSWORD = "correct-horse-battery"
_database_names = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as error:
        if os.environ.get("CI"):
            raise  # CI installs PostgreSQL: a missing server there is a failure, not a skip
        pytest.skip(f"PostgreSQL not available: {error}")
    # One migrated template; every test gets a fresh copy of it.
    server.admin("CREATE DATABASE annotator_template")
    template = Database(server.url("annotator_template"))
    upgrade_to_head(template)
    template.dispose()
    yield server
    server.stop()


def sqlite_database(folder: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{folder / 'annotator.db'}")
    upgrade_to_head(database)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        yield from sqlite_database(tmp_path)
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{os.getpid()}_{next(_database_names)}"
    server.admin(f"CREATE DATABASE {name} TEMPLATE annotator_template")
    database = Database(server.url(name))
    yield database
    database.dispose()
    server.admin(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def schema() -> LabelSchema:
    return load_schema(default_schema_path())


@pytest.fixture
def settings(tmp_path: Path, db: Database) -> Settings:
    return Settings(data_dir=tmp_path, database_url=db.url, secret_key="test-secret")


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    application = create_app(settings, db)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def project_id(db: Database, schema: LabelSchema, team: Team) -> int:
    """A project with overlap 2 holding the sample corpus; the team are its members (Lena its lead)."""
    with db.session(write=True) as session:
        project = create_project(session, "sample", schema, overlap=2)
        for member in (team.ana, team.ben, team.cleo, team.lena):
            set_member(session, project.id, get_user(session, member.name), "lead" if member is team.lena else "annotator")
        session.commit()
        import_records(session, project.id, read_paths([SAMPLE_CORPUS]))
        return project.id


@pytest.fixture(scope="session")
def password_hash() -> str:
    # Hashing is slow on purpose; tests share one hash (add_user has tests of its own).
    return generate_password_hash(PASSWORD)


@pytest.fixture
def team(db: Database, password_hash: str) -> Team:
    """Three annotators and a lead, each with an API token."""
    members = {}
    with db.session(write=True) as session:
        for name, role in (("ana", "annotator"), ("ben", "annotator"), ("cleo", "annotator"), ("lena", "lead")):
            user = User(name=name, password_hash=password_hash, role=role)
            session.add(user)
            session.flush()
            members[name] = TeamMember(name=name, password=PASSWORD, token=create_token(session, user))
        session.commit()
    return Team(**members)


@pytest.fixture
def server_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app served over real HTTP on 127.0.0.1, stopped after the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Request threads are joined at close, so none outlives its test: a stray one racing the
    # next test's app setup trips a CPython 3.11.7 bug in the AST module (gh-106905).
    server.daemon_threads = False
    server.block_on_close = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def web(server_url: str) -> WebSession:
    """A logged-out browser-like session against the live server."""
    return WebSession(server_url)


@pytest.fixture
def api(server_url: str, team: Team) -> ApiClient:
    """An HTTP client for the API; `api.as_(member)` switches whose token it sends."""
    return ApiClient(server_url, team.ana)
