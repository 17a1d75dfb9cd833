"""Long writes in turns: an import commits one batch at a time and, on SQLite, leaves the write
lock free between batches, so the saves waiting for it go first.

SQLite has one write lock for the whole database. An import that held it from its first record
to its last kept every save of every worker waiting (a 60,000-line import held it 37 s, and saves
failed after their 10 s). Batches are sized by how long they hold the lock, not by a count: a
batch of big articles is smaller than one of short prediction lines.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

Item = TypeVar("Item")
# How long one batch should hold the write lock: a save waits for one at most, well within its
# patience (and a p99 of 250 ms), and an import needs few enough turns to finish.
TURN_SECONDS = 0.1
# Between batches on SQLite: writers waiting in this process queue on a lock, in other processes
# they poll for it every millisecond at most, so this is long enough for them to take it first.
PAUSE_SECONDS = 0.005
MIN_BATCH, FIRST_BATCH, MAX_BATCH = 10, 100, 1000


def in_turns(session: Session, items: Iterable[Item]) -> Iterator[list[Item]]:
    """The items in batches, each committed once the caller has written it (when it asks for the
    next); whatever the session began before is committed first. A batch that fails is not
    committed: the batches before it are kept, and an import run again finds them stored."""
    session.commit()
    pause = PAUSE_SECONDS if session.get_bind().dialect.name == "sqlite" else 0.0
    began: list[float] = []
    # From the transaction's start (a writer has the lock by then) to its commit: what waiting
    # writers wait for. Reading, checking and hashing the batch before its first statement are not.
    on_begin = lambda *_: began.append(time.monotonic())  # noqa: E731
    event.listen(session, "after_begin", on_begin)
    try:
        size, iterator = FIRST_BATCH, iter(items)
        while batch := list(islice(iterator, size)):
            began.clear()
            yield batch
            session.commit()
            held = time.monotonic() - began[0] if began else 0.0
            if held > TURN_SECONDS:
                size = max(MIN_BATCH, size // 2)
            elif held < TURN_SECONDS / 2:
                size = min(MAX_BATCH, size * 2)
            time.sleep(pause)
    finally:
        event.remove(session, "after_begin", on_begin)
