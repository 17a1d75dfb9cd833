"""The lead's agreement page: figures, pictures, and the articles to adjudicate first."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from annotator.agreement.charts import alpha_chart, confusion_chart, throughput_chart
from annotator.agreement.service import project_report, stored_model_versions
from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.projects.service import find_project

pages = Blueprint("agreement", __name__)


@pages.get("/projects/<int:project_id>/agreement")
@requires("lead")
def page(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    with_model = request.args.get("with_model") or None
    report = project_report(session, project, with_model)
    return render_template(
        "agreement.html",
        project=project,
        report=report,
        alpha=alpha_chart(report.fields),
        confusion=[chart for matrix in report.stance_confusion if (chart := confusion_chart(matrix))],
        throughput=throughput_chart(report.throughput),
        models=stored_model_versions(session, project),
    )
