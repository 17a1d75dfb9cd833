"""Assemble the full agreement report from a project's saved labels (pure, no I/O)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import combinations

from annotator.agreement.coefficients import (
    Estimate,
    annotator_pairs,
    bootstrap_alpha,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    observed_agreement,
)
from annotator.agreement.matching import F1Tally, exact_matches, overlap_matches, pairwise_tallies, pooled
from annotator.agreement.models import (
    AgreementReport,
    AlphaInterval,
    AnnotatorSummary,
    ArticleDisagreement,
    ConfusionMatrix,
    DailyCount,
    DuplicateKey,
    F1Figure,
    FieldAgreement,
    Figure,
    KeyAgreement,
    PairF1,
    PairFigure,
    SpanAgreement,
)
from annotator.agreement.units import FIELDS, SPAN_LABELS, Aligned, FieldSpec, FieldUnits, LabelSet, align

BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20_261_122
MOST_DISAGREED = 100

DEFINITIONS = {
    "unit": "Article fields: one unit per article. Statements: aligned across annotators by key "
    "(article, actor id, target); each aligned key is one unit. Targets: one unit per (article, actor).",
    "missing": "An annotator without a value for a unit is missing there, not a category. Alpha uses every "
    "unit with two or more values; Cohen's kappa the units both annotators labeled; Fleiss' kappa only the "
    "units with exactly `overlap` values (the others are dropped, which can inflate it; see n).",
    "none": "An empty outlet or source outlet is the value 'none' (the annotator chose none).",
    "duplicates": "If an annotator has two statements with one key in an article, the first counts and the "
    "rest are listed under duplicate_keys.",
    "sets": "Set fields (actors, targets, preconditions) use Krippendorff's alpha with MASI distance "
    "(Passonneau 2006); observed agreement, Cohen and Fleiss compare whole sets as values.",
    "alpha_interval": f"95% percentile bootstrap over units, {BOOTSTRAP_SAMPLES} resamples, seed {BOOTSTRAP_SEED}.",
    "statement_keys": "Per article and pair of annotators, F1 of their key sets; micro-averaged: "
    "2·matches / (keys of one + keys of the other), summed over articles.",
    "spans": "Per label and pair: exact = same start and end; overlap = ranges intersect, matched one to one "
    "greedily by largest overlap. F1 = 2·matches / (n_a + n_b), summed over articles.",
    "disagreement": "Per article: the mean of (share of disagreeing value pairs over all fields) and "
    "(1 - statement-key F1 over its annotator pairs).",
}


@dataclass(frozen=True)
class WorkItem:
    """One finished assignment: who, which article, seconds spent, when it was first saved."""

    annotator: str
    article_id: int
    seconds: float | None
    finished_at: datetime


@dataclass(frozen=True)
class ProjectLabels:
    project_id: int
    overlap: int
    stances: list[str]
    titles: Mapping[int, str]
    label_sets: list[LabelSet]
    work: list[WorkItem]
    gold: list[LabelSet]


def build_report(labels: ProjectLabels, *, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> AgreementReport:
    aligned = align(labels.label_sets)
    annotators = sorted({s.annotator for s in labels.label_sets})
    gold_fields = align(labels.gold).fields if labels.gold else None
    return AgreementReport(
        project_id=labels.project_id,
        generated_at=datetime.now(UTC),
        annotators=annotators,
        articles_labeled=sum(1 for by in aligned.keys.values() if len(by) >= 2),
        definitions=DEFINITIONS,
        fields=[_field(spec, aligned.fields[spec.name], labels.overlap, samples, seed) for spec in FIELDS],
        statement_keys=_keys(aligned),
        spans=[_span(label, aligned) for label in SPAN_LABELS],
        stance_confusion=_confusion(aligned.fields["stance"], labels.stances),
        per_annotator=[_annotator(name, aligned, labels.work, gold_fields) for name in annotators],
        throughput=_throughput(labels.work),
        most_disagreed=_most_disagreed(aligned, labels.titles),
        duplicate_keys=[
            DuplicateKey(article_id=a, annotator=who, actor=actor, target=target)
            for a, who, (actor, target) in aligned.duplicate_keys
        ],
    )


def _figure(estimate: Estimate) -> Figure:
    return Figure(value=estimate.value, n_units=estimate.n_units, n_pairs=estimate.n_pairs, reason=estimate.reason)


def _field(spec: FieldSpec, units: FieldUnits, overlap: int, samples: int, seed: int) -> FieldAgreement:
    values = list(units.values())
    interval = bootstrap_alpha(values, spec.distance, samples, seed)
    return FieldAgreement(
        field=spec.name,
        unit=spec.unit,
        distance=spec.distance_name,
        alpha=_figure(krippendorff_alpha(values, spec.distance)),
        alpha_interval=AlphaInterval(**interval.__dict__),
        fleiss_kappa=_figure(fleiss_kappa(values, overlap)),
        observed=_figure(observed_agreement(values)),
        cohen_kappa=[
            PairFigure(annotators=pair, figure=_figure(cohen_kappa(values, *pair)))
            for pair in annotator_pairs(values)
        ],
    )


def _f1(tally: F1Tally) -> F1Figure:
    value = tally.f1()
    return F1Figure(
        value=value,
        matches=tally.matches,
        size_a=tally.size_a,
        size_b=tally.size_b,
        n_articles=tally.articles,
        reason=None if value is not None else "no pair of annotators marked anything on a shared article",
    )


def _pairs(tallies: Mapping[tuple[str, str], F1Tally]) -> list[PairF1]:
    return [PairF1(annotators=pair, figure=_f1(tally)) for pair, tally in sorted(tallies.items())]


def _keys(aligned: Aligned) -> KeyAgreement:
    tallies = pairwise_tallies(aligned.keys)
    return KeyAgreement(pooled=_f1(pooled(tallies)), pairs=_pairs(tallies))


def _span(label: str, aligned: Aligned) -> SpanAgreement:
    per_article = aligned.spans[label]
    exact = pairwise_tallies(per_article, exact_matches)
    overlap = pairwise_tallies(per_article, overlap_matches)
    counts: Counter[str] = Counter()
    for by_annotator in per_article.values():
        for who, spans in by_annotator.items():
            counts[who] += len(spans)
    return SpanAgreement(
        label=label,
        exact=_f1(pooled(exact)),
        overlap=_f1(pooled(overlap)),
        exact_pairs=_pairs(exact),
        overlap_pairs=_pairs(overlap),
        spans_per_annotator=dict(sorted(counts.items())),
    )


def _confusion(units: FieldUnits, stances: list[str]) -> list[ConfusionMatrix]:
    labels = stances + sorted({v for unit in units.values() for v in unit.values()} - set(stances))  # type: ignore[arg-type]
    index = {label: i for i, label in enumerate(labels)}
    size = len(labels)
    pooled_counts = [[0] * size for _ in range(size)]
    per_pair: dict[tuple[str, str], list[list[int]]] = {}
    for unit in units.values():
        for first, second in combinations(sorted(unit), 2):
            a, b = index[unit[first]], index[unit[second]]  # type: ignore[index]
            pooled_counts[a][b] += 1
            pooled_counts[b][a] += 1
            per_pair.setdefault((first, second), [[0] * size for _ in range(size)])[a][b] += 1
    return [ConfusionMatrix(annotators=None, labels=labels, counts=pooled_counts)] + [
        ConfusionMatrix(annotators=pair, labels=labels, counts=counts) for pair, counts in sorted(per_pair.items())
    ]


def _annotator(name: str, aligned: Aligned, work: list[WorkItem], gold: dict[str, FieldUnits] | None) -> AnnotatorSummary:
    mine = [item for item in work if item.annotator == name]
    seconds = [item.seconds for item in mine if item.seconds is not None]
    agree = pairs = units_seen = 0
    for units in aligned.fields.values():
        for unit in units.values():
            if name not in unit or len(unit) < 2:
                continue
            units_seen += 1
            others = [value for who, value in unit.items() if who != name]
            agree += sum(value == unit[name] for value in others)
            pairs += len(others)
    with_others = Figure(
        value=agree / pairs if pairs else None, n_units=units_seen, n_pairs=pairs,
        reason=None if pairs else "no unit shared with another annotator",
    )
    return AnnotatorSummary(
        name=name,
        items_done=len(mine),
        median_seconds=statistics.median(seconds) if seconds else None,
        agreement_with_others=with_others,
        agreement_with_gold=_with_gold(name, aligned, gold),
    )


def _with_gold(name: str, aligned: Aligned, gold: dict[str, FieldUnits] | None) -> Figure:
    if gold is None:
        return Figure(value=None, n_units=0, reason="no gold yet")
    agree = compared = 0
    for field_name, units in aligned.fields.items():
        for key, unit in units.items():
            gold_unit = gold[field_name].get(key)
            if name in unit and gold_unit:
                compared += 1
                agree += unit[name] == next(iter(gold_unit.values()))
    if not compared:
        return Figure(value=None, n_units=0, reason="no gold on the articles this annotator labeled")
    return Figure(value=agree / compared, n_units=compared, n_pairs=compared)


def _throughput(work: list[WorkItem]) -> list[DailyCount]:
    per_day: Counter[tuple[str, date]] = Counter((item.annotator, item.finished_at.date()) for item in work)
    return [DailyCount(annotator=who, day=day, items=count) for (who, day), count in sorted(per_day.items())]


def _most_disagreed(aligned: Aligned, titles: Mapping[int, str]) -> list[ArticleDisagreement]:
    agree: Counter[int] = Counter()
    total: Counter[int] = Counter()
    fields_out: dict[int, set[str]] = defaultdict(set)
    for field_name, units in aligned.fields.items():
        for key, unit in units.items():
            article = key[0]
            for first, second in combinations(unit.values(), 2):
                total[article] += 1
                if first == second:
                    agree[article] += 1
                else:
                    fields_out[article].add(field_name)
    ranked = []
    for article, by_annotator in aligned.keys.items():
        if len(by_annotator) < 2:
            continue
        key_f1 = pooled(pairwise_tallies({article: by_annotator})).f1()
        if key_f1 is not None and key_f1 < 1:
            fields_out[article].add("statement_keys")
        parts = [1 - agree[article] / total[article]] if total[article] else []
        parts += [1 - key_f1] if key_f1 is not None else []
        score = sum(parts) / len(parts) if parts else 0.0
        ranked.append(
            ArticleDisagreement(
                article_id=article,
                title=titles.get(article, ""),
                score=round(score, 6),
                annotators=sorted(by_annotator),
                fields=sorted(fields_out[article]),
            )
        )
    ranked.sort(key=lambda item: (-item.score, item.article_id))
    return ranked[:MOST_DISAGREED]
