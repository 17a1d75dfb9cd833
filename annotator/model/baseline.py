"""The baseline: logistic regressions over word n-grams of the sentence (actor masked) and the actor.

A detector says whether a (sentence, actor) pair is a statement; for those, one classifier
each gives the stance and the target, and one per precondition category says whether it
applies. The source outlet is the outlet named in the sentence, if any. Everything is
seeded and trained in a fixed order: the same gold and seed give the same model.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import skops.io as sio
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from annotator.model.candidates import Candidate

STATEMENT_THRESHOLD = 0.5
PRECONDITION_THRESHOLD = 0.5
MIN_EXAMPLES_PER_CLASS = 2


class Constant:
    """A 'classifier' for a field gold never varied: always the one value seen (or nothing)."""

    def __init__(self, value: str | None) -> None:
        self.value = value


class BaselineModel:
    def __init__(self, seed: int = 13) -> None:
        self.seed = seed
        self.majority: str | None = None  # the training's most frequent stance
        self.text = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_features=200_000)
        self.actors = DictVectorizer()
        self.detector: LogisticRegression | Constant = Constant(None)
        self.stance: LogisticRegression | Constant = Constant(None)
        self.target: LogisticRegression | Constant = Constant(None)
        self.preconditions: dict[str, LogisticRegression | Constant] = {}

    def _features(self, found: Sequence[Candidate], fit: bool = False) -> csr_matrix:
        texts = [c.features()["text"] for c in found]
        actors = [{"actor": c.actor} for c in found]
        if fit:
            return hstack([self.text.fit_transform(texts), self.actors.fit_transform(actors)]).tocsr()
        return hstack([self.text.transform(texts), self.actors.transform(actors)]).tocsr()

    def _classifier(self, features: csr_matrix, labels: Sequence[str]) -> LogisticRegression | Constant:
        counts = Counter(labels)
        if len(counts) < 2 or min(counts.values()) < MIN_EXAMPLES_PER_CLASS:
            return Constant(counts.most_common(1)[0][0] if counts else None)
        return LogisticRegression(C=4.0, max_iter=2_000, random_state=self.seed).fit(features, list(labels))

    def fit(self, found: Sequence[Candidate], precondition_ids: Iterable[str]) -> BaselineModel:
        features = self._features(found, fit=True)
        is_statement = ["yes" if c.statement is not None else "no" for c in found]
        self.detector = self._classifier(features, is_statement)
        chosen = np.flatnonzero([c.statement is not None for c in found])
        statements = [found[i].statement for i in chosen]
        positives = features[chosen]
        stances = [s["stance"] for s in statements]  # type: ignore[index]
        self.majority = Counter(stances).most_common(1)[0][0] if stances else None
        self.stance = self._classifier(positives, stances)
        self.target = self._classifier(positives, [s["target"] for s in statements])  # type: ignore[index]
        for category in sorted(precondition_ids):
            labels = ["yes" if any(p["category"] == category for p in s.get("preconditions", [])) else "no"  # type: ignore[union-attr]
                      for s in statements]
            self.preconditions[category] = self._classifier(positives, labels)
        return self

    def predict(self, found: Sequence[Candidate]) -> list[dict[str, Any]]:
        """For each candidate: the probability it is a statement, and its most likely parts."""
        if not found:
            return []
        features = self._features(found)
        statement_p = _probability_of(self.detector, features, "yes")
        stance_p, stances = _ranked(self.stance, features)
        target_p, targets = _ranked(self.target, features)
        applies = {category: _probability_of(model, features, "yes") for category, model in self.preconditions.items()}
        out = []
        for i, candidate in enumerate(found):
            order = np.argsort(-stance_p[i], kind="stable")
            margin = float(stance_p[i][order[0]] - (stance_p[i][order[1]] if len(order) > 1 else 0.0))
            out.append({
                "candidate": candidate,
                "p_statement": float(statement_p[i]),
                "stance": stances[order[0]],
                "stance_margin": margin,
                "target": targets[int(np.argmax(target_p[i]))],
                "preconditions": sorted(c for c, p in applies.items() if p[i] >= PRECONDITION_THRESHOLD),
                # For a stance that needs a precondition when none passes the threshold.
                "likeliest_precondition": max(applies, key=lambda c: applies[c][i]) if applies else None,
            })
        return out

    def with_majority_stance(self) -> BaselineModel:
        """The comparison a model card makes: this model, but every stance the training's most frequent one."""
        variant = copy.copy(self)
        variant.stance = Constant(self.majority)
        return variant

    def to_bytes(self) -> bytes:
        return sio.dumps(self)


def _probability_of(model: LogisticRegression | Constant, features: csr_matrix, label: str) -> np.ndarray:
    if isinstance(model, Constant):
        return np.full(features.shape[0], 1.0 if model.value == label else 0.0)
    return model.predict_proba(features)[:, list(model.classes_).index(label)] if label in model.classes_ \
        else np.zeros(features.shape[0])


def _ranked(model: LogisticRegression | Constant, features: csr_matrix) -> tuple[np.ndarray, list[str]]:
    if isinstance(model, Constant):
        return np.ones((features.shape[0], 1)), [model.value or ""]
    return model.predict_proba(features), [str(c) for c in model.classes_]


def load_model(data: bytes, source: str) -> BaselineModel:
    """Load a stored model file, trusting only the types a baseline is made of (skops refuses the rest)."""
    untrusted = sio.get_untrusted_types(data=data)
    unexpected = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if unexpected:
        raise ValueError(f"{source} holds types a baseline model never has: {', '.join(unexpected)}")
    return sio.loads(data, trusted=untrusted)


TRUSTED_PREFIXES = ("annotator.model.baseline.BaselineModel", "annotator.model.baseline.Constant", "sklearn.", "numpy.", "scipy.", "builtins.", "collections.")
