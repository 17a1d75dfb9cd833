"""A model's (or an annotator's) labels scored against gold, with the agreement report's
alignment and matching (no I/O).

Each article gives a row of counts (statement keys found and missed, spans matched
exactly and by overlap, stance and target pairs on aligned statements, precondition
categories shared, source outlets equal). Every figure is a function of the counts
summed over articles, so a bootstrap resample of articles is a weighted sum of the
rows: the intervals cost one matrix product per batch of resamples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from array import array
from typing import Any

import numpy as np

from annotator.agreement.matching import Range, span_matches
from annotator.agreement.units import LabelSet, article_units, first_statements
from annotator.annotate.models import SPAN_LABELS

GOLD, PREDICTED = "gold", "predicted"
BATCH = 25  # resamples per matrix product: a few tens of megabytes at 100,000 articles

Counts = Counter[str]
Sums = Callable[[str], float]


def article_counts(article_id: int, gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> Counts:
    """One article's counts; statements are aligned by (actor, target) as in the agreement report."""
    units = article_units(article_id, [LabelSet(article_id, GOLD, gold), LabelSet(article_id, PREDICTED, predicted)])
    counts: Counts = Counter()
    gold_keys, predicted_keys = units.keys.get(GOLD, set()), units.keys.get(PREDICTED, set())
    counts.update({"keys.tp": len(gold_keys & predicted_keys), "keys.gold": len(gold_keys), "keys.predicted": len(predicted_keys)})
    no_spans: dict[str, set[Range]] = {}
    gold_spans, predicted_spans = units.spans.get(GOLD, no_spans), units.spans.get(PREDICTED, no_spans)
    for label in SPAN_LABELS:
        g, p = gold_spans.get(label, set()), predicted_spans.get(label, set())
        exact, overlap = span_matches(g, p)
        counts.update({
            f"span.{label}.gold": len(g), f"span.{label}.predicted": len(p),
            f"span.{label}.exact": exact, f"span.{label}.overlap": overlap,
        })
    for unit in _both(units.fields["stance"]):
        counts[f"stance|{unit[GOLD]}|{unit[PREDICTED]}"] += 1
    for unit in _both(units.fields["targets"]):
        if len(unit[GOLD]) == 1 and len(unit[PREDICTED]) == 1:  # one statement each for this actor
            counts[f"target|{unit[GOLD][0]}|{unit[PREDICTED][0]}"] += 1
    for unit in _both(units.fields["preconditions"]):
        g, p = set(unit[GOLD]), set(unit[PREDICTED])
        counts.update({"pre.tp": len(g & p), "pre.gold": len(g), "pre.predicted": len(p)})
    for unit in _both(units.fields["source_outlet"]):
        counts.update({"outlet.n": 1, "outlet.correct": int(unit[GOLD] == unit[PREDICTED])})
    return counts


def _both(units: Mapping[Any, Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    return (values for values in units.values() if GOLD in values and PREDICTED in values)


# ---- figures from summed counts ----------------------------------------------------------

def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def prf(tp: float, gold: float, predicted: float) -> dict[str, Any]:
    """Precision, recall and F1, each null with the reason when nothing is there to divide by."""
    found: dict[str, Any] = {"precision": ratio(tp, predicted), "recall": ratio(tp, gold), "f1": ratio(2 * tp, gold + predicted)}
    if not gold and not predicted:
        found["reason"] = "neither gold nor the predictions have any"
    elif not predicted:
        found["reason"] = "nothing predicted: precision undefined"
    elif not gold:
        found["reason"] = "nothing in gold: recall undefined"
    return found


def classification(sums: Sums, columns: Iterable[str], field: str) -> dict[str, Any]:
    """Accuracy and macro-F1 over one field's (gold, predicted) pairs, and their confusion matrix."""
    pairs = {tuple(c.split("|")[1:]): c for c in columns if c.startswith(f"{field}|")}
    labels = sorted({label for pair in pairs for label in pair})
    n = sum(sums(c) for c in pairs.values())
    correct = sum(sums(c) for (g, p), c in pairs.items() if g == p)
    f1s = []
    for label in labels:
        tp = sum(sums(c) for (g, p), c in pairs.items() if g == label and p == label)
        gold = sum(sums(c) for (g, _), c in pairs.items() if g == label)
        predicted = sum(sums(c) for (_, p), c in pairs.items() if p == label)
        if gold or predicted:
            f1s.append(2 * tp / (gold + predicted))
    return {
        "accuracy": ratio(correct, n),
        "macro_f1": sum(f1s) / len(f1s) if f1s else None,
        "n": int(n),
        **({} if n else {"reason": "no statement aligned between gold and predictions"}),
        "labels": labels,
        "confusion": [[int(sums(pairs[(g, p)])) if (g, p) in pairs else 0 for p in labels] for g in labels],
    }


def figures(sums: Sums, columns: Iterable[str]) -> dict[str, Any]:
    """Every figure of an evaluation, from counts summed over its articles."""
    columns = list(columns)
    stance, target = classification(sums, columns, "stance"), classification(sums, columns, "target")
    return {
        "statement_keys": {**prf(sums("keys.tp"), sums("keys.gold"), sums("keys.predicted")),
                           "n_gold": int(sums("keys.gold")), "n_predicted": int(sums("keys.predicted"))},
        "fields": {
            "stance": stance,
            "target": target,
            "preconditions": {**prf(sums("pre.tp"), sums("pre.gold"), sums("pre.predicted")), "n_gold": int(sums("pre.gold"))},
            "source_outlet": {"accuracy": ratio(sums("outlet.correct"), sums("outlet.n")), "n": int(sums("outlet.n")),
                              **({} if sums("outlet.n") else {"reason": "no statement aligned between gold and predictions"})},
        },
        "spans": {
            label: {
                match: {**prf(sums(f"span.{label}.{match}"), sums(f"span.{label}.gold"), sums(f"span.{label}.predicted")),
                        "n_gold": int(sums(f"span.{label}.gold")), "n_predicted": int(sums(f"span.{label}.predicted"))}
                for match in ("exact", "overlap")
            }
            for label in SPAN_LABELS
        },
    }


# The figures that get a bootstrap interval, as paths into `figures`' result.
INTERVAL_PATHS: tuple[tuple[str, ...], ...] = (
    ("statement_keys", "precision"), ("statement_keys", "recall"), ("statement_keys", "f1"),
    ("fields", "stance", "accuracy"), ("fields", "stance", "macro_f1"),
    ("fields", "target", "accuracy"), ("fields", "target", "macro_f1"),
    ("fields", "preconditions", "precision"), ("fields", "preconditions", "recall"), ("fields", "preconditions", "f1"),
    ("fields", "source_outlet", "accuracy"),
    *((("spans", label, match, part) for label in SPAN_LABELS for match in ("exact", "overlap")
       for part in ("precision", "recall", "f1"))),
)


def _at(found: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        found = found[part]
    return found


class CountTable:
    """Every article's counts as one matrix (articles x columns), added an article at a time.

    Rows are kept as compact (article, column, count) triplets until the matrix is
    needed, so a hundred thousand articles take a few megabytes, not a list of dicts.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self._articles, self._columns, self._counts = array("i"), array("i"), array("f")
        self.n = 0

    @classmethod
    def of(cls, per_article: Iterable[Counts]) -> CountTable:
        table = cls()
        for counts in per_article:
            table.add(counts)
        return table

    def add(self, counts: Counts) -> None:
        for column, value in counts.items():
            if value:
                self._articles.append(self.n)
                self._columns.append(self.index.setdefault(column, len(self.index)))
                self._counts.append(value)
        self.n += 1

    @property
    def columns(self) -> list[str]:
        return list(self.index)

    def rows(self) -> np.ndarray:
        matrix = np.zeros((self.n, len(self.index)), dtype=np.float32)
        np.add.at(matrix, (np.frombuffer(self._articles, dtype=np.int32), np.frombuffer(self._columns, dtype=np.int32)),
                  np.frombuffer(self._counts, dtype=np.float32))
        return matrix

    def totals(self) -> np.ndarray:
        return np.bincount(np.frombuffer(self._columns, dtype=np.int32), weights=np.frombuffer(self._counts, dtype=np.float32),
                           minlength=len(self.index))

    def figures(self, totals: np.ndarray | None = None) -> dict[str, Any]:
        totals = self.totals() if totals is None else totals
        return figures(lambda column: float(totals[self.index[column]]) if column in self.index else 0.0, self.columns)

    def intervals(self, samples: int, seed: int) -> dict[tuple[str, ...], tuple[float, float] | None]:
        """95% percentile intervals over articles resampled with replacement (seeded)."""
        found: dict[tuple[str, ...], list[float]] = {path: [] for path in INTERVAL_PATHS}
        if self.n == 0 or samples == 0:
            return dict.fromkeys(INTERVAL_PATHS)
        rows = self.rows()
        rng = np.random.default_rng(seed)
        for start in range(0, samples, BATCH):
            draws = np.stack([
                np.bincount(rng.integers(0, self.n, self.n), minlength=self.n).astype(np.float32)
                for _ in range(min(BATCH, samples - start))
            ])
            for totals in draws @ rows:
                sample = self.figures(totals.astype(np.float64))
                for path in INTERVAL_PATHS:
                    value = _at(sample, path)
                    if value is not None:
                        found[path].append(value)
        return {
            path: (float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))) if values else None
            for path, values in found.items()
        }


def article_diff(article_id: int, gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> dict[str, Any]:
    """What the predictions missed, added and got wrong on one article, statement by statement."""
    gold_by_key, _ = first_statements(gold["statements"])
    predicted_by_key, _ = first_statements(predicted["statements"])
    wrong = []
    for key in sorted(gold_by_key.keys() & predicted_by_key.keys()):
        g, p = canonical_parts(gold_by_key[key]), canonical_parts(predicted_by_key[key])
        if differing := [part for part in g if g[part] != p[part]]:
            wrong.append({"actor": key[0], "target": key[1], "parts": differing,
                          "gold": {part: g[part] for part in differing}, "predicted": {part: p[part] for part in differing}})
    return {
        "article_id": article_id,
        "missed": [{"actor": a, "target": t} for a, t in sorted(gold_by_key.keys() - predicted_by_key.keys())],
        "added": [{"actor": a, "target": t} for a, t in sorted(predicted_by_key.keys() - gold_by_key.keys())],
        "wrong": wrong,
    }


def canonical_parts(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a statement an evaluation scores, in comparable form."""
    outlet = statement.get("source_outlet")
    return {
        "stance": statement["stance"],
        "preconditions": sorted({p["category"] for p in statement["preconditions"]}),
        "source_outlet": outlet["id"] if outlet else None,
        "evidence": [statement["evidence"]["start"], statement["evidence"]["end"]] if statement.get("evidence") else None,
    }
