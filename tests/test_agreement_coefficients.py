"""Every coefficient agrees with a reference implementation; undefined cases say why."""

from __future__ import annotations

import random
import warnings

import krippendorff
import numpy as np
import pytest
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import masi_distance as nltk_masi
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from annotator.agreement.coefficients import (
    ValueTable,
    bootstrap_alpha,
    cohen_kappa,
    fleiss_kappa,
    jaccard_distance,
    krippendorff_alpha,
    masi_distance,
    nominal_distance,
    observed_agreement,
)

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders x 12 units, nominal.
TEXTBOOK = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def as_units(rows: list[list[object]]) -> list[dict[str, object]]:
    return [{f"coder{c}": row[u] for c, row in enumerate(rows) if row[u] is not None} for u in range(len(rows[0]))]


def table(units: list[dict[str, object]]) -> ValueTable:
    return ValueTable.from_units(units)  # type: ignore[arg-type]


def random_rows(seed: int, coders: int = 4, units: int = 150, categories: int = 4, missing: float = 0.3) -> list[list[object]]:
    rng = random.Random(seed)
    truth = [rng.randrange(categories) for _ in range(units)]
    return [
        [None if rng.random() < missing else (t if rng.random() < 0.7 else rng.randrange(categories)) for t in truth]
        for _ in range(coders)
    ]


def reference_alpha(rows: list[list[object]]) -> float:
    data = np.array([[np.nan if v is None else float(v) for v in row] for row in rows])
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def test_textbook_example_gives_0_743() -> None:
    estimate = krippendorff_alpha(table(as_units(TEXTBOOK)))
    assert estimate.value == pytest.approx(0.743421, abs=1e-6)
    assert (estimate.n_units, estimate.n_pairs) == (11, 55)


@pytest.mark.parametrize("seed", range(5))
def test_nominal_alpha_matches_krippendorff_package_with_missing_values(seed: int) -> None:
    rows = random_rows(seed)
    assert krippendorff_alpha(table(as_units(rows))).value == pytest.approx(reference_alpha(rows), abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_nominal_alpha_matches_nltk(seed: int) -> None:
    rows = random_rows(seed, coders=3, units=60)
    triples = [(f"c{c}", u, row[u]) for c, row in enumerate(rows) for u in range(len(row)) if row[u] is not None]
    # nltk needs every item labeled at least twice; drop the rest as alpha does.
    counts = {u: sum(1 for _, item, _ in triples if item == u) for u in range(60)}
    triples = [t for t in triples if counts[t[1]] >= 2]
    assert krippendorff_alpha(table(as_units(rows))).value == pytest.approx(AnnotationTask(triples).alpha(), abs=1e-9)


def random_set_units(seed: int, units: int = 80) -> list[dict[str, tuple[str, ...]]]:
    rng = random.Random(seed)
    labels = ["troop_withdrawal", "sovereignty", "ceasefire_first", "other"]
    result = []
    for _ in range(units):
        base = frozenset(rng.sample(labels, rng.randrange(1, 3)))
        unit = {}
        for coder in ("a", "b", "c"):
            if rng.random() < 0.8:
                chosen = base if rng.random() < 0.6 else frozenset(rng.sample(labels, rng.randrange(1, 3)))
                unit[coder] = tuple(sorted(chosen))
        result.append(unit)
    return result


@pytest.mark.parametrize("distance", [masi_distance, jaccard_distance])
def test_set_alpha_matches_nltk_with_the_same_distance(distance) -> None:  # type: ignore[no-untyped-def]
    units = random_set_units(11)
    triples = [(coder, i, value) for i, unit in enumerate(units) if len(unit) >= 2 for coder, value in unit.items()]
    reference = AnnotationTask(triples, distance=distance).alpha()
    assert krippendorff_alpha(table(units), distance).value == pytest.approx(reference, abs=1e-9)


def test_masi_follows_passonneau() -> None:
    a, ab, bc, c = frozenset("a"), frozenset("ab"), frozenset("bc"), frozenset("c")
    assert masi_distance(ab, ab) == 0
    assert masi_distance(a, ab) == pytest.approx(1 - 1 / 2 * 2 / 3)
    assert masi_distance(ab, bc) == pytest.approx(1 - 1 / 3 * 1 / 3)
    assert masi_distance(a, c) == 1
    assert masi_distance(frozenset(), frozenset()) == 0
    assert masi_distance(frozenset(), a) == 1
    # nltk rounds the weights to 0.67 and 0.33
    assert masi_distance(a, ab) == pytest.approx(nltk_masi(set(a), set(ab)), abs=0.01)


@pytest.mark.parametrize("seed", range(5))
def test_cohen_kappa_matches_scikit_learn_on_shared_units(seed: int) -> None:
    rows = random_rows(seed, coders=2)
    shared = [(a, b) for a, b in zip(*rows) if a is not None and b is not None]
    reference = cohen_kappa_score([a for a, _ in shared], [b for _, b in shared])
    estimate = cohen_kappa(table(as_units(rows)), "coder0", "coder1")
    assert estimate.value == pytest.approx(reference, abs=1e-9)
    assert estimate.n_units == len(shared)


@pytest.mark.parametrize("seed", range(5))
def test_fleiss_kappa_matches_statsmodels_on_complete_units(seed: int) -> None:
    rows = random_rows(seed, coders=3, missing=0.15)
    complete = [[row[u] for row in rows] for u in range(len(rows[0])) if all(row[u] is not None for row in rows)]
    counts, _ = aggregate_raters(np.array(complete))
    estimate = fleiss_kappa(table(as_units(rows)), raters=3)
    assert estimate.value == pytest.approx(statsmodels_fleiss(counts), abs=1e-9)
    assert estimate.n_units == len(complete)


def test_observed_agreement_is_the_share_of_agreeing_pairs() -> None:
    units = [{"a": 1, "b": 1, "c": 2}, {"a": 3, "b": 3}, {"a": 4}]
    estimate = observed_agreement(table(units))
    assert (estimate.value, estimate.n_units, estimate.n_pairs) == (2 / 4, 2, 4)


def test_perfect_agreement_gives_one() -> None:
    units = [{"a": v, "b": v, "c": v} for v in ("open", "refuses", "open", "conditional")]
    assert krippendorff_alpha(table(units)).value == 1.0
    assert fleiss_kappa(table(units), 3).value == 1.0
    assert cohen_kappa(table(units), "a", "b").value == 1.0


def test_one_category_everywhere_is_undefined_not_one() -> None:
    units = [{"a": "open", "b": "open"} for _ in range(5)]
    alpha = krippendorff_alpha(table(units))
    assert alpha.value is None and alpha.reason == "every value is the same: no expected disagreement"
    assert cohen_kappa(table(units), "a", "b").reason == "both annotators used one and the same value throughout"
    assert fleiss_kappa(table(units), 2).value is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(cohen_kappa_score(["open"] * 5, ["open"] * 5))  # the reference agrees it is undefined


def test_one_annotator_is_undefined() -> None:
    units = [{"a": "open"}, {"a": "refuses"}]
    assert krippendorff_alpha(table(units)).reason == "no unit has two or more values"
    assert observed_agreement(table(units)).value is None
    assert cohen_kappa(table(units), "a", "b").reason == "a and b labeled no unit in common"
    assert fleiss_kappa(table(units), 2).reason == "no unit has exactly 2 values"
    assert bootstrap_alpha(table(units), nominal_distance, 100, 1).low is None


def test_bootstrap_interval_is_reproducible_and_brackets_alpha() -> None:
    units = as_units(random_rows(3))
    first = bootstrap_alpha(table(units), nominal_distance, 1000, seed=42)
    assert first == bootstrap_alpha(table(units), nominal_distance, 1000, seed=42)
    alpha = krippendorff_alpha(table(units)).value
    assert first.low is not None and first.high is not None and alpha is not None
    assert first.low < alpha < first.high


def test_bootstrap_by_signature_matches_resampling_units_directly() -> None:
    units = as_units(random_rows(4, units=120))
    pairable = [u for u in units if len(u) >= 2]
    rng = random.Random(9)
    naive = sorted(
        krippendorff_alpha(table([pairable[rng.randrange(len(pairable))] for _ in pairable])).value or 0.0
        for _ in range(2000)
    )
    ours = bootstrap_alpha(table(units), nominal_distance, 2000, seed=9)
    assert ours.low == pytest.approx(naive[50], abs=0.03)
    assert ours.high == pytest.approx(naive[1949], abs=0.03)
