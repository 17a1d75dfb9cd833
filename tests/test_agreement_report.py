"""Alignment of statements, span and key F1, and the assembled report on small known cases."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from annotator.agreement.matching import span_matches
from annotator.agreement.report import ProjectLabels, WorkItem, build_report
from annotator.agreement.units import LabelSet, article_units


def statement(actor: str, target: str, stance: str, categories: tuple[str, ...] = (), outlet: str | None = None,
              evidence: tuple[int, int] = (0, 10), actor_span: tuple[int, int] | None = None) -> dict[str, Any]:
    span = lambda r: {"start": r[0], "end": r[1], "text": "x" * (r[1] - r[0])}  # noqa: E731
    return {
        "actor": {"id": actor, "span": span(actor_span) if actor_span else None},
        "stance": stance,
        "target": target,
        "preconditions": [{"category": c, "span": span((20, 30))} for c in categories],
        "source_outlet": {"id": outlet, "span": None} if outlet else None,
        "evidence": span(evidence),
    }


def labels(article: int, who: str, *statements: dict[str, Any], relevant: bool = True, outlet: str | None = None) -> LabelSet:
    return LabelSet(article, who, {"statements": list(statements), "article": {"relevant": relevant, "outlet": outlet, "note": ""}})


def project(*label_sets: LabelSet, gold: tuple[LabelSet, ...] = ()) -> ProjectLabels:
    work = [WorkItem(s.annotator, s.article_id, 60.0 * (i + 1), date(2026, 11, 1 + i % 3)) for i, s in enumerate(label_sets)]
    return ProjectLabels(
        project_id=1, overlap=2, stances=["open", "conditional", "refuses", "noncommittal"],
        label_sets=list(label_sets), work=work, gold=list(gold),
    )


def field(report, name: str):  # type: ignore[no-untyped-def]
    return next(f for f in report.fields if f.field == name)


def test_statements_align_by_actor_and_target() -> None:
    aligned = article_units(1, [
        labels(1, "ana", statement("putin", "leaders_meeting", "refuses"), statement("psaki", "us_russia_talks", "conditional", ("troop_withdrawal",))),
        labels(1, "ben", statement("putin", "leaders_meeting", "noncommittal")),
    ])
    assert aligned.fields["stance"][(1, "putin", "leaders_meeting")] == {"ana": "refuses", "ben": "noncommittal"}
    assert aligned.fields["stance"][(1, "psaki", "us_russia_talks")] == {"ana": "conditional"}
    assert aligned.fields["preconditions"][(1, "psaki", "us_russia_talks")] == {"ana": ("troop_withdrawal",)}
    assert aligned.fields["actors"][(1, "putin")] == {"ana": "present", "ben": "present"}
    assert aligned.fields["actors"][(1, "psaki")] == {"ana": "present", "ben": "absent"}
    assert aligned.fields["source_outlet"][(1, "putin", "leaders_meeting")] == {"ana": "none", "ben": "none"}


def test_a_repeated_key_counts_once_and_is_reported() -> None:
    aligned = article_units(1, [labels(1, "ana", statement("putin", "ceasefire", "open"), statement("putin", "ceasefire", "refuses"))])
    assert aligned.fields["stance"][(1, "putin", "ceasefire")] == {"ana": "open"}
    assert aligned.duplicate_keys == [("ana", ("putin", "ceasefire"))]


def test_overlap_matching_is_one_to_one() -> None:
    long_span = {(0, 100)}
    short_spans = {(0, 10), (20, 30), (40, 95)}
    assert span_matches(long_span, short_spans) == (0, 1)
    assert span_matches({(0, 10), (12, 20)}, {(5, 15)}) == (0, 1)
    assert span_matches({(0, 10), (12, 20)}, {(0, 10), (11, 14)}) == (1, 2)


def test_report_figures_on_a_known_case() -> None:
    report = build_report(project(
        labels(1, "ana", statement("putin", "leaders_meeting", "refuses", evidence=(0, 10))),
        labels(1, "ben", statement("putin", "leaders_meeting", "refuses", evidence=(0, 10))),
        labels(2, "ana", statement("peskov", "leaders_meeting", "conditional", ("substantive_agenda",), evidence=(5, 20))),
        labels(2, "ben", statement("peskov", "leaders_meeting", "open", evidence=(8, 20)), statement("lavrov", "ceasefire", "open")),
    ), samples=200)
    stance = field(report, "stance")
    assert (stance.observed.value, stance.observed.n_units, stance.observed.n_pairs) == (0.5, 2, 2)
    assert report.statement_keys.pooled.value == 2 * 2 / (2 + 3)
    evidence = next(s for s in report.spans if s.label == "evidence")
    assert evidence.exact.value == 2 * 1 / (2 + 3)
    assert evidence.overlap.value == 2 * 2 / (2 + 3)
    assert evidence.spans_per_annotator == {"ana": 2, "ben": 3}
    assert [a.article_id for a in report.most_disagreed] == [2, 1]
    assert report.most_disagreed[0].fields == ["actors", "preconditions", "stance", "statement_keys"]
    assert report.most_disagreed[1].score == 0
    assert report.definitions["alpha_interval"].endswith("seed 20261122.")


def test_undefined_figures_come_back_null_with_a_reason() -> None:
    report = build_report(project(labels(1, "ana", statement("putin", "ceasefire", "open"))), samples=50)
    stance = field(report, "stance")
    assert stance.alpha.value is None and stance.alpha.reason == "no unit has two or more values"
    assert stance.alpha_interval.low is None
    assert report.statement_keys.pooled.value is None
    assert report.per_annotator[0].agreement_with_others.reason == "no unit shared with another annotator"


def test_stance_confusion_counts_pairs_pooled_and_per_pair() -> None:
    report = build_report(project(
        labels(1, "ana", statement("putin", "ceasefire", "open")),
        labels(1, "ben", statement("putin", "ceasefire", "refuses")),
    ), samples=50)
    pooled, pair = report.stance_confusion
    assert pooled.annotators is None and pair.annotators == ("ana", "ben")
    open_, refuses = pooled.labels.index("open"), pooled.labels.index("refuses")
    assert pooled.counts[open_][refuses] == pooled.counts[refuses][open_] == 1
    assert pair.counts[open_][refuses] == 1 and pair.counts[refuses][open_] == 0


def test_per_annotator_summary_includes_agreement_with_gold() -> None:
    gold = labels(1, "gold", statement("putin", "ceasefire", "open"))
    report = build_report(project(
        labels(1, "ana", statement("putin", "ceasefire", "open")),
        labels(1, "ben", statement("putin", "ceasefire", "refuses")),
        gold=(gold,),
    ), samples=50)
    ana, ben = report.per_annotator
    assert (ana.items_done, ana.median_seconds) == (1, 60.0)
    assert ana.agreement_with_gold.value == 1.0
    assert ben.agreement_with_gold.value < 1.0  # type: ignore[operator]
    assert ana.agreement_with_others.value == ben.agreement_with_others.value


def test_throughput_counts_items_per_annotator_and_day() -> None:
    report = build_report(project(labels(1, "ana"), labels(2, "ana"), labels(3, "ana")), samples=10)
    assert [(d.annotator, d.day.day, d.items) for d in report.throughput] == [("ana", 1, 1), ("ana", 2, 1), ("ana", 3, 1)]


def test_the_streamed_report_equals_the_report_of_every_label_at_once(db, schema, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from annotator.agreement import service
    from annotator.storage.tables import Project
    from bench.workload import Workload, build

    project_id = build(db, schema, Workload(articles=60, annotators=3, statements=3))
    monkeypatch.setattr(service, "ARTICLE_IDS_PER_BATCH", 7)  # batches that split the project unevenly
    with db.session() as session:
        project = session.get(Project, project_id)
        streamed = service.project_report(session, project)
        at_once = build_report(service.project_labels(session, project))
    for report in (streamed, at_once):
        for item in report.most_disagreed:
            item.title = ""
    assert streamed.model_dump(exclude={"generated_at", "schema_version"}) == at_once.model_dump(exclude={"generated_at", "schema_version"})
    assert streamed.articles_labeled == 60


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_a_report_spread_over_processes_equals_the_report_of_one_pass(db, schema, monkeypatch, start_method) -> None:  # type: ignore[no-untyped-def]
    import multiprocessing

    from annotator.agreement import service
    from annotator.storage.tables import Project
    from bench.workload import Workload, build

    project_id = build(db, schema, Workload(articles=60, annotators=3, statements=3))
    with db.session() as session:
        project = session.get_one(Project, project_id)
        one_pass = service.project_report(session, project)
        monkeypatch.setattr(service, "_process_context", lambda: multiprocessing.get_context(start_method))
        monkeypatch.setattr(service, "usable_cores", lambda: 3)
        monkeypatch.setattr(service, "ARTICLES_PER_PROCESS", 10)  # 60 articles: three processes, 12 ranges
        monkeypatch.setattr(service, "RANGES_PER_PROCESS", 4)
        spread = service.project_report(session, project)
    assert spread.model_dump(exclude={"generated_at"}) == one_pass.model_dump(exclude={"generated_at"})


def test_ranges_of_articles_cover_every_labeled_article_once(db, schema) -> None:  # type: ignore[no-untyped-def]
    from annotator.agreement import service
    from annotator.storage.tables import Project
    from bench.workload import Workload, build

    project_id = build(db, schema, Workload(articles=25, annotators=2, statements=1))
    with db.session() as session:
        project = session.get_one(Project, project_id)
        ranges = service.article_ranges(session, project, parts=4)
        per_range = [[article_id for article_id, _, _ in service.streamed_articles(session, project, r)] for r in ranges]
        every = [article_id for article_id, _, _ in service.streamed_articles(session, project)]
    assert [len(ids) for ids in per_range] == [6, 6, 6, 7]  # 25 consecutive ids in spans of 6.25
    assert [article_id for ids in per_range for article_id in ids] == every


def test_only_the_most_disagreed_articles_are_kept_while_tallying(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from annotator.agreement import report as report_module

    label_sets = []
    for article in range(1, 21):
        label_sets += [labels(article, "ana", statement("putin", "ceasefire", "open")),
                       labels(article, "ben", statement("putin", "ceasefire", "open" if article % 3 else "refuses"))]
    everything = build_report(project(*label_sets), samples=10)
    monkeypatch.setattr(report_module, "MOST_DISAGREED", 4)
    kept = build_report(project(*label_sets), samples=10)
    assert [a.article_id for a in kept.most_disagreed] == [a.article_id for a in everything.most_disagreed][:4]
    assert [a.article_id for a in kept.most_disagreed] == [3, 6, 9, 12]  # the ties rank by article id


def test_the_median_of_counted_seconds_is_the_median_of_the_seconds() -> None:
    import random
    import statistics
    from collections import Counter

    from annotator.agreement.report import WorkTally

    rng = random.Random(5)
    for size in (1, 2, 3, 10, 11):
        seconds = [rng.choice((10.0, 20.0, 30.0, 45.5, 60.0)) for _ in range(size)]
        tally = WorkTally()
        tally.seconds["ana"] = Counter(seconds)
        assert tally.median_seconds("ana") == statistics.median(seconds)
    assert WorkTally().median_seconds("ana") is None
