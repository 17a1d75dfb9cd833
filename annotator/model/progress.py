"""Progress of a training run, written where a page in another process can read it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel


class TrainingStatus(BaseModel):
    state: str  # running, done or failed
    stage: str
    done: float
    version: str | None = None
    pid: int | None = None
    at: datetime


class StatusFile:
    def __init__(self, path: Path | None) -> None:
        self.path = path

    def write(self, state: str, stage: str, done: float, version: str | None = None, pid: int | None = None) -> None:
        """Replace the status; `pid` is the process doing the work (this one unless said)."""
        if self.path is None:
            return
        status = TrainingStatus(state=state, stage=stage, done=round(done, 3), version=version, pid=pid or os.getpid(),
                                at=datetime.now(UTC))
        partial = self.path.with_name(f".{self.path.name}.partial")
        partial.write_text(status.model_dump_json())
        os.replace(partial, self.path)  # a reader sees the old status or the new one, never half

    def read(self) -> TrainingStatus | None:
        if self.path is None or not self.path.is_file():
            return None
        return TrainingStatus.model_validate_json(self.path.read_text())
