"""Static files under a URL that names their content: browsers keep them a year, and a release that
changes any of them changes every URL, so nothing stale is ever used.

One version covers the whole folder: the labeling page's modules import each other by relative
paths, which then resolve under the same versioned prefix.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, send_from_directory, url_for
from werkzeug.exceptions import NotFound

from annotator.auth.guard import public

YEAR_SECONDS = 365 * 24 * 3600


def folder_version(folder: Path) -> str:
    """A short digest of every file below the folder, names and contents."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def register_assets(app: Flask) -> None:
    """Serve /static/v/VERSION/PATH for a year, and give templates `asset(path)` for its URL."""
    folder = Path(app.static_folder or "static")
    version = folder_version(folder)

    @public
    def asset(release: str, filename: str) -> Response:
        if release != version:
            raise NotFound("that release's static files are gone: reload the page")
        response = send_from_directory(folder, filename, max_age=YEAR_SECONDS)
        response.headers["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
        return response

    app.add_url_rule("/static/v/<release>/<path:filename>", "asset", asset)
    app.jinja_env.globals["asset"] = lambda filename: url_for("asset", release=version, filename=filename)
