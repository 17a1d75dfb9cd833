"""Next article honours overlap: no article to more than N annotators, none twice to one."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from annotator.storage import Database
from annotator.storage.tables import Article, Assignment, Project, User
from tests.support import ApiClient, unfilled_recount


def save_empty(client: ApiClient, article: dict) -> None:  # type: ignore[type-arg]
    client.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []}).raise_for_status()


def take_all(client: ApiClient, project_id: int) -> list[int]:
    """Keep asking for the next article, skipping nothing, until none is left."""
    taken = []
    while (article := client.next_article(project_id)) is not None:
        taken.append(article["id"])
        save_empty(client, article)
    return taken


def test_three_annotators_with_overlap_two_cover_every_article_twice(api: ApiClient, team, project_id: int, db: Database) -> None:  # type: ignore[no-untyped-def]
    clients = [api.as_(team.ana), api.as_(team.ben), api.as_(team.cleo)]
    taken = {c.member.name: [] for c in clients}  # type: dict[str, list[int]]
    # Interleave requests, as three people working at once would.
    active = list(clients)
    while active:
        for client in list(active):
            article = client.next_article(project_id)
            if article is None:
                active.remove(client)
                continue
            taken[client.member.name].append(article["id"])
            save_empty(client, article)
    per_article = Counter(article_id for ids in taken.values() for article_id in ids)
    with db.session() as session:
        all_ids = set(session.scalars(select(Article.id)))
    assert set(per_article) == all_ids
    assert set(per_article.values()) == {2}
    assert all(len(ids) == len(set(ids)) for ids in taken.values())
    assert sum(len(ids) for ids in taken.values()) == 2 * len(all_ids)


def test_an_unfinished_article_comes_back_first(api: ApiClient, project_id: int) -> None:
    first = api.next_article(project_id)
    assert api.next_article(project_id) == first


def test_nothing_is_left_when_every_slot_is_taken(api: ApiClient, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    take_all(api.as_(team.ana), project_id)
    take_all(api.as_(team.ben), project_id)
    cleo = api.as_(team.cleo)
    response = cleo.post(f"/projects/{project_id}/next")
    assert response.json() == {"article": None, "progress": {"done": 0, "total": 0}}


def test_a_skipped_article_goes_to_someone_else_not_back_to_the_skipper(api: ApiClient, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    ana, ben, cleo = api.as_(team.ana), api.as_(team.ben), api.as_(team.cleo)
    skipped = ana.next_article(project_id)
    assert ana.post(f"/articles/{skipped['id']}/skip").status_code == 204
    anas = ana.next_article(project_id)
    assert anas["id"] != skipped["id"]
    assert ben.next_article(project_id)["id"] == anas["id"]
    save_empty(ben, anas)
    assert ben.next_article(project_id)["id"] == skipped["id"]
    assert cleo.next_article(project_id)["id"] == skipped["id"]  # ana's slot was freed


def test_articles_someone_started_are_handed_out_before_untouched_ones(api: ApiClient, team, project_id: int) -> None:  # type: ignore[no-untyped-def]
    ana, ben = api.as_(team.ana), api.as_(team.ben)
    first = ana.next_article(project_id)
    save_empty(ana, first)
    second = ana.next_article(project_id)
    assert ben.next_article(project_id)["id"] == first["id"]
    save_empty(ben, first)
    assert ben.next_article(project_id)["id"] == second["id"]


def test_an_article_with_saved_labels_cannot_be_skipped(api: ApiClient, project_id: int) -> None:
    article = api.next_article(project_id)
    api.put(f"/articles/{article['id']}/annotation", json={"base_revision": None, "statements": []})
    response = api.post(f"/articles/{article['id']}/skip")
    assert response.status_code == 409


def test_progress_counts_done_of_what_this_annotator_can_still_get(api: ApiClient, project_id: int) -> None:
    take = api.next_article(project_id)
    api.put(f"/articles/{take['id']}/annotation", json={"base_revision": None, "statements": []})
    assert api.get(f"/projects/{project_id}/progress").json() == {"done": 1, "total": 8}


def test_the_unfilled_article_count_follows_claims_skips_and_saves(api: ApiClient, team, project_id: int, db: Database) -> None:  # type: ignore[no-untyped-def]
    ana, ben, cleo = api.as_(team.ana), api.as_(team.ben), api.as_(team.cleo)
    kept_at_start, recount_at_start = unfilled_recount(db, project_id)
    assert kept_at_start == recount_at_start > 0
    for client in (ana, ben, cleo):
        save_empty(client, client.next_article(project_id))
    skipped = ana.next_article(project_id)
    ana.post(f"/articles/{skipped['id']}/skip").raise_for_status()
    save_empty(ben, ben.next_article(project_id))
    kept, recount = unfilled_recount(db, project_id)
    assert kept == recount < recount_at_start


def progress_recount(db: Database, project_id: int, user_name: str) -> dict[str, int]:
    """Progress counted row by row: done, plus open, plus unfilled articles this user holds no assignment of."""
    with db.session() as session:
        project = session.get(Project, project_id)
        assert project is not None
        user = session.scalar(select(User).where(User.name == user_name))
        mine = dict(session.execute(select(Assignment.article_id, Assignment.status).where(Assignment.user_id == user.id)).all())
        unfilled = set(session.scalars(select(Article.id).where(Article.project_id == project_id,
                                                                Article.assigned_count < project.overlap)))
    done = sum(1 for status in mine.values() if status == "done")
    still_open = sum(1 for status in mine.values() if status == "open")
    return {"done": done, "total": done + still_open + len(unfilled - set(mine))}


def test_progress_equals_a_recount_after_claims_skips_and_saves(api: ApiClient, team, project_id: int, db: Database) -> None:  # type: ignore[no-untyped-def]
    ana, ben, cleo = api.as_(team.ana), api.as_(team.ben), api.as_(team.cleo)
    skipped_by_ana = ana.next_article(project_id)
    ana.post(f"/articles/{skipped_by_ana['id']}/skip").raise_for_status()  # back to no annotators at all
    save_empty(ana, ana.next_article(project_id))
    save_empty(ben, ben.next_article(project_id))  # ben joins ana's article: now full
    ben.next_article(project_id)  # left open
    taken_then_skipped = cleo.next_article(project_id)
    cleo.post(f"/articles/{taken_then_skipped['id']}/skip").raise_for_status()  # partly filled, skipped by cleo
    untouched_then_skipped = cleo.next_article(project_id)
    cleo.post(f"/articles/{untouched_then_skipped['id']}/skip").raise_for_status()  # back to no annotators
    for client in (ana, ben, cleo):
        assert client.get(f"/projects/{project_id}/progress").json() == progress_recount(db, project_id, client.member.name)
