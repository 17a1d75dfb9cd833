"""The app as its own process, to be killed and started again by tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.postgres import free_port

REPO = Path(__file__).resolve().parents[1]


def wait_until_listening(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {seconds:.0f} s")


class AppProcess:
    """The app in its own process on a fixed port, to be killed and started again.

    With `workers`, it runs `annotator serve` (gunicorn); otherwise Flask's own server.
    """

    def __init__(self, url: str, data_dir: Path, workers: int | None = None, threads: int = 2) -> None:
        self.port = free_port()
        self.workers, self.threads = workers, threads
        self.env = {**os.environ, "ANNOTATOR_DATABASE_URL": url, "ANNOTATOR_DATA_DIR": str(data_dir),
                    "ANNOTATOR_SECRET_KEY": "outage-test-key"}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = ["-m", "tests.serve_app", str(self.port)]
        if self.workers is not None:
            command = ["-m", "annotator", "serve", "--port", str(self.port),
                       "--workers", str(self.workers), "--threads", str(self.threads)]
        self.process = subprocess.Popen(
            [sys.executable, *command], cwd=REPO, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until_listening(self.port)

    def stop(self) -> None:
        """A graceful stop (SIGTERM), as an operator would."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
