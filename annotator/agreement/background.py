"""The agreement report of a large project, from a worker and kept (jobs.reports); a small project's,
computed for the request."""

from __future__ import annotations

from functools import partial

from sqlalchemy.orm import Session

from annotator.agreement.models import AgreementReport
from annotator.agreement.service import labeled_count, project_report
from annotator.jobs.queue import JobOut
from annotator.jobs.reports import ask_for_newer, report_handler, served_report
from annotator.jobs.worker import Handler, Progress
from annotator.settings import Settings
from annotator.storage import Database
from annotator.storage.tables import Project

AGREEMENT_REPORT = "agreement-report"


def agreement_for_request(session: Session, db: Database, settings: Settings, project: Project, with_model: str | None = None,
                          refresh: bool = False) -> AgreementReport | JobOut:
    """The report, or the job computing the first one of a large project."""
    return served_report(session, db, settings, project, AGREEMENT_REPORT, with_model or "", refresh=refresh, model=AgreementReport,
                         labeled_articles=partial(labeled_count, session, project),
                         compute=lambda: project_report(session, project, with_model))


def ask_for_newer_agreement(session: Session, db: Database, settings: Settings, project: Project, with_model: str | None) -> None:
    """A large project's report computed again by a worker now, not when the kept one grows old."""
    ask_for_newer(session, db, settings, project, AGREEMENT_REPORT, with_model or "", partial(labeled_count, session, project))


def _computed(session: Session, project: Project, variant: str, progress: Progress) -> AgreementReport:
    return project_report(session, project, variant or None, progress)


def agreement_handlers(db: Database) -> dict[str, Handler]:
    return {AGREEMENT_REPORT: report_handler(db, AGREEMENT_REPORT, _computed)}
