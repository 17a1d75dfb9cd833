"""No acknowledged label is ever lost: SIGKILL under concurrent saves; two processes, one database."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from annotator.app import create_app
from annotator.labelschema import LabelSchema
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.migrate import upgrade_to_head
from annotator.storage.tables import AnnotationRevision, Assignment, User
from tests.postgres import PostgresServer, PostgresUnavailable
from tests.processes import AppProcess
from tests.support import annotators_with_tokens

CLIENTS = 8
LOAD_SECONDS = 2.0


def saving_client(base: str, token: str, project_id: int, acknowledged: list[tuple[int, dict[str, Any]]], stop: threading.Event) -> None:
    """Take an article, then save new labels on it again and again until told to stop."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    article = http.post(f"{base}/api/v1/projects/{project_id}/next", timeout=10).json()["article"]
    base_revision, number = None, 0
    while not stop.is_set():
        number += 1
        labels = {"relevant": number % 2 == 0, "outlet": None, "note": f"{token[-6:]} save {number}"}
        try:
            response = http.put(f"{base}/api/v1/articles/{article['id']}/annotation",
                                json={"base_revision": base_revision, "statements": [], "article": labels}, timeout=10)
        except requests.RequestException:
            return  # the server was killed: this save was never acknowledged
        if response.status_code == 200:
            base_revision = response.json()["revision"]
            acknowledged.append((base_revision, labels))


def test_every_acknowledged_save_survives_sigkill(db: Database, schema: LabelSchema, tmp_path: Path) -> None:
    project_id, tokens = annotators_with_tokens(db, schema, CLIENTS, overlap=CLIENTS)
    server = AppProcess(db.url, tmp_path)
    server.start()
    acknowledged: list[tuple[int, dict[str, Any]]] = []
    stop = threading.Event()
    clients = [threading.Thread(target=saving_client, args=(server.url, t, project_id, acknowledged, stop)) for t in tokens]
    for client in clients:
        client.start()
    time.sleep(LOAD_SECONDS)
    server.kill()  # SIGKILL in the middle of the load
    stop.set()
    for client in clients:
        client.join(timeout=30)
    assert len(acknowledged) > 50, "the load was too light to prove anything"
    server.start()  # and the data is still there after a restart
    server.kill()
    with db.session() as session:
        stored = dict(session.execute(select(AnnotationRevision.id, AnnotationRevision.content)).all())
    for revision, labels in acknowledged:
        assert stored[revision]["article"] == labels, f"acknowledged revision {revision} lost or changed"


def next_from(base: str, token: str, project_id: int, taken: list[tuple[str, int]]) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    while (article := http.post(f"{base}/api/v1/projects/{project_id}/next", timeout=10).json()["article"]) is not None:
        taken.append((token, article["id"]))
        http.put(f"{base}/api/v1/articles/{article['id']}/annotation",
                 json={"base_revision": None, "statements": []}, timeout=10).raise_for_status()


@pytest.mark.parametrize("db", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_app_processes_on_one_postgresql_never_over_assign(db: Database, schema: LabelSchema, tmp_path: Path) -> None:
    project_id, tokens = annotators_with_tokens(db, schema, CLIENTS, overlap=3)
    first, second = AppProcess(db.url, tmp_path), AppProcess(db.url, tmp_path)
    first.start()
    second.start()
    taken: list[tuple[str, int]] = []
    try:
        clients = [threading.Thread(target=next_from, args=((first, second)[i % 2].url, token, project_id, taken))
                   for i, token in enumerate(tokens)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=120)
    finally:
        first.kill()
        second.kill()
    per_article = Counter(article for _, article in taken)
    assert len(taken) == len(set(taken)), "an annotator got the same article twice"
    assert set(per_article.values()) == {3}, per_article
    with db.session() as session:
        assigned = Counter(session.scalars(select(Assignment.article_id)))
    assert assigned == per_article


@pytest.mark.postgres
def test_a_claim_handed_out_survives_a_crash_of_the_database_server(schema: LabelSchema, tmp_path: Path) -> None:
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not available: {error}")
    try:
        db = Database(server.url())
        upgrade_to_head(db)
        project_id, tokens = annotators_with_tokens(db, schema, CLIENTS, overlap=2)
        app = create_app(Settings(data_dir=tmp_path, database_url=db.url, secret_key="k"), db)
        headers = {"Authorization": f"Bearer {tokens[0]}"}
        claimed = app.test_client().post(f"/api/v1/projects/{project_id}/next", headers=headers).json["article"]
        server.crash()  # at once: an unflushed commit would be lost with the server's memory
        db.dispose()
        server.restart()
        with db.session() as session:
            holders = session.scalars(select(User.name).join(Assignment, Assignment.user_id == User.id)
                                      .where(Assignment.article_id == claimed["id"])).all()
        assert holders == ["worker0"]
        saved = app.test_client().put(f"/api/v1/articles/{claimed['id']}/annotation", headers=headers,
                                      json={"base_revision": None, "statements": []})
        assert saved.status_code == 200
        db.dispose()
    finally:
        server.stop()
