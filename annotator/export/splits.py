"""Deterministic train/dev/test splits: an article's split depends only on what survives a
re-import (its external id, else its normalised text) and the seed, so the same article
lands in the same split in every project and on every server, and two forms of one text
cannot straddle train and test."""

from __future__ import annotations

import hashlib
import math
import re

from annotator.export.models import Split

DEFAULT_RATIOS: dict[Split, float] = {"train": 0.8, "dev": 0.1, "test": 0.1}
DEFAULT_SEED = 13


# Three non-negative decimals, as the OpenAPI document states them: what parse_ratios takes, but for the sum.
_SHARE = r"\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*"
RATIOS_PATTERN = rf"^{_SHARE},{_SHARE},{_SHARE}$"


def parse_ratios(text: str) -> dict[Split, float]:
    """'0.8,0.1,0.1' -> train/dev/test ratios that must be non-negative and sum to 1."""
    if not re.fullmatch(RATIOS_PATTERN, text):
        raise ValueError(f"ratios {text!r} must be three non-negative numbers summing to 1, e.g. 0.8,0.1,0.1")
    parts = [float(part) for part in text.split(",")]
    if not all(math.isfinite(p) for p in parts) or abs(sum(parts) - 1) > 1e-9:
        raise ValueError(f"ratios {text!r} must be three non-negative numbers summing to 1, e.g. 0.8,0.1,0.1")
    return dict(zip(("train", "dev", "test"), parts))  # type: ignore[arg-type]


SPLIT_KEY = "the article's external id; without one, the digest of its normalised text (NFC, white space folded)"


def split_key(external_id: str | None, normalised_text_digest: str | None) -> str:
    return f"external:{external_id}" if external_id else f"text:{normalised_text_digest}"


def split_of(key: str, seed: int, ratios: dict[Split, float]) -> Split:
    """Hashing (seed, key) to [0, 1) keeps every article's split when others are added later."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    if position < ratios["train"]:
        return "train"
    if position < ratios["train"] + ratios["dev"]:
        return "dev"
    return "test"
