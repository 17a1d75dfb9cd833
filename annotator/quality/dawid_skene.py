"""Dawid-Skene (1979): each annotator's confusion matrix and each item's true class, estimated together
from labels alone by expectation-maximisation (numpy only, no database).

Labels are an items x annotators matrix of class indices, -1 where an annotator did not label the item.
Started from the majority vote; each round re-estimates the class priors and every annotator's
confusion matrix from the current posteriors (M), then the posteriors from them (E).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MISSING = -1
# Added to every confusion count: an annotator never seen to give a class keeps a small chance of it.
SMOOTHING = 0.01


@dataclass(frozen=True)
class DawidSkene:
    posterior: NDArray[np.float64]  # items x classes: how likely each class is the true one
    confusion: NDArray[np.float64]  # annotators x true class x given class
    priors: NDArray[np.float64]  # classes
    iterations: int

    def truth(self) -> NDArray[np.int64]:
        """The likeliest class of each item."""
        return np.argmax(self.posterior, axis=1)

    def accuracy(self) -> NDArray[np.float64]:
        """Each annotator's chance of giving the true class, over the estimated class priors."""
        return np.einsum("j,ajj->a", self.priors, self.confusion)


def majority_posterior(labels: NDArray[np.int64], classes: int) -> NDArray[np.float64]:
    """Each item's share of votes per class (uniform for an item nobody labeled)."""
    votes = np.zeros((labels.shape[0], classes))
    for annotator in range(labels.shape[1]):
        given = labels[:, annotator]
        seen = given != MISSING
        votes[np.flatnonzero(seen), given[seen]] += 1
    totals = votes.sum(axis=1, keepdims=True)
    return np.where(totals > 0, votes / np.maximum(totals, 1), 1 / classes)


def dawid_skene(labels: NDArray[np.int64], classes: int, max_iterations: int = 100, tolerance: float = 1e-4) -> DawidSkene:
    labels = np.asarray(labels, dtype=np.int64)
    annotators = labels.shape[1]
    posterior = majority_posterior(labels, classes)
    # Each annotator's labeled items and what was given: indexing, not a one-hot cube, keeps every round
    # linear in the labels (einsum over items x annotators x classes took most of the time at scale).
    given = [(np.flatnonzero(labels[:, a] != MISSING), labels[labels[:, a] != MISSING, a]) for a in range(annotators)]
    one_hot = [np.eye(classes)[said] for _, said in given]  # per annotator: their labeled items x classes
    priors = posterior.mean(axis=0)
    confusion = np.zeros((annotators, classes, classes))
    for iteration in range(1, max_iterations + 1):
        priors = posterior.mean(axis=0)
        for annotator, (items, _) in enumerate(given):
            counts = posterior[items].T @ one_hot[annotator] + SMOOTHING  # true class x class given
            confusion[annotator] = counts / counts.sum(axis=1, keepdims=True)
        log_posterior = np.tile(np.log(np.maximum(priors, 1e-12)), (labels.shape[0], 1))
        for annotator, (items, said) in enumerate(given):
            log_posterior[items] += np.log(confusion[annotator])[:, said].T
        log_posterior -= log_posterior.max(axis=1, keepdims=True)
        updated = np.exp(log_posterior)
        updated /= updated.sum(axis=1, keepdims=True)
        change = float(np.abs(updated - posterior).max())
        posterior = updated
        if change < tolerance:
            break
    return DawidSkene(posterior=posterior, confusion=confusion, priors=priors, iterations=iteration)
