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


DEMO_ARTICLES = 20  # the eight of the sample corpus, and twelve more with gold for the baseline

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
        assert session.scalar(select(func.count(Article.id))) == DEMO_ARTICLES
        assert session.scalar(select(Project.name)) == "diplomacy-demo"
        assert all(authenticate(session, u.name, u.password) for u in DEMO_USERS)
    db.dispose()


def test_running_the_demo_again_starts_fresh(tmp_path: Path) -> None:
    run_demo(tmp_path)
    result = run_demo(tmp_path)
    assert result.exit_code == 0, result.output
    db = Database(f"sqlite:///{tmp_path / 'annotator.db'}")
    with db.session() as session:
        assert session.scalar(select(func.count(Article.id))) == DEMO_ARTICLES
    db.dispose()


def test_every_picture_the_readme_shows_is_in_the_repository() -> None:
    root = Path(__file__).resolve().parents[1]
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (root / "README.md").read_text())
    assert pictures, "the README's walk-through has its screenshots"
    assert [p for p in pictures if not (root / p).is_file()] == []


def test_on_first_run_the_leads_pages_have_figures_and_ana_sees_suggestions(tmp_path: Path) -> None:
    from annotator.agreement.service import project_report
    from annotator.annotate.assignment import next_article
    from annotator.annotate.suggestions import model_suggestions
    from annotator.auth.service import get_user
    from annotator.predictions.store import project_evaluations

    run_demo(tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'annotator.db'}")
    with db.session(write=True) as session:
        project = session.scalars(select(Project)).one()
        report = project_report(session, project)
        assert report.annotators == ["ben", "cleo"] and report.articles_labeled == DEMO_ARTICLES
        assert any(item.score > 0 for item in report.most_disagreed), "something to adjudicate"
        [evaluation] = project_evaluations(session, project)
        assert evaluation.model == "demo-baseline" and evaluation.report["fields"]["stance"]["accuracy"] < 1
        _, article_id = next_article(session, session, project.id, get_user(session, "ana"))
        assert article_id is not None
        article = session.get_one(Article, article_id)
        assert article.title.startswith("Kremlin says no groundwork")
        suggested = model_suggestions(session, project, article)
        assert suggested is not None and [s["actor"]["id"] for s in suggested.statements] == ["peskov", "yermak"]
    db.dispose()


def test_on_first_run_the_baseline_trains_on_the_demos_gold(tmp_path: Path) -> None:
    from annotator.labelschema import load_schema
    from annotator.model.training import gold_of_project, train
    from annotator.shipped import default_schema_path

    run_demo(tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'annotator.db'}")
    with db.session() as session:
        gold = gold_of_project(session, session.scalars(select(Project)).one())
    db.dispose()
    _, card, _ = train(gold, load_schema(default_schema_path()), "1", curve=False)
    assert card.counts.train >= 10
