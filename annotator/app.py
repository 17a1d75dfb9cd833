"""Application factory."""

from __future__ import annotations

import secrets
import shlex
from typing import Any

import orjson
from flask import Response, jsonify, make_response, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_openapi3 import Info, OpenAPI
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from annotator import __version__
from annotator.assets import register_assets
from annotator.auth.guard import TokenAwareSessionInterface, authorize_request, csrf, is_api_request, public
from annotator.context import AppState, close_db_session
from annotator.errors import ApiError, ErrorBody, Problem
from annotator.request_checks import check_request
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.secrets import SESSION_KEY, shared_secret
from annotator.storage.failures import storage_failure

SECURITY_HEADERS = {
    # Same-origin scripts and styles only: no inline script can run, no other host is contacted.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
API_SECURITY: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "Token from `annotator token create NAME`"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "Browser session; writes also need X-CSRFToken"},
}


def create_app(settings: Settings | None = None, db: Database | None = None) -> OpenAPI:
    settings = settings or Settings()
    app = OpenAPI(
        __name__,
        info=Info(title="Annotator API", version=__version__),
        security_schemes=API_SECURITY,
        doc_ui=False,
        validation_error_status=422,
        validation_error_model=ErrorBody,
        validation_error_callback=validation_error_response,
    )
    database = db or Database(settings.resolved_database_url())
    app.config.update(
        SECRET_KEY=_session_key(settings, database),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        # A labeling session can last all day; the token lives as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
    )
    if settings.trusted_proxy_hops:
        # The client's address (login rate limits key on it) is what the trusted proxies saw;
        # more hops than configured are the client's own claims and are ignored.
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.extensions["annotator"] = AppState(settings=settings, db=database)
    app.json = OrjsonBodies(app)
    # A command shown on a page, to be copied into a shell: a project name with spaces stays one argument.
    app.jinja_env.filters["shell"] = shlex.quote
    app.session_interface = TokenAwareSessionInterface()
    app.before_request(check_request)  # first: before the CSRF check reads a form, or anything reads a body
    csrf.init_app(app)
    app.before_request(authorize_request)
    app.after_request(add_security_headers)
    app.teardown_appcontext(close_db_session)
    register_error_handlers(app)
    register_blueprints(app)
    register_assets(app)
    return app


def _session_key(settings: Settings, db: Database) -> str:
    """The configured key; else the one every host shares in the database (an older install's key file
    becomes it, so its sessions hold); else, before migration, the key file."""
    if settings.secret_key:
        return settings.secret_key
    key_file = settings.data_dir / "secret_key"
    existing = key_file.read_text().strip() if key_file.is_file() else None
    return shared_secret(db, SESSION_KEY, lambda: existing or secrets.token_hex(32)) or settings.resolved_secret_key()


def register_blueprints(app: OpenAPI) -> None:
    from annotator.accounts.api import api as accounts_api
    from annotator.accounts.web import pages as accounts_pages
    from annotator.adjudicate.api import api as adjudicate_api
    from annotator.adjudicate.web import pages as adjudicate_pages
    from annotator.agreement.api import api as agreement_api
    from annotator.agreement.web import pages as agreement_pages
    from annotator.annotate.api import api as annotate_api
    from annotator.annotate.web import pages as annotate_pages
    from annotator.articles.api import api as articles_api
    from annotator.articles.web import pages as articles_pages
    from annotator.model.api import api as model_api
    from annotator.model.web import pages as model_pages
    from annotator.auth.web import pages as auth_pages
    from annotator.codebook.api import api as codebook_api
    from annotator.codebook.web import pages as codebook_pages
    from annotator.export.api import api as export_api
    from annotator.ingest.api import api as ingest_api
    from annotator.ingest.web import pages as ingest_pages
    from annotator.overview.web import pages as overview_pages
    from annotator.predictions.api import api as predictions_api
    from annotator.predictions.web import pages as predictions_pages
    from annotator.projects.api import api as projects_api
    from annotator.projects.web import pages as project_pages
    from annotator.quality.api import api as quality_api
    from annotator.quality.web import pages as quality_pages

    for api in (projects_api, ingest_api, annotate_api, agreement_api, adjudicate_api, export_api, predictions_api,
                accounts_api, model_api, articles_api, codebook_api, quality_api):
        app.register_api(api)
        csrf.exempt(api)  # the access guard checks CSRF for cookie-authenticated API writes
    for pages in (
        auth_pages, project_pages, overview_pages, ingest_pages, annotate_pages, agreement_pages, adjudicate_pages,
        predictions_pages, accounts_pages, model_pages, articles_pages, codebook_pages, quality_pages,
    ):
        app.register_blueprint(pages)

    @public
    def openapi_document() -> Response:
        return jsonify(app.api_doc)

    app.add_url_rule("/api/v1/openapi.json", "openapi_document", openapi_document)


class OrjsonBodies(DefaultJSONProvider):
    """Request bodies parsed by orjson, several times faster than json on every save; responses as
    Flask writes them. What orjson refuses goes to json, so that what a body may hold and how a bad
    one is refused (malformed, nested too deeply) stay as they were."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            return super().loads(s, **kwargs)


def add_security_headers(response: Response) -> Response:
    """Each security header the response does not set itself (one pass over its headers: every request runs this)."""
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend([(name, value) for name, value in SECURITY_HEADERS.items() if name.lower() not in present])
    return response


def register_error_handlers(app: OpenAPI) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        if is_api_request():
            response = jsonify(error.body())
        else:
            response = make_response(render_template("error.html", status=error.status, message=error.message))
        response.status_code = error.status
        response.headers.update(error.headers())
        return response

    @app.errorhandler(DBAPIError)
    def storage_error(error: DBAPIError) -> Response:
        unavailable = storage_failure(error)
        if unavailable is None:
            raise error  # a fault of ours: a 500, logged with its traceback
        app.logger.error("storage unavailable: %s", error.orig)
        return api_error(unavailable)

    @app.errorhandler(RecursionError)
    def too_deep(error: RecursionError) -> tuple[Response | str, int]:
        # Python's JSON reader recurses once per bracket: a hostile body is a bad request, not a crash.
        if is_api_request():
            return _error_response(400, "malformed_json", "the request body is nested too deeply to read"), 400
        return render_template("error.html", status=400, message="The request is nested too deeply to read."), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        message = error.description or error.name
        if is_api_request():
            code = error.name.lower().replace(" ", "_")
            response = jsonify(ErrorBody(error=code, message=message).model_dump())
        else:
            response = make_response(render_template("error.html", status=status, message=message))
        response.status_code = status
        # Keep what the refusal says in its headers: the Allow list of a 405, for one.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response


def validation_error_response(error: ValidationError) -> Response:
    """Pydantic's complaint about a request, as our error body; a body that is not JSON says so."""
    body_not_an_object = any(issue["loc"] == () and issue["type"] == "model_type" for issue in error.errors())
    if body_not_an_object and request.get_json(silent=True) is None:
        if not request.is_json:
            return _error_response(415, "unsupported_media_type", "send a JSON body with Content-Type: application/json")
        return _error_response(400, "malformed_json", "the request body is not valid JSON")
    problems = [Problem.at(issue["loc"], _in_words(issue)) for issue in error.errors()]
    return _error_response(422, "invalid_request", f"request refused: {len(problems)} problem(s)", problems)


# An empty choice or id in labels, said as the annotator would be told ("pick a target"), not as pydantic says it.
_LEFT_EMPTY = {"stance": "pick a stance", "target": "pick a target", "category": "pick its category", "id": "give its id"}


def _in_words(issue: Any) -> str:
    field = issue["loc"][-1] if issue["loc"] else None
    if issue["type"] == "string_too_short" and "statements" in issue["loc"] and field in _LEFT_EMPTY:
        return _LEFT_EMPTY[field]
    return str(issue["msg"])


def _error_response(status: int, code: str, message: str, problems: list[Problem] | None = None) -> Response:
    response = jsonify(ErrorBody(error=code, message=message, problems=problems or []).model_dump())
    response.status_code = status
    return response
