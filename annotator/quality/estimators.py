"""Each annotator's confusion matrix and each item's true class, estimated together from labels alone by
expectation-maximisation (numpy only, no database):

- Dawid-Skene (1979): a full confusion matrix per annotator;
- MACE (Hovy et al. 2013): an annotator knows the answer with some chance and otherwise "spams" from a
  distribution of their own, a confusion matrix of that constrained shape (few parameters: steadier on
  small overlaps).

Labels are an items x annotators matrix of class indices, -1 where an annotator did not label the item.
Started from the majority vote; each round re-estimates the class priors and every annotator's
confusion matrix from the current posteriors (M), then the posteriors from them (E).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

MISSING = -1
# Added to every confusion count: an annotator never seen to give a class keeps a small chance of it.
SMOOTHING = 0.01
Method = Literal["dawid-skene", "mace"]
Floats = NDArray[np.float64]
# One annotator's labels: the items they labeled, and the class they gave each.
Given = tuple[NDArray[np.int64], NDArray[np.int64]]


@dataclass(frozen=True)
class Estimate:
    posterior: Floats  # items x classes: how likely each class is the true one
    confusion: Floats  # annotators x true class x given class
    priors: Floats  # classes
    iterations: int

    def truth(self) -> NDArray[np.int64]:
        """The likeliest class of each item."""
        return np.argmax(self.posterior, axis=1)

    def accuracy(self) -> Floats:
        """Each annotator's chance of giving the true class, over the estimated class priors."""
        return np.einsum("j,ajj->a", self.priors, self.confusion)

    def posterior_of(self, labels: NDArray[np.int64]) -> Floats:
        """The posterior of items not in the fit (labeled by the same annotators): an E step alone."""
        return _posterior(self.priors, self.confusion, _given(labels), labels.shape[0])


def majority_posterior(labels: NDArray[np.int64], classes: int) -> Floats:
    """Each item's share of votes per class (uniform for an item nobody labeled)."""
    votes = np.zeros((labels.shape[0], classes))
    for annotator in range(labels.shape[1]):
        given = labels[:, annotator]
        seen = given != MISSING
        votes[np.flatnonzero(seen), given[seen]] += 1
    totals = votes.sum(axis=1, keepdims=True)
    return np.where(totals > 0, votes / np.maximum(totals, 1), 1 / classes)


def _given(labels: NDArray[np.int64]) -> list[Given]:
    # Indexing, not a one-hot cube, keeps every round linear in the labels (einsum over items x
    # annotators x classes took most of the time at scale).
    return [(np.flatnonzero(labels[:, a] != MISSING), labels[labels[:, a] != MISSING, a]) for a in range(labels.shape[1])]


def _posterior(priors: Floats, confusion: Floats, given: list[Given], items: int) -> Floats:
    log_posterior = np.tile(np.log(np.maximum(priors, 1e-12)), (items, 1))
    for annotator, (labeled, said) in enumerate(given):
        log_posterior[labeled] += np.log(confusion[annotator])[:, said].T
    log_posterior -= log_posterior.max(axis=1, keepdims=True)
    posterior = np.exp(log_posterior)
    return posterior / posterior.sum(axis=1, keepdims=True)


def _dawid_skene_matrix(posterior: Floats, one_hot: Floats, said: NDArray[np.int64], previous: Floats) -> Floats:
    counts = posterior.T @ one_hot + SMOOTHING  # true class x class given
    return counts / counts.sum(axis=1, keepdims=True)


def _mace_matrix(posterior: Floats, one_hot: Floats, said: NDArray[np.int64], previous: Floats) -> Floats:
    """Knows the answer with chance `knows`, else gives class c with chance `spam[c]`: the expected share of
    labels that were spam (under the previous matrix) re-estimates both."""
    classes = previous.shape[0]
    knows = _knows(previous)
    spam = (previous[0] - knows * (np.arange(classes) == 0)) / max(1 - knows, 1e-9)
    spam_given = (1 - knows) * spam[said]  # per label: chance it came by spam, whatever the truth
    chance_given = previous[:, said].T  # per label and true class: chance of what was given
    from_spam = (posterior * spam_given[:, None] / np.maximum(chance_given, 1e-12)).sum(axis=1)
    knows = float(np.clip(1 - from_spam.mean(), 1e-3, 1 - 1e-3))
    spam = one_hot.T @ from_spam + SMOOTHING
    spam /= spam.sum()
    return knows * np.eye(classes) + (1 - knows) * spam[None, :]


def _knows(matrix: Floats) -> float:
    """The `knows` of a MACE-shaped matrix: what the diagonal has beyond the column's spam share."""
    return float(np.clip(matrix[0, 0] - matrix[1, 0], 1e-3, 1 - 1e-3)) if matrix.shape[0] > 1 else 1 - 1e-3


_M_STEPS: dict[Method, Callable[[Floats, Floats, NDArray[np.int64], Floats], Floats]] = {
    "dawid-skene": _dawid_skene_matrix, "mace": _mace_matrix,
}


def estimate(labels: NDArray[np.int64], classes: int, method: Method = "dawid-skene", max_iterations: int = 100,
             tolerance: float = 1e-4) -> Estimate:
    labels = np.asarray(labels, dtype=np.int64)
    annotators = labels.shape[1]
    posterior = majority_posterior(labels, classes)
    given = _given(labels)
    one_hot = [np.eye(classes)[said] for _, said in given]  # per annotator: their labeled items x classes
    m_step = _M_STEPS[method]
    # MACE starts from an annotator who knows the answer four times in five and spams evenly.
    confusion = np.tile(0.8 * np.eye(classes) + 0.2 / classes, (annotators, 1, 1))
    priors = posterior.mean(axis=0)
    for iteration in range(1, max_iterations + 1):
        priors = posterior.mean(axis=0)
        for annotator, (items, said) in enumerate(given):
            confusion[annotator] = m_step(posterior[items], one_hot[annotator], said, confusion[annotator])
        updated = _posterior(priors, confusion, given, labels.shape[0])
        change = float(np.abs(updated - posterior).max())
        posterior = updated
        if change < tolerance:
            break
    return Estimate(posterior=posterior, confusion=confusion, priors=priors, iterations=iteration)


def dawid_skene(labels: NDArray[np.int64], classes: int, **options: float) -> Estimate:
    return estimate(labels, classes, "dawid-skene", **options)  # type: ignore[arg-type]


def mace(labels: NDArray[np.int64], classes: int, **options: float) -> Estimate:
    return estimate(labels, classes, "mace", **options)  # type: ignore[arg-type]
