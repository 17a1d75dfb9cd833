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

from collections.abc import Callable, Sequence
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

    def posterior_given(self, confusions: Floats, given: Sequence[int]) -> Floats:
        """One item's posterior (an E step alone) from what each of its labelers gave and, in the same order,
        their confusion matrices (an annotator's of the fit, or any other the caller stands in for one)."""
        return _posterior_and_fit(self.priors, confusions, np.array([given]))[0][0]


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


def _filled(labels: NDArray[np.int64], classes: int) -> NDArray[np.int64]:
    """The labels with MISSING as one more class, whose row of log-chances is all zeros (it adds nothing)."""
    return np.where(labels == MISSING, classes, labels)


def _posterior_and_fit(priors: Floats, confusion: Floats, filled: NDArray[np.int64],
                       weights: Floats | None = None) -> tuple[Floats, float]:
    """The posteriors, and the log-likelihood of every label under the model (each row counted `weights`
    times). Each annotator's share is gathered whole (a row of log-chances per class given, zeros where
    they gave none): a dense add, not a write into the labeled rows alone."""
    log_posterior = np.log(np.maximum(priors, 1e-12)) + np.zeros((filled.shape[0], 1))
    for annotator in range(filled.shape[1]):
        given_rows = np.vstack([np.log(confusion[annotator]).T, np.zeros(len(priors))])  # class given x true class
        log_posterior += given_rows[filled[:, annotator]]
    peak = log_posterior.max(axis=1, keepdims=True)
    posterior = np.exp(log_posterior - peak)
    totals = posterior.sum(axis=1, keepdims=True)
    likelihood = (np.log(totals) + peak)[:, 0]
    return posterior / totals, float(likelihood @ weights if weights is not None else likelihood.sum())


# The M steps take each labeled row's posterior times the number of items that row stands for.
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
    knows = float(np.clip(1 - from_spam.sum() / posterior.sum(), 1e-3, 1 - 1e-3))
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
             tolerance: float = 1e-7) -> Estimate:
    """Rounds until the log-likelihood of the labels grows by less than `tolerance` of itself (a share of
    it, so a large project stops as soon as a small one), or `max_iterations`."""
    labels = np.asarray(labels, dtype=np.int64)
    annotators = labels.shape[1]
    # Items labeled alike have alike posteriors: the rounds run over the distinct rows of labels (a few
    # thousand at most with three annotators), each weighed by how many items share it.
    rows, inverse, counts = np.unique(_filled(labels, classes), axis=0, return_inverse=True, return_counts=True)
    weights = counts.astype(np.float64)
    row_labels = np.where(rows == classes, MISSING, rows)
    posterior = majority_posterior(row_labels, classes)
    given = _given(row_labels)
    one_hot = [np.eye(classes)[said] for _, said in given]  # per annotator: their labeled rows x classes
    m_step = _M_STEPS[method]
    # MACE starts from an annotator who knows the answer four times in five and spams evenly.
    confusion = np.tile(0.8 * np.eye(classes) + 0.2 / classes, (annotators, 1, 1))
    priors = weights @ posterior / weights.sum()
    fit = -np.inf
    for iteration in range(1, max_iterations + 1):
        weighted = posterior * weights[:, None]
        priors = weighted.sum(axis=0) / weights.sum()
        for annotator, (items, said) in enumerate(given):
            confusion[annotator] = m_step(weighted[items], one_hot[annotator], said, confusion[annotator])
        posterior, updated = _posterior_and_fit(priors, confusion, rows, weights)
        if updated - fit <= tolerance * abs(updated):
            break
        fit = updated
    return Estimate(posterior=posterior[inverse.reshape(-1)], confusion=confusion, priors=priors, iterations=iteration)


def dawid_skene(labels: NDArray[np.int64], classes: int, **options: float) -> Estimate:
    return estimate(labels, classes, "dawid-skene", **options)  # type: ignore[arg-type]


def mace(labels: NDArray[np.int64], classes: int, **options: float) -> Estimate:
    return estimate(labels, classes, "mace", **options)  # type: ignore[arg-type]
