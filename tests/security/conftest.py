"""Security tests check who may do what, not storage: SQLite alone is enough."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.storage import Database
from tests.conftest import sqlite_database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    yield from sqlite_database(tmp_path)
