"""Queries behind the project page: articles by text and state, totals, progress per annotator."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from sqlalchemy import Exists, Row, ScalarSelect, Select, and_, exists, func, select
from sqlalchemy.orm import Session

from annotator.adjudicate.compare import is_unanimous
from annotator.adjudicate.service import disputed_gold, head_versions
from annotator.overview.models import AnnotatorProgress, ArticleFilter, ArticlePage, ArticleRow, ArticleState, ProjectTotals
from annotator.storage.search import articles_with_words, search_words
from annotator.quality.service import article_doubts
from annotator.storage.tables import Article, Assignment, GoldRecord, Project, ProjectMember, Review, User

PAGE_SIZE = 100
DISAGREEMENT_BATCH = 500
# States that need labels compared, not only counted: found a batch at a time.
COMPARED_STATES = ("disagreement", "gold_disputed")


def _done_count() -> ScalarSelect[int]:
    return (
        select(func.count()).where(Assignment.article_id == Article.id, Assignment.status == "done")
        .correlate(Article).scalar_subquery()
    )


def _open_count() -> ScalarSelect[int]:
    return (
        select(func.count()).where(Assignment.article_id == Article.id, Assignment.status == "open")
        .correlate(Article).scalar_subquery()
    )


def _has_gold() -> Exists:
    return exists().where(GoldRecord.article_id == Article.id, GoldRecord.head_revision_id.is_not(None))


# A matching article: id, title, outlet, annotators done, annotators with it open, has gold.
Found = Row[int, str, str | None, int, int, bool]


def _matching(session: Session, project: Project, wanted: ArticleFilter) -> Select[int, str, str | None, int, int, bool]:
    done, open_, gold = _done_count(), _open_count(), _has_gold()
    query = select(Article.id, Article.title, Article.outlet, done, open_, gold).where(Article.project_id == project.id)
    if words := search_words(wanted.q):
        query = query.where(articles_with_words(session.get_bind().dialect.name, words))
    match wanted.state:
        case "gold":
            query = query.where(gold)
        case "unassigned":
            query = query.where(Article.assigned_count == 0, ~gold)
        case "in_progress":
            query = query.where(open_ > 0, ~gold)
        case "done":
            query = query.where(open_ == 0, ~gold, done == wanted.done_by if wanted.done_by is not None else done > 0)
        case "disagreement":
            query = query.where(done >= 2, ~gold)
        case "gold_disputed":
            # Only where labels changed after the gold was settled; disputed_gold compares those.
            changed_since = exists().where(Assignment.article_id == Article.id, Assignment.status == "done",
                                           Assignment.updated_at > GoldRecord.updated_at)
            query = query.where(gold.where(changed_since))
    match wanted.sort:
        case "title":
            return query.order_by(Article.title, Article.id)
        case "fewest_done":
            return query.order_by(done, Article.id)
        case "most_done":
            return query.order_by(done.desc(), Article.id)
    return query.order_by(Article.id)


def find_articles(session: Session, project: Project, wanted: ArticleFilter) -> ArticlePage:
    """One page of the articles the filter matches, each with its state and who holds it."""
    skip = (wanted.page - 1) * PAGE_SIZE
    if wanted.sort == "most_doubtful":
        return _most_doubtful(session, project, wanted, skip)
    if wanted.state in COMPARED_STATES:
        # Compared while found: no total without comparing every candidate, and no second comparison.
        found = list(_disagreeing(session, project, wanted, skip + PAGE_SIZE + 1))[skip:]
        rows = found[:PAGE_SIZE]
        return ArticlePage(rows=_described(session, rows, compared=True), total=None, has_more=len(found) > PAGE_SIZE)
    rows = list(session.execute(_matching(session, project, wanted).offset(skip).limit(PAGE_SIZE)).all())
    total = session.scalar(select(func.count()).select_from(_matching(session, project, wanted).order_by(None).subquery()))
    has_more = total is not None and skip + len(rows) < total
    return ArticlePage(rows=_described(session, rows), total=total, has_more=has_more)


def _most_doubtful(session: Session, project: Project, wanted: ArticleFilter, skip: int) -> ArticlePage:
    """The matching articles the aggregate is least sure of first (gold is settled: no doubt), the others
    after in import order. Every matching article is weighed: the page needs the whole order."""
    ids = matching_ids(session, project, wanted.model_copy(update={"sort": "imported"}))
    settled = set(session.scalars(select(GoldRecord.article_id).where(
        GoldRecord.project_id == project.id, GoldRecord.head_revision_id.is_not(None))))
    doubts = article_doubts(session, project, [article_id for article_id in ids if article_id not in settled])
    ordered = sorted(ids, key=lambda article_id: -doubts.get(article_id, -1.0))
    page = ordered[skip:skip + PAGE_SIZE]
    found = {row[0]: row for row in session.execute(_matching(session, project, wanted).where(Article.id.in_(page)))}
    rows = _described(session, [found[article_id] for article_id in page])
    return ArticlePage(rows=[row.model_copy(update={"doubt": doubts.get(row.id)}) for row in rows], total=len(ids),
                       has_more=skip + len(page) < len(ids))


def matching_ids(session: Session, project: Project, wanted: ArticleFilter) -> list[int]:
    """Every article id the filter matches (a batch to assign)."""
    if wanted.state in COMPARED_STATES:
        return [row[0] for row in _disagreeing(session, project, wanted, None)]
    return list(session.scalars(_matching(session, project, wanted).with_only_columns(Article.id)))


def _disagreeing(session: Session, project: Project, wanted: ArticleFilter, enough: int | None) -> Iterator[Found]:
    """Articles with two or more annotations that differ (or, for gold_disputed, whose gold later
    labels disagree with), compared a batch at a time until `enough`."""
    query, after, found = _matching(session, project, wanted), 0, 0
    while enough is None or found < enough:
        batch = session.execute(query.where(Article.id > after).order_by(None).order_by(Article.id).limit(DISAGREEMENT_BATCH)).all()
        if not batch:
            return
        ids = [row[0] for row in batch]
        if wanted.state == "gold_disputed":
            disputed = disputed_gold(session, ids)
            differing = [row for row in batch if row[0] in disputed]
        else:
            versions = head_versions(session, ids)
            differing = [row for row in batch if not is_unanimous(versions[row[0]])]
        found += len(differing)
        yield from differing
        after = batch[-1][0]


def _described(session: Session, rows: Sequence[Found], compared: bool = False) -> list[ArticleRow]:
    """Rows with their holders and state; `compared` when every row is already known to disagree."""
    ids = [row[0] for row in rows]
    holders: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for article_id, name, status in session.execute(
        select(Assignment.article_id, User.name, Assignment.status)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.article_id.in_(ids))
        .order_by(User.name)
    ):
        holders[article_id].append((name, status))
    if compared:
        disagreeing = set(ids)
    else:
        settled = head_versions(session, [row[0] for row in rows if row[3] >= 2 and not row[5]])
        disagreeing = {i for i, versions in settled.items() if not is_unanimous(versions)}
    disputed = disputed_gold(session, [row[0] for row in rows if row[5]])
    return [
        ArticleRow(
            id=article_id, title=title, outlet=outlet, done=done, open=open_, holders=holders[article_id],
            state=_state(done, open_, gold, article_id in disagreeing, article_id in disputed),
        )
        for article_id, title, outlet, done, open_, gold in rows
    ]


def _state(done: int, open_: int, gold: bool, disagreement: bool, disputed: bool) -> ArticleState:
    if gold:
        return "gold_disputed" if disputed else "gold"
    if disagreement:
        return "disagreement"
    if open_:
        return "in_progress"
    return "done" if done else "unassigned"


def project_totals(session: Session, project: Project) -> ProjectTotals:
    done, gold = _done_count(), _has_gold()
    articles, gold_count, complete, started = session.execute(
        select(
            func.count(),
            func.count().filter(gold),
            func.count().filter(and_(~gold, done >= project.overlap)),
            func.count().filter(and_(~gold, Article.assigned_count > 0)),
        ).where(Article.project_id == project.id)
    ).one()
    unassigned = articles - gold_count - started
    awaiting = session.scalar(select(func.count(Review.id)).where(Review.project_id == project.id, Review.resolved_at.is_(None)))
    return ProjectTotals(
        articles=articles, gold=gold_count, complete=complete, in_progress=started - complete, unassigned=unassigned,
        awaiting_review=awaiting or 0,
    )


def annotator_progress(session: Session, project: Project) -> list[AnnotatorProgress]:
    rows = session.execute(
        select(
            User.name,
            func.count().filter(Assignment.status == "done"),
            func.count().filter(Assignment.status == "open"),
        )
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.project_id == project.id)
        .group_by(User.name)
        .order_by(User.name)
    )
    return [AnnotatorProgress(name=name, done=done, open=open_) for name, done, open_ in rows]


def assignable_users(session: Session, project: Project) -> list[User]:
    """The project's members, who label its articles (admins run the server, not the queue)."""
    return list(session.scalars(
        select(User).join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id, User.disabled_at.is_(None)).order_by(User.name)
    ))

