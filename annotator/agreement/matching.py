"""Set-overlap figures: pairwise F1 of statement keys and of spans (exact and overlap)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Range = tuple[int, int]
Pair = tuple[str, str]


@dataclass
class F1Tally:
    """Matches and sizes summed over articles, for a micro-averaged F1."""

    matches: int = 0
    size_a: int = 0
    size_b: int = 0
    articles: int = 0

    def add(self, matches: int, size_a: int, size_b: int) -> None:
        self.matches += matches
        self.size_a += size_a
        self.size_b += size_b
        self.articles += 1

    def f1(self) -> float | None:
        total = self.size_a + self.size_b
        return 2 * self.matches / total if total else None


def overlap_matches(a: set[Range], b: set[Range]) -> int:
    """Ranges that intersect, matched one to one: identical ranges pair first, then the
    rest greedily by the largest overlap."""
    identical = a & b
    rest_a, rest_b = a - identical, b - identical
    if not rest_a or not rest_b:
        return len(identical)
    candidates = sorted(
        [(min(x[1], y[1]) - max(x[0], y[0]), x, y) for x in rest_a for y in rest_b if x[0] < y[1] and y[0] < x[1]],
        reverse=True,
    )
    used_a: set[Range] = set()
    used_b: set[Range] = set()
    for _, x, y in candidates:
        if x not in used_a and y not in used_b:
            used_a.add(x)
            used_b.add(y)
    return len(identical) + len(used_a)


@dataclass
class PairTallies:
    """One pair of annotators: statement keys, and spans per label, exact and overlap."""

    keys: F1Tally = field(default_factory=F1Tally)
    exact: dict[str, F1Tally] = field(default_factory=dict)
    overlap: dict[str, F1Tally] = field(default_factory=dict)

    def add(self, keys: tuple[set[Any], set[Any]], spans: Mapping[str, tuple[set[Range], set[Range]]]) -> int:
        """One shared article; returns how many keys the two have in common."""
        a, b = keys
        shared = len(a & b)
        self.keys.add(shared, len(a), len(b))
        for label, (x, y) in spans.items():
            if x or y:  # nothing marked by either adds nothing to an F1
                self.exact.setdefault(label, F1Tally()).add(len(x & y), len(x), len(y))
                self.overlap.setdefault(label, F1Tally()).add(overlap_matches(x, y), len(x), len(y))
        return shared


def pooled(tallies: Mapping[Pair, F1Tally]) -> F1Tally:
    total = F1Tally()
    for tally in tallies.values():
        total.matches += tally.matches
        total.size_a += tally.size_a
        total.size_b += tally.size_b
        total.articles += tally.articles
    return total
