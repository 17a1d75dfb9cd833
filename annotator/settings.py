"""Runtime settings, read once from ANNOTATOR_* environment variables."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the app and the CLI need to know about their environment.

    Passed explicitly to the app factory and the CLI commands, never imported
    as a global, so tests can run several differently configured apps side by side.
    """

    model_config = SettingsConfigDict(env_prefix="ANNOTATOR_", frozen=True)

    data_dir: Path = Field(default=Path("instance"), description="Folder for the SQLite file and the secret key")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default is SQLite in data_dir")
    secret_key: str | None = Field(default=None, description="Signs session cookies; default is a key file in data_dir")
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    session_cookie_secure: bool = False
    trusted_proxy_hops: int = Field(
        default=0, ge=0, le=5,
        description="Reverse proxies in front of the app (TLS terminators, load balancers) whose "
        "X-Forwarded-For and X-Forwarded-Proto to believe; 0 when clients connect directly",
    )

    job_stale_seconds: float = Field(
        default=60, gt=0, le=3600,
        description="A running job whose worker has not reported for this long is taken over by another worker (once)")
    local_worker: bool | None = Field(
        default=None,
        description="Start a worker process on this host when a job is queued and none runs; default: on SQLite only "
        "(with PostgreSQL, run `annotator worker` on any host)")

    report_job_articles: int = Field(
        default=20_000, ge=0,
        description="Agreement and quality reports over projects with at least this many labeled articles are computed "
        "by a worker and kept (every host serves the kept one); smaller projects' are computed for each request")
    report_max_age_seconds: float = Field(
        default=600, gt=0,
        description="A kept report older than this is served while a worker computes a newer one")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'annotator.db').resolve()}"

    def runs_local_worker(self) -> bool:
        return self.local_worker if self.local_worker is not None else self.resolved_database_url().startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The configured key, or one kept in data_dir so sessions survive restarts (the app prefers the
        database's, which every host shares: storage.secrets; this file seeds it on an older install)."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.touch(mode=0o600)
            key_file.write_text(secrets.token_hex(32))
        return key_file.read_text().strip()
