"""Serving the app over HTTP under gunicorn: the worker (worker.py) and what it reads of a request
before a thread serves it (framing.py)."""

from annotator.serving.server import GunicornServer, gunicorn_options

__all__ = ["GunicornServer", "gunicorn_options"]
