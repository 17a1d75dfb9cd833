"""A throwaway PostgreSQL server on 127.0.0.1 for the test session."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

SERVER_USER = "postgres"  # the server refuses to run as root


class PostgresUnavailable(RuntimeError):
    pass


def find_pg_bin() -> Path:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresUnavailable("no pg_ctl found (install Debian's postgresql package)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl start in a temporary folder; stop() removes everything.

    Tests run it without fsync (-F) for speed; `durable` keeps fsync on, as a
    production server has it, for benchmarks.
    """

    def __init__(self, durable: bool = False) -> None:
        self.durable = durable
        self.bin = find_pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="annotator-pg-"))
        self.port = free_port()
        self._as_server_user = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_server_user:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.root / "server.log"
            details = log.read_text() if log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}{details}")

    def start(self) -> None:
        if self._as_server_user:
            shutil.chown(self.root, SERVER_USER)
        self._run("initdb", "-D", str(self.root / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        self.restart()

    def restart(self) -> None:
        """Start the server on its existing data (after a crash: it recovers from its log first)."""
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c max_connections=200" + ("" if self.durable else " -F")
        self._run("pg_ctl", "-D", str(self.root / "data"), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def crash(self) -> None:
        """Stop every server process at once, as a crash would: nothing is written on the way out."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        try:
            self.crash()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """The driver's connection string, for connecting without SQLAlchemy."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def admin(self, sql: str) -> None:
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(sql)
