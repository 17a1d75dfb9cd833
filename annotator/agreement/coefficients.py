"""Agreement coefficients over units of values (no I/O, no Flask).

A unit is one thing several annotators could label; its values are those of the
annotators who did. Missing values are simply absent. Definitions follow the
project's notes: Krippendorff's alpha from the coincidence matrix with any
distance, Cohen's kappa per pair on the units both labeled, Fleiss' kappa on the
units with exactly the expected number of values, observed agreement as the
share of agreeing pairs among all pairable pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

Value = Hashable
Distance = Callable[[Value, Value], float]
Units = Sequence[Mapping[str, Value]]  # per unit: annotator -> value


def nominal_distance(a: Value, b: Value) -> float:
    return 0.0 if a == b else 1.0


def jaccard_distance(a: frozenset[str], b: frozenset[str]) -> float:
    if a == b:
        return 0.0
    return 1.0 - len(a & b) / len(a | b)


def masi_distance(a: frozenset[str], b: frozenset[str]) -> float:
    """Passonneau (2006): 1 - J x M, M = 1 equal, 2/3 subset, 1/3 overlap, 0 disjoint."""
    if a == b:
        return 0.0
    shared = len(a & b)
    if shared == 0:
        return 1.0
    monotonicity = 2 / 3 if shared == min(len(a), len(b)) else 1 / 3
    return 1.0 - shared / len(a | b) * monotonicity


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


@dataclass(frozen=True)
class _Signatures:
    """Units grouped by their multiset of values: units alike contribute alike."""

    weights: np.ndarray  # (S,) how many units share each signature
    pairable: np.ndarray  # (S,) values per unit, m_u
    observed: np.ndarray  # (S,) sum over ordered pairs of distances / (m_u - 1)
    counts: np.ndarray  # (S, K) values of each kind per unit
    delta: np.ndarray  # (K, K) distance between kinds of value


def _signatures(units: Units, distance: Distance) -> _Signatures | None:
    grouped = Counter(
        tuple(sorted(Counter(unit.values()).items(), key=repr)) for unit in units if len(unit) >= 2
    )
    if not grouped:
        return None
    kinds = sorted({value for signature in grouped for value, _ in signature}, key=repr)
    index = {value: i for i, value in enumerate(kinds)}
    delta = np.array([[distance(a, b) for b in kinds] for a in kinds])
    counts = np.zeros((len(grouped), len(kinds)))
    for row, signature in enumerate(grouped):
        for value, count in signature:
            counts[row, index[value]] = count
    pairable = counts.sum(axis=1)
    observed = np.einsum("sc,ck,sk->s", counts, delta, counts) / (pairable - 1)
    return _Signatures(np.array(list(grouped.values()), dtype=float), pairable, observed, counts, delta)


def _alpha_from(weights: np.ndarray, sig: _Signatures) -> np.ndarray:
    """Alpha for one or many weightings (rows) of the signatures; NaN where undefined."""
    weights = np.atleast_2d(weights)
    n = weights @ sig.pairable
    totals = weights @ sig.counts
    expected = np.einsum("bc,ck,bk->b", totals, sig.delta, totals) / (n * (n - 1))
    observed = (weights @ sig.observed) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - observed / expected, np.nan)


def krippendorff_alpha(units: Units, distance: Distance = nominal_distance) -> Estimate:
    sig = _signatures(units, distance)
    if sig is None:
        return Estimate(None, 0, reason="no unit has two or more values")
    n_units = int(sig.weights.sum())
    n_pairs = int((sig.weights * sig.pairable * (sig.pairable - 1) / 2).sum())
    [alpha] = _alpha_from(sig.weights, sig)
    if np.isnan(alpha):
        return Estimate(None, n_units, n_pairs, reason="every value is the same: no expected disagreement")
    return Estimate(float(alpha), n_units, n_pairs)


def bootstrap_alpha(units: Units, distance: Distance, samples: int, seed: int) -> Interval:
    """95% percentile interval of alpha over units resampled with replacement."""
    sig = _signatures(units, distance)
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


def observed_agreement(units: Units) -> Estimate:
    agreeing = total = n_units = 0
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        n_units += 1
        total += m * (m - 1) // 2
        agreeing += sum(c * (c - 1) // 2 for c in Counter(unit.values()).values())
    if total == 0:
        return Estimate(None, 0, reason="no unit has two or more values")
    return Estimate(agreeing / total, n_units, total)


def cohen_kappa(units: Units, first: str, second: str) -> Estimate:
    """Cohen's kappa on the units both annotators labeled, each with its own marginals."""
    pairs = [(unit[first], unit[second]) for unit in units if first in unit and second in unit]
    if not pairs:
        return Estimate(None, 0, reason=f"{first} and {second} labeled no unit in common")
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first_counts = Counter(a for a, _ in pairs)
    second_counts = Counter(b for _, b in pairs)
    expected = sum(first_counts[c] * second_counts.get(c, 0) for c in first_counts) / (n * n)
    if expected >= 1:
        return Estimate(None, n, n, reason="both annotators used one and the same value throughout")
    return Estimate((observed - expected) / (1 - expected), n, n)


def fleiss_kappa(units: Units, raters: int) -> Estimate:
    """Fleiss' kappa over the units holding exactly `raters` values (pooled proportions)."""
    complete = [Counter(unit.values()) for unit in units if len(unit) == raters]
    if raters < 2 or not complete:
        return Estimate(None, 0, reason=f"no unit has exactly {raters} values")
    n = len(complete)
    per_unit = [(sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1)) for counts in complete]
    totals: Counter[Value] = Counter()
    for counts in complete:
        totals.update(counts)
    expected = sum((count / (n * raters)) ** 2 for count in totals.values())
    if expected >= 1:
        return Estimate(None, n, reason="every value is the same: no expected disagreement")
    return Estimate((sum(per_unit) / n - expected) / (1 - expected), n, n * raters * (raters - 1) // 2)


def annotator_pairs(units: Iterable[Mapping[str, Value]]) -> list[tuple[str, str]]:
    """Every pair of annotators who share at least one unit, in name order."""
    found: set[tuple[str, str]] = set()
    for unit in units:
        found.update(combinations(sorted(unit), 2))
    return sorted(found)
