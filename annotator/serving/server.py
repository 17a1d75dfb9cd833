"""gunicorn run from Python, with the settings `annotator serve` uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from annotator.serving.framing import ReadLimits
from annotator.serving.worker import WORKER_CLASS


# Settings that the oldest gunicorn we take lacks: set where the installed one has them.
NEWER_SETTINGS = {"control_socket_disable"}


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn with these options, serving the app that `load_app` builds in each worker after the fork;
    its workers bound every request by `read_limits`."""

    def __init__(self, load_app: Callable[[], Any], options: dict[str, Any], read_limits: ReadLimits) -> None:
        self.load_app = load_app
        self.options = options
        self.read_limits = read_limits
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key not in NEWER_SETTINGS or key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        return self.load_app()


def gunicorn_options(**options: Any) -> dict[str, Any]:
    """The settings of `annotator serve`, and these on top."""
    return {
        "worker_class": WORKER_CLASS, "accesslog": None, "errorlog": "-", "timeout": 60, "graceful_timeout": 10,
        # Annotators pause between requests for seconds: keep their connections open across the pause.
        "keepalive": 75,
        # gunicorn's control socket has one default path per host, which two servers would share.
        "control_socket_disable": True,
        **options,
    }
