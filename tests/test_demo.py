"""The README's first command: a fresh demo database with the sample corpus and users."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from annotator.auth.service import authenticate
from annotator.cli import main
from annotator.demo.setup import DEMO_USERS
from annotator.storage import Database
from annotator.storage.tables import Article, Project


def run_demo(data_dir: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["demo", "--no-serve", "--data-dir", str(data_dir)])


def test_demo_builds_a_database_and_prints_address_and_credentials(tmp_path: Path) -> None:
    result = run_demo(tmp_path)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000/" in result.output
    for user in DEMO_USERS:
        assert user.name in result.output and user.password in result.output
    db = Database(f"sqlite:///{tmp_path / 'annotator.db'}")
    with db.session() as session:
        assert session.scalar(select(func.count(Article.id))) == 8
        assert session.scalar(select(Project.name)) == "diplomacy-demo"
        assert all(authenticate(session, u.name, u.password) for u in DEMO_USERS)
    db.dispose()


def test_running_the_demo_again_starts_fresh(tmp_path: Path) -> None:
    run_demo(tmp_path)
    result = run_demo(tmp_path)
    assert result.exit_code == 0, result.output
    db = Database(f"sqlite:///{tmp_path / 'annotator.db'}")
    with db.session() as session:
        assert session.scalar(select(func.count(Article.id))) == 8
    db.dispose()


def test_every_picture_the_readme_shows_is_in_the_repository() -> None:
    root = Path(__file__).resolve().parents[1]
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (root / "README.md").read_text())
    assert pictures, "the README's walk-through has its screenshots"
    assert [p for p in pictures if not (root / p).is_file()] == []
