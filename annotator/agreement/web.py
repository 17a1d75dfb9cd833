"""The lead's agreement page: figures, pictures, and the articles to adjudicate first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from annotator.agreement.charts import alpha_chart, confusion_chart, throughput_chart
from annotator.agreement.service import project_report
from annotator.auth.guard import requires
from annotator.context import db_session
from annotator.projects.service import find_project

pages = Blueprint("agreement", __name__)


@pages.get("/projects/<int:project_id>/agreement")
@requires("lead")
def page(project_id: int) -> ResponseReturnValue:
    session = db_session()
    project = find_project(session, project_id)
    report = project_report(session, project)
    return render_template(
        "agreement.html",
        project=project,
        report=report,
        alpha=alpha_chart(report.fields),
        confusion=[chart for matrix in report.stance_confusion if (chart := confusion_chart(matrix))],
        throughput=throughput_chart(report.throughput),
    )
