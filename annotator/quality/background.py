"""The quality report of a large project, from a worker and kept (jobs.reports); a small project's,
computed for the request. The estimator's fit over 100,000 articles takes about 20 s: too long for a page."""

from __future__ import annotations

from functools import partial
from typing import cast

from sqlalchemy.orm import Session

from annotator.agreement.service import labeled_count
from annotator.jobs.queue import JobOut
from annotator.jobs.reports import ask_for_newer, report_handler, served_report
from annotator.jobs.worker import Handler, Progress
from annotator.quality.estimators import Method
from annotator.quality.models import QualityReport
from annotator.quality.service import quality_report
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.tables import Project

QUALITY_REPORT = "quality-report"


def quality_for_request(session: Session, db: Database, settings: Settings, project: Project, method: Method = "dawid-skene",
                        refresh: bool = False) -> QualityReport | JobOut:
    """The report, or the job computing the first one of a large project."""
    return served_report(session, db, settings, project, QUALITY_REPORT, method, refresh=refresh, model=QualityReport,
                         labeled_articles=partial(labeled_count, session, project),
                         compute=lambda: quality_report(session, project, method))


def ask_for_newer_quality(session: Session, db: Database, settings: Settings, project: Project,
                          method: Method = "dawid-skene") -> None:
    """A large project's report computed again by a worker now, not when the kept one grows old."""
    ask_for_newer(session, db, settings, project, QUALITY_REPORT, method, partial(labeled_count, session, project))


def _computed(session: Session, project: Project, variant: str, progress: Progress) -> QualityReport:
    return quality_report(session, project, cast(Method, variant), progress)


def quality_handlers(db: Database) -> dict[str, Handler]:
    return {QUALITY_REPORT: report_handler(db, QUALITY_REPORT, _computed)}
