"""Gold records: compare an article's annotations, save gold revisions, accept unanimous ones."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.adjudicate.compare import (
    Version,
    article_differs,
    canonical_content,
    gold_method,
    is_unanimous,
    key_rows,
    majority_proposal,
    same_labels,
    statement_tie,
)
from annotator.adjudicate.models import AnnotatorVersion, ArticleComparison, BulkAcceptance, GoldOut, GoldSave
from annotator.annotate.models import AnnotationContent, ArticleLabels
from annotator.annotate.service import checked_content
from annotator.errors import NotFound, StaleRevision
from annotator.labelschema import LabelSchema
from annotator.projects.service import find_project, project_schema
from annotator.storage.revisions import advance_head, counted_work
from annotator.storage.tables import (
    AnnotationRevision,
    Article,
    Assignment,
    GoldRecord,
    GoldRevision,
    Project,
    User,
)


def head_versions(session: Session, article_ids: list[int]) -> dict[int, list[Version]]:
    """Each article's saved annotations (head revisions of finished assignments), by annotator name."""
    rows = session.execute(
        select(Assignment.article_id, User.name, AnnotationRevision.id, AnnotationRevision.content, Assignment.as_lead,
               AnnotationRevision.schema_version)
        .join(User, User.id == Assignment.user_id)
        .join(AnnotationRevision, AnnotationRevision.id == Assignment.head_revision_id)
        .where(Assignment.article_id.in_(article_ids), Assignment.status == "done", counted_work())
        .order_by(Assignment.article_id, User.name)
    )
    versions: dict[int, list[Version]] = defaultdict(list)
    for article_id, name, revision_id, content, by_lead, schema_version in rows:
        versions[article_id].append(Version(name, revision_id, content, by_lead, schema_version))
    return versions


def compare_article(session: Session, article: Article) -> ArticleComparison:
    versions = head_versions(session, [article.id])[article.id]
    proposal = majority_proposal(versions) if versions else None
    ties = proposal.ties if proposal else []
    rows = [row.model_copy(update={"tie": statement_tie((row.actor, row.target)) in ties}) for row in key_rows(versions)]
    return ArticleComparison(
        article_id=article.id,
        versions=[
            AnnotatorVersion(
                annotator=v.annotator, revision=v.revision, article=ArticleLabels(**v.content["article"]), by_lead=v.by_lead,
                schema_version=v.schema_version,
            )
            for v in versions
        ],
        rows=rows,
        article_differs=article_differs(versions),
        unanimous=is_unanimous(versions),
        proposal=AnnotationContent.model_validate(proposal.content) if proposal else AnnotationContent(),
        ties=ties,
        disputed_by=disputed_gold(session, [article.id]).get(article.id, []),
    )


def load_gold(session: Session, article: Article) -> GoldOut:
    record = session.scalar(select(GoldRecord).where(GoldRecord.article_id == article.id))
    head = record.head if record else None
    if head is None:
        return GoldOut(
            article_id=article.id, revision=None, method=None, adjudicator=None,
            source_revision_ids=[], schema_version=None, saved_at=None,
        )
    adjudicator = session.get(User, head.adjudicator_id)
    return GoldOut(
        article_id=article.id,
        revision=head.id,
        method=head.method,  # type: ignore[arg-type]
        adjudicator=adjudicator.name if adjudicator else None,
        source_revision_ids=head.source_revision_ids,
        schema_version=head.schema_version,
        saved_at=head.created_at,
        **AnnotationContent.model_validate(head.content).model_dump(),
    )


def save_gold(
    session: Session, project: Project, schema: LabelSchema, article: Article, lead: User, save: GoldSave
) -> GoldOut:
    """A new gold revision on top of `save.base_revision`, or a refusal that stores nothing."""
    content = checked_content(save, article, schema, "gold")
    versions = head_versions(session, [article.id])[article.id]
    document = content.model_dump(mode="json")
    method = gold_method(document, versions, project.overlap)
    _append_revision(session, project, schema, article, lead, document, method, versions, save.base_revision, save.seconds_spent)
    return load_gold(session, article)


def _append_revision(
    session: Session,
    project: Project,
    schema: LabelSchema,
    article: Article,
    lead: User,
    document: dict[str, object],
    method: str,
    versions: list[Version],
    base: int | None,
    seconds_spent: float | None = None,
) -> None:
    record = session.scalar(select(GoldRecord).where(GoldRecord.article_id == article.id))
    if record is None:
        if base is not None:
            raise StaleRevision.based_on(base, None)
        record = GoldRecord(project_id=project.id, article_id=article.id)
        session.add(record)
        try:
            session.flush()
        except IntegrityError as error:  # another lead created it a moment ago
            session.rollback()
            raise StaleRevision.based_on(base, None) from error
    elif record.head_revision_id != base:
        raise StaleRevision.based_on(base, record.head_revision_id)
    revision = GoldRevision(
        gold_record_id=record.id,
        base_revision_id=base,
        adjudicator_id=lead.id,
        method=method,
        source_revision_ids=[v.revision for v in versions],
        label_schema_id=project.label_schema_id,
        schema_version=schema.version,
        content=document,
        seconds_spent=seconds_spent,
    )
    session.add(revision)
    session.flush()
    advance_head(session, GoldRecord, record.id, base, revision.id)
    session.refresh(record)


def restore_gold(session: Session, revision_id: int, lead: User) -> GoldOut:
    """Make an earlier gold revision the newest again (as a new revision on top of the current one)."""
    found = session.execute(
        select(GoldRevision, GoldRecord).join(GoldRecord, GoldRecord.id == GoldRevision.gold_record_id)
        .where(GoldRevision.id == revision_id)
    ).first()
    if found is None:
        raise NotFound(f"no gold revision {revision_id}")
    revision, record = found
    project = find_project(session, record.project_id)
    schema = project_schema(project)
    article = session.get(Article, record.article_id)
    assert article is not None
    versions = head_versions(session, [article.id])[article.id]
    method = gold_method(revision.content, versions, project.overlap)
    _append_revision(session, project, schema, article, lead, revision.content, method, versions, record.head_revision_id)
    return load_gold(session, article)


def accept_unanimous(session: Session, project: Project, schema: LabelSchema, lead: User) -> BulkAcceptance:
    """Gold for every article without gold that every annotator the overlap asks for has done, and
    on which they all agree (two of three agreeing is a majority, for the lead to settle)."""
    # The overlap counts annotators; a lead's own labels (in `versions`) must agree too, but are not waited for.
    annotators = (Assignment.article_id == Article.id, Assignment.as_lead.is_(False))
    done = select(func.count()).where(*annotators, Assignment.status == "done").scalar_subquery()
    still_open = exists().where(*annotators, Assignment.status == "open")
    found = session.execute(
        select(Article.id, done, still_open)
        .where(Article.project_id == project.id)
        .where(Article.id.in_(select(Assignment.article_id).where(Assignment.status == "done")))
        .where(~Article.id.in_(select(GoldRecord.article_id).where(GoldRecord.head_revision_id.is_not(None))))
    ).all()
    needed = max(project.overlap, 2)
    candidates = [article_id for article_id, done_by, waiting in found if not waiting and done_by >= needed]
    result = BulkAcceptance(
        accepted=0,
        already_gold=session.scalar(select(func.count(GoldRecord.id)).where(GoldRecord.project_id == project.id)) or 0,
        not_unanimous=0,
        incomplete=len(found) - len(candidates),
    )
    versions_by_article = head_versions(session, candidates)
    articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(candidates)))}
    for article_id in candidates:
        versions = versions_by_article[article_id]
        if not is_unanimous(versions):
            result.not_unanimous += 1
            continue
        document = {**canonical_content(versions[0].content), "article": {**versions[0].content["article"], "note": ""}}
        _append_revision(session, project, schema, articles[article_id], lead, document, "unanimous", versions, None)
        result.accepted += 1
    return result


def disputed_gold(session: Session, article_ids: list[int]) -> dict[int, list[str]]:
    """For each article whose gold was made before some annotator's current labels, and disagrees with
    them: who those annotators are. The lead settles gold again (or confirms it by saving it)."""
    gold = {
        article_id: (set(sources), content)
        for article_id, sources, content in session.execute(
            select(GoldRecord.article_id, GoldRevision.source_revision_ids, GoldRevision.content)
            .join(GoldRevision, GoldRevision.id == GoldRecord.head_revision_id)
            .where(GoldRecord.article_id.in_(article_ids))
        )
    }
    disputes: dict[int, list[str]] = {}
    for article_id, versions in head_versions(session, list(gold)).items():
        sources, content = gold[article_id]
        later = [v.annotator for v in versions if v.revision not in sources and not same_labels(v.content, content)]
        if later:
            disputes[article_id] = later
    return disputes
