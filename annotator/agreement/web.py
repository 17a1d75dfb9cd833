"""The lead's agreement page: figures, pictures, and the articles to adjudicate first."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from annotator.agreement.background import agreement_for_request, ask_for_newer_agreement
from annotator.agreement.charts import alpha_chart, confusion_chart, throughput_chart
from annotator.agreement.service import stored_model_versions
from annotator.auth.guard import requires
from annotator.context import app_state, reading_session
from annotator.jobs.queue import JobOut
from annotator.projects.service import find_project

pages = Blueprint("agreement", __name__)


@pages.get("/projects/<int:project_id>/agreement")
@requires("lead")
def page(project_id: int) -> ResponseReturnValue:
    session = reading_session()  # a large project's run is queued in a writer of its own
    project = find_project(session, project_id)
    with_model = request.args.get("with_model") or None
    state = app_state()
    report = agreement_for_request(session, state.db, state.settings, project, with_model)
    refresh_url = url_for("agreement.refresh", project_id=project.id, with_model=with_model)
    if isinstance(report, JobOut):
        return render_template("report_pending.html", project=project, job=report, heading="Agreement", refresh_url=refresh_url)
    return render_template(
        "agreement.html",
        project=project,
        report=report,
        alpha=alpha_chart(report.fields),
        confusion=[chart for matrix in report.stance_confusion if (chart := confusion_chart(matrix))],
        throughput=throughput_chart(report.throughput),
        models=stored_model_versions(session, project),
        refresh_url=refresh_url,
    )


@pages.post("/projects/<int:project_id>/agreement/refresh")
@requires("lead")
def refresh(project_id: int) -> ResponseReturnValue:
    """A large project's report computed again by a worker now, not when the kept one grows old."""
    session = reading_session()  # the run is queued in a writer of its own
    state = app_state()
    with_model = request.args.get("with_model") or None
    ask_for_newer_agreement(session, state.db, state.settings, find_project(session, project_id), with_model)
    return redirect(url_for("agreement.page", project_id=project_id, with_model=with_model))
