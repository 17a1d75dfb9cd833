"""Deterministic train/dev/test splits: an article's split depends only on its id and the seed."""

from __future__ import annotations

import hashlib

from annotator.export.models import Split

DEFAULT_RATIOS: dict[Split, float] = {"train": 0.8, "dev": 0.1, "test": 0.1}
DEFAULT_SEED = 13


def parse_ratios(text: str) -> dict[Split, float]:
    """'0.8,0.1,0.1' -> train/dev/test ratios that must be non-negative and sum to 1."""
    parts = [float(part) for part in text.split(",")]
    if len(parts) != 3 or any(p < 0 for p in parts) or abs(sum(parts) - 1) > 1e-9:
        raise ValueError(f"ratios {text!r} must be three non-negative numbers summing to 1, e.g. 0.8,0.1,0.1")
    return dict(zip(("train", "dev", "test"), parts))  # type: ignore[arg-type]


def split_of(article_id: int, seed: int, ratios: dict[Split, float]) -> Split:
    """Hashing (seed, id) to [0, 1) keeps every article's split when others are added later."""
    digest = hashlib.sha256(f"{seed}:{article_id}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    if position < ratios["train"]:
        return "train"
    if position < ratios["train"] + ratios["dev"]:
        return "dev"
    return "test"
