"""Assemble the full agreement report from a project's saved labels (pure, no I/O)."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import combinations
from operator import attrgetter
from typing import NamedTuple

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
from annotator.agreement.units import FIELDS, ArticleUnits, FieldSpec, LabelSet, Units, article_units
from annotator.annotate.models import SPAN_LABELS

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


class WorkItem(NamedTuple):
    """One finished assignment: who, which article, seconds spent, the day it was first saved (UTC)."""

    annotator: str
    article_id: int
    seconds: float | None
    day: date


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
    project_id: int, overlap: int, stances: list[str], articles: Iterable[ArticleLabels], work: Iterable[WorkItem],
    *, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED,
) -> AgreementReport:
    """The report of articles as they come, in article order: each is tallied, then let go."""
    tallies = Tallies()
    tallies.count(articles, work)
    return report_from(project_id, overlap, stances, tallies, samples=samples, seed=seed)


def report_from(
    project_id: int, overlap: int, stances: list[str], tallies: Tallies,
    *, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED,
) -> AgreementReport:
    names = sorted(tallies.annotators)
    tables = tallies.tables()
    ranked = sorted((entry[-1] for entry in tallies.most_disagreed), key=lambda a: (-a.score, a.article_id))
    return AgreementReport(
        project_id=project_id,
        generated_at=datetime.now(UTC),
        annotators=names,
        articles_labeled=tallies.articles_labeled,
        definitions=DEFINITIONS,
        fields=[_field(spec, tables[spec.name], overlap, samples, seed) for spec in FIELDS],
        statement_keys=_keys(tallies.pairs),
        spans=[_span(label, tallies.pairs, tallies.span_counts[label]) for label in SPAN_LABELS],
        stance_confusion=_confusion(tables["stance"], stances),
        per_annotator=[_annotator(name, tallies, tables) for name in names],
        throughput=_throughput(tallies.work),
        most_disagreed=[
            ArticleDisagreement(article_id=a.article_id, title="", score=a.score, annotators=a.annotators, fields=a.fields)
            for a in ranked
        ],
        duplicate_keys=sorted(tallies.duplicates, key=lambda d: d.article_id),  # stable: an article's in its order
    )


@dataclass
class WorkTally:
    """Finished items per annotator and per annotator and day, and the seconds they took, as counts.

    Seconds are counted to the tenth: the median is exact to a tenth of a second, and the
    counts stay few however many items there are.
    """

    items: Counter[str] = field(default_factory=Counter)
    per_day: Counter[tuple[str, date]] = field(default_factory=Counter)
    seconds: dict[str, Counter[float]] = field(default_factory=dict)

    def add(self, work: Iterable[WorkItem]) -> None:
        items = list(work)
        self.items.update(map(_annotator_of, items))  # Counter.update counts an iterable in C
        self.per_day.update(map(_annotator_and_day, items))
        timed = Counter([(item.annotator, round(item.seconds, 1)) for item in items if item.seconds is not None])
        for (who, seconds), count in timed.items():
            self.seconds.setdefault(who, Counter())[seconds] += count

    def merge(self, other: WorkTally) -> None:
        self.items.update(other.items)
        self.per_day.update(other.per_day)
        for who, counts in other.seconds.items():
            self.seconds.setdefault(who, Counter()).update(counts)

    def median_seconds(self, annotator: str) -> float | None:
        return _median(self.seconds.get(annotator, Counter()))


_annotator_of = attrgetter("annotator")
_annotator_and_day = attrgetter("annotator", "day")


def _median(counts: Counter[float]) -> float | None:
    """The median of values given as counts, as statistics.median gives it for the values listed out."""
    n = counts.total()
    lower: float | None = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]  # the sorted values up to here fill indexes 0 .. seen - 1
        if lower is None and seen > (n - 1) // 2:
            lower = value
        if seen > n // 2:
            return (lower + value) / 2  # type: ignore[operator]
    return None


@dataclass
class Tallies:
    """Everything the report needs, summed article by article in one pass; tallies of
    consecutive ranges of articles merge into the tallies of them all. Their size does
    not grow with the number of articles (only the most disagreed are kept), but for
    the list of repeated statement keys."""

    annotators: set[str] = field(default_factory=set)
    has_gold: bool = False
    articles_labeled: int = 0
    # Per field, each distinct row: [units holding it, its agreeing pairs, its pairs]. One lookup per unit.
    rows: dict[str, dict[Row, list[int]]] = field(default_factory=lambda: {spec.name: {} for spec in FIELDS})
    pairs: dict[Pair, PairTallies] = field(default_factory=dict)
    span_counts: dict[str, Counter[str]] = field(default_factory=lambda: {label: Counter() for label in SPAN_LABELS})
    gold_agree: Counter[str] = field(default_factory=Counter)
    gold_compared: Counter[str] = field(default_factory=Counter)
    most_disagreed: list[tuple[float, int, _Disagreement]] = field(default_factory=list)  # a heap: the least first
    duplicates: list[DuplicateKey] = field(default_factory=list)
    work: WorkTally = field(default_factory=WorkTally)

    def tables(self) -> dict[str, ValueTable]:
        """The tables, rows sorted: the report's float sums then run in one order, whatever the
        order in which articles were tallied and ranges merged."""
        tables = {}
        for name, rows in self.rows.items():
            tables[name] = table = ValueTable()
            table.rows.update({row: rows[row][0] for row in sorted(rows)})
        return tables

    def count(self, articles: Iterable[ArticleLabels], work: Iterable[WorkItem]) -> None:
        """Add articles, each let go once tallied, and the work done on them."""
        for article_id, label_sets, gold in articles:
            self.add(article_units(article_id, label_sets), article_units(article_id, [gold]) if gold else None)
        self.work.add(work)

    def add(self, units: ArticleUnits, gold: ArticleUnits | None) -> None:
        self.articles_labeled += 1
        self.annotators.update(units.keys)
        self.has_gold = self.has_gold or gold is not None
        agree = total = 0
        differing: set[str] = set()
        for spec in FIELDS:
            rows = self.rows[spec.name]
            counts_of = rows.get
            field_agree = field_total = 0
            for unit in units.fields[spec.name].values():
                row = tuple(unit.items())  # a unit's values come in annotator order: it is its table row
                counts = counts_of(row)
                if counts is None:
                    counts = rows[row] = [0, *agreeing_pairs(value for _, value in row)]
                counts[0] += 1
                field_agree += counts[1]
                field_total += counts[2]
            if field_agree < field_total:
                differing.add(spec.name)
            agree += field_agree
            total += field_total
            if gold:
                self._compare_with_gold(units.fields[spec.name], gold.fields[spec.name])
        key_tally = F1Tally()
        keys, spans = units.keys, units.spans
        for first, second in combinations(keys, 2):  # keys come in annotator order
            pair = self.pairs.get((first, second)) or self.pairs.setdefault((first, second), PairTallies())
            shared = pair.add((keys[first], keys[second]), (spans[first], spans[second]))
            key_tally.add(shared, len(keys[first]), len(keys[second]))
        for who, by_label in spans.items():
            for label, ranges in by_label.items():
                self.span_counts[label][who] += len(ranges)
        if units.duplicate_keys:
            self.duplicates.extend(
                DuplicateKey(article_id=units.article_id, annotator=who, actor=actor, target=target)
                for who, (actor, target) in units.duplicate_keys
            )
        if len(units.keys) >= 2:
            self._rank(units, agree, total, key_tally, differing)

    def _rank(self, units: ArticleUnits, agree: int, total: int, keys: F1Tally, differing: set[str]) -> None:
        """Keep the article if it is among the most disagreed so far (ties: the lower id ranks higher)."""
        key_f1 = keys.f1()
        parts = ([1 - agree / total] if total else []) + ([1 - key_f1] if key_f1 is not None else [])
        score = round(sum(parts) / len(parts), 6) if parts else 0.0
        rank = (score, -units.article_id)
        if len(self.most_disagreed) >= MOST_DISAGREED and rank <= self.most_disagreed[0][:2]:
            return
        if key_f1 is not None and key_f1 < 1:
            differing.add("statement_keys")
        entry = (*rank, _Disagreement(units.article_id, score, sorted(units.keys), sorted(differing)))
        self._keep(entry)

    def _keep(self, entry: tuple[float, int, _Disagreement]) -> None:
        if len(self.most_disagreed) < MOST_DISAGREED:
            heapq.heappush(self.most_disagreed, entry)
        elif entry[:2] > self.most_disagreed[0][:2]:
            heapq.heapreplace(self.most_disagreed, entry)

    def merge(self, other: Tallies) -> None:
        """Add the tallies of other articles (in any order: the report comes out the same)."""
        self.annotators |= other.annotators
        self.has_gold = self.has_gold or other.has_gold
        self.articles_labeled += other.articles_labeled
        for name, rows in other.rows.items():
            mine = self.rows[name]
            for row, row_counts in rows.items():
                if row in mine:
                    mine[row][0] += row_counts[0]
                else:
                    mine[row] = list(row_counts)
        for pair, pair_tallies in other.pairs.items():
            self.pairs.setdefault(pair, PairTallies()).merge(pair_tallies)
        for label, span_counts in other.span_counts.items():
            self.span_counts[label].update(span_counts)
        self.gold_agree.update(other.gold_agree)
        self.gold_compared.update(other.gold_compared)
        for entry in other.most_disagreed:
            self._keep(entry)
        self.duplicates.extend(other.duplicates)
        self.work.merge(other.work)

    def _compare_with_gold(self, units: Units, gold: Units) -> None:
        for key, gold_unit in gold.items():
            for who, value in units.get(key, {}).items():
                self.gold_compared[who] += 1
                self.gold_agree[who] += value == gold_unit["gold"]


@dataclass(frozen=True)
class _Disagreement:
    """An article's disagreement, kept light: only the top ranks become report objects."""

    article_id: int
    score: float
    annotators: list[str]
    fields: list[str]


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


def _annotator(name: str, tallies: Tallies, tables: Mapping[str, ValueTable]) -> AnnotatorSummary:
    agree = pairs = units = 0
    for table in tables.values():
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
        reason=None if compared else ("no gold on the articles this annotator labeled" if tallies.has_gold else "no gold yet"),
    )
    return AnnotatorSummary(
        name=name,
        items_done=tallies.work.items[name],
        median_seconds=tallies.work.median_seconds(name),
        agreement_with_others=with_others,
        agreement_with_gold=with_gold,
    )


def _throughput(work: WorkTally) -> list[DailyCount]:
    return [DailyCount(annotator=who, day=day, items=count) for (who, day), count in sorted(work.per_day.items())]


def article_agreement(units: ArticleUnits) -> float | None:
    """Share of agreeing annotator pairs over all of one article's units (None below two annotators)."""
    agree = total = 0
    for field_units in units.fields.values():
        for unit in field_units.values():
            pair_agree, pairs = agreeing_pairs(unit.values())
            agree += pair_agree
            total += pairs
    return agree / total if total else None
