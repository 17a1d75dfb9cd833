"""Assemble the full agreement report from a project's saved labels (pure, no I/O)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import combinations

from annotator.agreement.coefficients import (
    Estimate,
    Row,
    ValueTable,
    agreeing_pairs,
    bootstrap_alpha,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    observed_agreement,
)
from annotator.agreement.matching import F1Tally, Pair, PairTallies, pooled
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
from annotator.agreement.units import FIELDS, SPAN_LABELS, ArticleUnits, FieldSpec, LabelSet, article_units

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
    "actors": "One unit per (article, actor) that any annotator gave a position; each annotator of the "
    "article is 'present' or 'absent' for it.",
    "sets": "Set fields (targets, preconditions) use Krippendorff's alpha with MASI distance "
    "(Passonneau 2006); observed agreement, Cohen and Fleiss compare whole sets as values.",
    "alpha_interval": f"95% percentile bootstrap over units, {BOOTSTRAP_SAMPLES} resamples, seed {BOOTSTRAP_SEED}.",
    "statement_keys": "Per article and pair of annotators, F1 of their key sets; micro-averaged: "
    "2·matches / (keys of one + keys of the other), summed over articles.",
    "spans": "Per label and pair: exact = same start and end; overlap = ranges intersect, matched one to one "
    "(identical ranges first, then greedily by largest overlap). F1 = 2·matches / (n_a + n_b), summed over "
    "articles on which either annotator marked a span of that label.",
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
    label_sets: list[LabelSet]
    work: list[WorkItem]
    gold: list[LabelSet]


# One article's labels: its id, each annotator's label set, and its gold if it has any.
ArticleLabels = tuple[int, list[LabelSet], LabelSet | None]


def build_report(labels: ProjectLabels, *, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> AgreementReport:
    """The report of labels held in memory."""
    gold = {g.article_id: g for g in labels.gold}
    by_article: dict[int, list[LabelSet]] = defaultdict(list)
    for label_set in labels.label_sets:
        by_article[label_set.article_id].append(label_set)
    articles = ((article_id, by_article[article_id], gold.get(article_id)) for article_id in sorted(by_article))
    return report_of(labels.project_id, labels.overlap, labels.stances, articles, labels.work, samples=samples, seed=seed)


def report_of(
    project_id: int, overlap: int, stances: list[str], articles: Iterable[ArticleLabels], work: list[WorkItem],
    *, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED,
) -> AgreementReport:
    """The report of articles as they come, in article order: each is tallied, then let go."""
    tallies = _Tallies()
    annotators: set[str] = set()
    has_gold = False
    for article_id, label_sets, gold in articles:
        annotators.update(s.annotator for s in label_sets)
        has_gold = has_gold or gold is not None
        tallies.add(article_units(article_id, label_sets), article_units(article_id, [gold]) if gold else None)
    names = sorted(annotators)
    ranked = sorted(tallies.articles, key=lambda a: (-a.score, a.article_id))[:MOST_DISAGREED]
    return AgreementReport(
        project_id=project_id,
        generated_at=datetime.now(UTC),
        annotators=names,
        articles_labeled=len(tallies.articles),
        definitions=DEFINITIONS,
        fields=[_field(spec, tallies.tables[spec.name], overlap, samples, seed) for spec in FIELDS],
        statement_keys=_keys(tallies.pairs),
        spans=[_span(label, tallies.pairs, tallies.span_counts[label]) for label in SPAN_LABELS],
        stance_confusion=_confusion(tallies.tables["stance"], stances),
        per_annotator=[_annotator(name, tallies, work, has_gold) for name in names],
        throughput=_throughput(work),
        most_disagreed=[
            ArticleDisagreement(article_id=a.article_id, title="", score=a.score, annotators=a.annotators, fields=a.fields)
            for a in ranked
        ],
        duplicate_keys=tallies.duplicates,
    )


@dataclass
class _Tallies:
    """Everything the report needs, summed article by article in one pass."""

    tables: dict[str, ValueTable] = field(default_factory=lambda: {spec.name: ValueTable() for spec in FIELDS})
    pairs: dict[Pair, PairTallies] = field(default_factory=dict)
    span_counts: dict[str, Counter[str]] = field(default_factory=lambda: {label: Counter() for label in SPAN_LABELS})
    gold_agree: Counter[str] = field(default_factory=Counter)
    gold_compared: Counter[str] = field(default_factory=Counter)
    articles: list[_Disagreement] = field(default_factory=list)
    duplicates: list[DuplicateKey] = field(default_factory=list)
    _row_pairs: dict[Row, tuple[int, int]] = field(default_factory=dict)

    def add(self, units: ArticleUnits, gold: ArticleUnits | None) -> None:
        agree = total = 0
        differing: set[str] = set()
        row_pairs = self._row_pairs
        for spec in FIELDS:
            table, gold_units = self.tables[spec.name], gold.fields[spec.name] if gold else {}
            for key, unit in units.fields[spec.name].items():
                row = table.add(unit)
                pairs = row_pairs.get(row)
                if pairs is None:
                    pairs = row_pairs[row] = agreeing_pairs(value for _, value in row)
                agree += pairs[0]
                total += pairs[1]
                if pairs[0] < pairs[1]:
                    differing.add(spec.name)
                if gold_units and key in gold_units:
                    self._compare_with_gold(unit, gold_units[key]["gold"])
        key_tally = F1Tally()
        keys, spans = units.keys, units.spans
        for first, second in combinations(sorted(keys), 2):
            pair = self.pairs.get((first, second)) or self.pairs.setdefault((first, second), PairTallies())
            shared = pair.add(
                (keys[first], keys[second]), {label: (spans[label][first], spans[label][second]) for label in SPAN_LABELS}
            )
            key_tally.add(shared, len(keys[first]), len(keys[second]))
        for label in SPAN_LABELS:
            for who, ranges in spans[label].items():
                self.span_counts[label][who] += len(ranges)
        self.duplicates.extend(
            DuplicateKey(article_id=units.article_id, annotator=who, actor=actor, target=target)
            for who, (actor, target) in units.duplicate_keys
        )
        if len(units.keys) >= 2:
            self.articles.append(_disagreement(units, agree, total, key_tally, differing))

    def _compare_with_gold(self, unit: Mapping[str, object], gold_value: object) -> None:
        for who, value in unit.items():
            self.gold_compared[who] += 1
            self.gold_agree[who] += value == gold_value


@dataclass(frozen=True)
class _Disagreement:
    """An article's disagreement, kept light: only the top ranks become report objects."""

    article_id: int
    score: float
    annotators: list[str]
    fields: list[str]


def _disagreement(units: ArticleUnits, agree: int, total: int, keys: F1Tally, differing: set[str]) -> _Disagreement:
    key_f1 = keys.f1()
    if key_f1 is not None and key_f1 < 1:
        differing.add("statement_keys")
    parts = ([1 - agree / total] if total else []) + ([1 - key_f1] if key_f1 is not None else [])
    score = round(sum(parts) / len(parts), 6) if parts else 0.0
    return _Disagreement(units.article_id, score, sorted(units.keys), sorted(differing))


def _figure(estimate: Estimate) -> Figure:
    return Figure(value=estimate.value, n_units=estimate.n_units, n_pairs=estimate.n_pairs, reason=estimate.reason)


def _field(spec: FieldSpec, table: ValueTable, overlap: int, samples: int, seed: int) -> FieldAgreement:
    interval = bootstrap_alpha(table, spec.distance, samples, seed)
    return FieldAgreement(
        field=spec.name,
        unit=spec.unit,
        distance=spec.distance_name,
        alpha=_figure(krippendorff_alpha(table, spec.distance)),
        alpha_interval=AlphaInterval(**interval.__dict__),
        fleiss_kappa=_figure(fleiss_kappa(table, overlap)),
        observed=_figure(observed_agreement(table)),
        cohen_kappa=[
            PairFigure(annotators=pair, figure=_figure(cohen_kappa(table, *pair))) for pair in table.contingency
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


def _pairs(tallies: Mapping[Pair, F1Tally]) -> list[PairF1]:
    return [PairF1(annotators=pair, figure=_f1(tally)) for pair, tally in sorted(tallies.items())]


def _keys(pairs: Mapping[Pair, PairTallies]) -> KeyAgreement:
    tallies = {pair: counts.keys for pair, counts in pairs.items()}
    return KeyAgreement(pooled=_f1(pooled(tallies)), pairs=_pairs(tallies))


def _span(label: str, pairs: Mapping[Pair, PairTallies], counts: Counter[str]) -> SpanAgreement:
    exact = {pair: t.exact[label] for pair, t in pairs.items() if label in t.exact}
    overlap = {pair: t.overlap[label] for pair, t in pairs.items() if label in t.overlap}
    return SpanAgreement(
        label=label,
        exact=_f1(pooled(exact)),
        overlap=_f1(pooled(overlap)),
        exact_pairs=_pairs(exact),
        overlap_pairs=_pairs(overlap),
        spans_per_annotator=dict(sorted(counts.items())),
    )


def _confusion(table: ValueTable, stances: list[str]) -> list[ConfusionMatrix]:
    seen = {value for pairs in table.contingency.values() for pair in pairs for value in pair}
    labels = stances + sorted(str(v) for v in seen - set(stances))
    index = {label: i for i, label in enumerate(labels)}
    size = len(labels)
    pooled_counts = [[0] * size for _ in range(size)]
    matrices = []
    for pair, pairs in table.contingency.items():
        counts = [[0] * size for _ in range(size)]
        for (a, b), n in pairs.items():
            counts[index[str(a)]][index[str(b)]] += n
            pooled_counts[index[str(a)]][index[str(b)]] += n
            pooled_counts[index[str(b)]][index[str(a)]] += n
        matrices.append(ConfusionMatrix(annotators=pair, labels=labels, counts=counts))
    return [ConfusionMatrix(annotators=None, labels=labels, counts=pooled_counts), *matrices]


def _annotator(name: str, tallies: _Tallies, work: list[WorkItem], has_gold: bool) -> AnnotatorSummary:
    mine = [item for item in work if item.annotator == name]
    seconds = [item.seconds for item in mine if item.seconds is not None]
    agree = pairs = units = 0
    for table in tallies.tables.values():
        for pair, counts in table.contingency.items():
            if name in pair:
                agree += sum(n for (a, b), n in counts.items() if a == b)
                pairs += sum(counts.values())
        units += sum(n for row, n in table.rows.items() if len(row) >= 2 and any(who == name for who, _ in row))
    with_others = Figure(
        value=agree / pairs if pairs else None, n_units=units, n_pairs=pairs,
        reason=None if pairs else "no unit shared with another annotator",
    )
    compared = tallies.gold_compared[name]
    with_gold = Figure(
        value=tallies.gold_agree[name] / compared if compared else None, n_units=compared, n_pairs=compared,
        reason=None if compared else ("no gold on the articles this annotator labeled" if has_gold else "no gold yet"),
    )
    return AnnotatorSummary(
        name=name,
        items_done=len(mine),
        median_seconds=statistics.median(seconds) if seconds else None,
        agreement_with_others=with_others,
        agreement_with_gold=with_gold,
    )


def _throughput(work: list[WorkItem]) -> list[DailyCount]:
    per_day: Counter[tuple[str, date]] = Counter((item.annotator, item.finished_at.date()) for item in work)
    return [DailyCount(annotator=who, day=day, items=count) for (who, day), count in sorted(per_day.items())]


def article_agreement(article_id: int, label_sets: list[LabelSet]) -> float | None:
    """Share of agreeing annotator pairs over all of one article's units (None below two annotators)."""
    units = article_units(article_id, label_sets)
    agree = total = 0
    for field_units in units.fields.values():
        for unit in field_units.values():
            pair_agree, pairs = agreeing_pairs(unit.values())
            agree += pair_agree
            total += pairs
    return agree / total if total else None
