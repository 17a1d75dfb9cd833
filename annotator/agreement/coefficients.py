"""Agreement coefficients over a table of units (no I/O, no Flask).

A unit is one thing several annotators could label; its values are those of the
annotators who did. Missing values are simply absent. Definitions follow the
project's notes: Krippendorff's alpha from the coincidence matrix with any
distance, Cohen's kappa per pair on the units both labeled, Fleiss' kappa on the
units with exactly the expected number of values, observed agreement as the
share of agreeing pairs among all pairable pairs.

Every coefficient depends only on how many units hold each combination of
(annotator, value) pairs, so a ValueTable keeps exactly that: a large project
has hundreds of thousands of units but only hundreds of distinct rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import numpy as np

Value = str | tuple[str, ...]  # sets are sorted tuples, so values always sort
Distance = Callable[[Value, Value], float]
Row = tuple[tuple[str, Value], ...]  # a unit: its (annotator, value) pairs in annotator order


def nominal_distance(a: Value, b: Value) -> float:
    return 0.0 if a == b else 1.0


def jaccard_distance(a: Collection[str], b: Collection[str]) -> float:
    first, second = set(a), set(b)
    if first == second:
        return 0.0
    return 1.0 - len(first & second) / len(first | second)


def masi_distance(a: Collection[str], b: Collection[str]) -> float:
    """Passonneau (2006): 1 - J x M, M = 1 equal, 2/3 subset, 1/3 overlap, 0 disjoint."""
    first, second = set(a), set(b)
    if first == second:
        return 0.0
    shared = len(first & second)
    if shared == 0:
        return 1.0
    monotonicity = 2 / 3 if shared == min(len(first), len(second)) else 1 / 3
    return 1.0 - shared / len(first | second) * monotonicity


class ValueTable:
    """A field's units, counted by their (annotator, value) pairs."""

    def __init__(self) -> None:
        self.rows: Counter[Row] = Counter()

    @classmethod
    def from_units(cls, units: Iterable[Mapping[str, Value]]) -> ValueTable:
        table = cls()
        table.rows.update(tuple(sorted(unit.items())) for unit in units)
        return table

    @cached_property
    def multisets(self) -> Counter[tuple[Value, ...]]:
        """Units with two or more values, counted by their sorted values alone."""
        counted: Counter[tuple[Value, ...]] = Counter()
        for row, units in self.rows.items():
            if len(row) >= 2:
                counted[tuple(sorted(value for _, value in row))] += units
        return counted

    @cached_property
    def contingency(self) -> dict[tuple[str, str], Counter[tuple[Value, Value]]]:
        """Per pair of annotators (in name order): how often each pair of values occurred."""
        tables: dict[tuple[str, str], Counter[tuple[Value, Value]]] = {}
        for row, units in self.rows.items():
            for (first, a), (second, b) in combinations(row, 2):
                tables.setdefault((first, second), Counter())[(a, b)] += units
        return dict(sorted(tables.items()))


@dataclass(frozen=True)
class Estimate:
    """A coefficient, or None with the reason it is undefined; n says what it rests on."""

    value: float | None
    n_units: int
    n_pairs: int = 0
    reason: str | None = None


@dataclass(frozen=True)
class Interval:
    low: float | None
    high: float | None
    samples: int
    undefined_samples: int
    seed: int


NO_PAIRABLE_UNIT = "no unit has two or more values"
NO_VARIATION = "every value is the same: no expected disagreement"


@dataclass(frozen=True)
class _Signatures:
    """Distinct multisets of values as arrays, ready for alpha and its bootstrap."""

    weights: np.ndarray  # (S,) units holding each multiset
    pairable: np.ndarray  # (S,) values per unit, m_u
    observed: np.ndarray  # (S,) sum over ordered pairs of distances / (m_u - 1)
    counts: np.ndarray  # (S, K) values of each kind
    delta: np.ndarray  # (K, K) distance between kinds of value


def _signatures(table: ValueTable, distance: Distance) -> _Signatures | None:
    multisets = table.multisets
    if not multisets:
        return None
    kinds = sorted({value for values in multisets for value in values})
    index = {value: i for i, value in enumerate(kinds)}
    delta = np.array([[distance(a, b) for b in kinds] for a in kinds])
    counts = np.zeros((len(multisets), len(kinds)))
    observed = np.zeros(len(multisets))
    for row, values in enumerate(multisets):
        codes = [index[value] for value in values]
        for code in codes:
            counts[row, code] += 1
        observed[row] = 2 * sum(delta[a, b] for a, b in combinations(codes, 2))
    pairable = counts.sum(axis=1)
    weights = np.array(list(multisets.values()), dtype=float)
    return _Signatures(weights, pairable, observed / (pairable - 1), counts, delta)


def _alpha_from(weights: np.ndarray, sig: _Signatures) -> np.ndarray:
    """Alpha for one or many weightings (rows) of the multisets; NaN where undefined."""
    weights = np.atleast_2d(weights)
    n = weights @ sig.pairable
    totals = weights @ sig.counts
    expected = np.einsum("bc,ck,bk->b", totals, sig.delta, totals) / (n * (n - 1))
    observed = (weights @ sig.observed) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - observed / expected, np.nan)


def krippendorff_alpha(table: ValueTable, distance: Distance = nominal_distance) -> Estimate:
    sig = _signatures(table, distance)
    if sig is None:
        return Estimate(None, 0, reason=NO_PAIRABLE_UNIT)
    n_units = int(sig.weights.sum())
    n_pairs = int((sig.weights * sig.pairable * (sig.pairable - 1) / 2).sum())
    [alpha] = _alpha_from(sig.weights, sig)
    if np.isnan(alpha):
        return Estimate(None, n_units, n_pairs, reason=NO_VARIATION)
    return Estimate(float(alpha), n_units, n_pairs)


def bootstrap_alpha(table: ValueTable, distance: Distance, samples: int, seed: int) -> Interval:
    """95% percentile interval of alpha over units resampled with replacement.

    Units holding the same multiset contribute identically, so a resample is a
    multinomial draw of how many units of each multiset it holds.
    """
    sig = _signatures(table, distance)
    if sig is None:
        return Interval(None, None, samples, samples, seed)
    rng = np.random.default_rng(seed)
    n_units = int(sig.weights.sum())
    draws = rng.multinomial(n_units, sig.weights / n_units, size=samples).astype(float)
    alphas = _alpha_from(draws, sig)
    defined = alphas[~np.isnan(alphas)]
    if defined.size == 0:
        return Interval(None, None, samples, samples, seed)
    low, high = np.percentile(defined, [2.5, 97.5])
    return Interval(float(low), float(high), samples, samples - int(defined.size), seed)


def agreeing_pairs(values: Iterable[Value]) -> tuple[int, int]:
    """(agreeing pairs, all pairs) among one unit's values."""
    counts = Counter(values)
    m = sum(counts.values())
    return sum(c * (c - 1) // 2 for c in counts.values()), m * (m - 1) // 2


def observed_agreement(table: ValueTable) -> Estimate:
    agreeing = total = n_units = 0
    for values, units in table.multisets.items():
        agree, pairs = agreeing_pairs(values)
        agreeing += agree * units
        total += pairs * units
        n_units += units
    if total == 0:
        return Estimate(None, 0, reason=NO_PAIRABLE_UNIT)
    return Estimate(agreeing / total, n_units, total)


def cohen_kappa(table: ValueTable, first: str, second: str) -> Estimate:
    """Cohen's kappa on the units both annotators labeled, each with its own marginals."""
    pairs = table.contingency.get((first, second), Counter())
    n = sum(pairs.values())
    if n == 0:
        return Estimate(None, 0, reason=f"{first} and {second} labeled no unit in common")
    observed = sum(count for (a, b), count in pairs.items() if a == b) / n
    first_counts: Counter[Value] = Counter()
    second_counts: Counter[Value] = Counter()
    for (a, b), count in pairs.items():
        first_counts[a] += count
        second_counts[b] += count
    expected = sum(first_counts[c] * second_counts.get(c, 0) for c in first_counts) / (n * n)
    if expected >= 1:
        return Estimate(None, n, n, reason="both annotators used one and the same value throughout")
    return Estimate((observed - expected) / (1 - expected), n, n)


def fleiss_kappa(table: ValueTable, raters: int) -> Estimate:
    """Fleiss' kappa over the units holding exactly `raters` values (pooled proportions)."""
    complete = [(Counter(values), units) for values, units in table.multisets.items() if len(values) == raters]
    n = sum(units for _, units in complete)
    if raters < 2 or n == 0:
        return Estimate(None, 0, reason=f"no unit has exactly {raters} values")
    agreement = sum(
        units * (sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1)) for counts, units in complete
    ) / n
    totals: Counter[Value] = Counter()
    for counts, units in complete:
        for value, count in counts.items():
            totals[value] += count * units
    expected = sum((count / (n * raters)) ** 2 for count in totals.values())
    if expected >= 1:
        return Estimate(None, n, reason=NO_VARIATION)
    return Estimate((agreement - expected) / (1 - expected), n, n * raters * (raters - 1) // 2)
