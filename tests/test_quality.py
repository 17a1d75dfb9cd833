"""Annotator competence from the overlap alone: simulated annotators whose accuracy the test sets."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.quality.estimators import MISSING, dawid_skene, mace, majority_posterior
from tests.test_export import gold  # noqa: F401 - the shared fixture: two articles labeled by ana and ben, both with gold
from tests.test_adjudication import labeled  # noqa: F401

CLASSES = 4  # the four stances
PRIORS = np.array([0.4, 0.3, 0.2, 0.1])


def careful(truth: int, rng: np.random.Generator) -> int:
    return truth if rng.random() < 0.95 else int(rng.integers(CLASSES))


def middling(truth: int, rng: np.random.Generator) -> int:
    return truth if rng.random() < 0.75 else int(rng.choice([c for c in range(CLASSES) if c != truth]))


def swapper(truth: int, rng: np.random.Generator) -> int:
    """Careful, but has the first two stances the wrong way round."""
    seen = {0: 1, 1: 0}.get(truth, truth)
    return seen if rng.random() < 0.9 else int(rng.integers(CLASSES))


def at_random(truth: int, rng: np.random.Generator) -> int:
    return int(rng.integers(CLASSES))


ANNOTATORS = (careful, middling, swapper, at_random)


def true_accuracy(annotator, rng: np.random.Generator, samples: int = 200_000) -> float:  # type: ignore[no-untyped-def]
    truths = rng.choice(CLASSES, size=samples, p=PRIORS)
    return float(np.mean([annotator(int(t), rng) == t for t in truths[:20_000]]))


@pytest.fixture(scope="module")
def simulated() -> tuple[np.ndarray, np.ndarray]:
    """2,000 items, each labeled by three of the four annotators."""
    rng = np.random.default_rng(5)
    truth = rng.choice(CLASSES, size=2_000, p=PRIORS)
    labels = np.full((truth.size, len(ANNOTATORS)), MISSING)
    for item, value in enumerate(truth):
        for annotator in rng.choice(len(ANNOTATORS), size=3, replace=False):
            labels[item, annotator] = ANNOTATORS[annotator](int(value), rng)
    return labels, truth


def test_estimated_accuracy_ranks_the_annotators_and_lies_within_a_tenth_of_the_truth(simulated) -> None:  # type: ignore[no-untyped-def]
    labels, _ = simulated
    estimated = dawid_skene(labels, CLASSES).accuracy()
    rng = np.random.default_rng(9)
    actual = np.array([true_accuracy(annotator, rng) for annotator in ANNOTATORS])
    assert list(np.argsort(-estimated)) == list(np.argsort(-actual))  # careful, middling, swapper, at random
    assert np.all(np.abs(estimated - actual) < 0.1), (estimated, actual)


def test_the_swapped_stances_show_in_that_annotators_confusion_matrix(simulated) -> None:  # type: ignore[no-untyped-def]
    labels, _ = simulated
    confusion = dawid_skene(labels, CLASSES).confusion[ANNOTATORS.index(swapper)]
    assert confusion[0, 1] > 0.8 and confusion[1, 0] > 0.8


def test_dawid_skene_beats_the_majority_vote_on_the_simulated_truth(simulated) -> None:  # type: ignore[no-untyped-def]
    labels, truth = simulated
    by_majority = np.argmax(majority_posterior(labels, CLASSES), axis=1)
    by_model = dawid_skene(labels, CLASSES).truth()
    assert np.mean(by_model == truth) > np.mean(by_majority == truth) + 0.02


def test_the_aggregate_lies_within_three_hundredths_of_crowd_kits_dawid_skene(simulated) -> None:  # type: ignore[no-untyped-def]
    pandas = pytest.importorskip("pandas")
    crowd_kit = pytest.importorskip("crowdkit.aggregation")
    labels, truth = simulated
    items, annotators = np.nonzero(labels != MISSING)
    answers = pandas.DataFrame({"task": items, "worker": annotators, "label": labels[items, annotators]})
    theirs = crowd_kit.DawidSkene(n_iter=100).fit_predict(answers).sort_index().to_numpy()
    ours = dawid_skene(labels, CLASSES).truth()
    assert abs(np.mean(ours == truth) - np.mean(theirs == truth)) < 0.03
    assert np.mean(ours == theirs) > 0.97  # the same items, nearly all


def test_competence_per_field_is_estimated_from_aligned_statements() -> None:
    from annotator.agreement.units import LabelSet, article_units
    from annotator.quality.competence import field_units, fit_fields

    rng = np.random.default_rng(3)
    stances = ["open", "conditional", "refuses", "noncommittal"]
    articles = []
    for article_id in range(1_000):
        truth = int(rng.choice(CLASSES, p=PRIORS))
        label_sets = [
            LabelSet(article_id, name, {"article": {"relevant": True, "outlet": None, "note": ""}, "statements": [{
                "actor": {"id": "peskov"}, "target": "leaders_meeting", "stance": stances[annotator(truth, rng)],
                "preconditions": [], "source_outlet": None, "evidence": None}]})
            for name, annotator in (("careful", careful), ("middling", middling), ("swapper", swapper), ("random", at_random))
        ]
        articles.append(article_units(article_id, label_sets))
    labels = field_units(articles)
    stance = fit_fields(labels)["stance"]
    accuracy = dict(zip(labels.names, stance.accuracy(), strict=True))
    assert accuracy["careful"] > accuracy["middling"] > accuracy["random"]
    assert stance.labeled(labels.people["careful"]) == 1_000


def test_the_quality_command_lists_each_annotators_fields(db, gold) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    from click.testing import CliRunner

    from annotator.cli import main

    result = CliRunner(env={"ANNOTATOR_DATABASE_URL": db.url}).invoke(main, ["quality", "sample", "--json"])
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.output)
    assert [a["annotator"] for a in report["annotators"]] == ["ana", "ben", "cleo"]  # every annotator member
    assert report["annotators"][0]["fields"]["stance"]["units"] == 2
    assert report["annotators"][2]["fields"]["stance"]["accuracy"] is None  # cleo has labeled nothing


def test_mace_ranks_the_careful_above_the_middling_above_the_random(simulated) -> None:  # type: ignore[no-untyped-def]
    labels, _ = simulated
    estimated = mace(labels, CLASSES).accuracy()
    careful_at, middling_at, random_at = (ANNOTATORS.index(a) for a in (careful, middling, at_random))
    assert estimated[careful_at] > estimated[middling_at] > estimated[random_at]


def test_mace_beats_the_majority_vote_on_the_simulated_truth(simulated) -> None:  # type: ignore[no-untyped-def]
    labels, truth = simulated
    by_majority = np.argmax(majority_posterior(labels, CLASSES), axis=1)
    assert np.mean(mace(labels, CLASSES).truth() == truth) > np.mean(by_majority == truth) + 0.02
