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

    def merge(self, other: F1Tally) -> None:
        self.matches += other.matches
        self.size_a += other.size_a
        self.size_b += other.size_b
        self.articles += other.articles

    def f1(self) -> float | None:
        total = self.size_a + self.size_b
        return 2 * self.matches / total if total else None


def span_matches(a: set[Range], b: set[Range]) -> tuple[int, int]:
    """(exact, overlap) matches of two annotators' ranges. Exact: identical ranges. Overlap:
    ranges that intersect, matched one to one: identical ranges pair first, then the rest
    greedily by the largest overlap."""
    if a == b:  # the most common case: the same ranges
        return len(a), len(a)
    identical = len(a & b)
    if identical == len(a) or identical == len(b):  # one side has nothing left to match
        return identical, identical
    rest_a, rest_b = a - b, b - a
    if len(rest_a) == 1 and len(rest_b) == 1:  # the common case: one range moved
        [(start_a, end_a)], [(start_b, end_b)] = rest_a, rest_b
        return identical, identical + (start_a < end_b and start_b < end_a)
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
    return identical, identical + len(used_a)


@dataclass
class PairTallies:
    """One pair of annotators: statement keys, and spans per label, exact and overlap."""

    keys: F1Tally = field(default_factory=F1Tally)
    # Per span label: [exact matches, overlap matches, size a, size b, articles]; one list, for speed.
    spans: dict[str, list[int]] = field(default_factory=dict)

    def add(self, keys: tuple[set[Any], set[Any]], spans: tuple[Mapping[str, set[Range]], Mapping[str, set[Range]]]) -> int:
        """One shared article: the two key sets, and the two annotators' ranges by span label.
        Returns how many keys the two have in common."""
        a, b = keys
        shared = len(a & b)
        self.keys.add(shared, len(a), len(b))
        first, second = spans
        for label, x in first.items():
            y = second[label]
            if x or y:  # nothing marked by either adds nothing to an F1
                exact, overlap = span_matches(x, y)
                counts = self.spans.get(label)
                if counts is None:
                    counts = self.spans[label] = [0, 0, 0, 0, 0]
                counts[0] += exact
                counts[1] += overlap
                counts[2] += len(x)
                counts[3] += len(y)
                counts[4] += 1
        return shared

    @property
    def exact(self) -> dict[str, F1Tally]:
        return {label: F1Tally(exact, size_a, size_b, n) for label, (exact, _, size_a, size_b, n) in self.spans.items()}

    @property
    def overlap(self) -> dict[str, F1Tally]:
        return {label: F1Tally(overlap, size_a, size_b, n) for label, (_, overlap, size_a, size_b, n) in self.spans.items()}

    def merge(self, other: PairTallies) -> None:
        self.keys.merge(other.keys)
        for label, theirs in other.spans.items():
            mine = self.spans.setdefault(label, [0, 0, 0, 0, 0])
            mine[:] = map(sum, zip(mine, theirs))


def pooled(tallies: Mapping[Pair, F1Tally]) -> F1Tally:
    total = F1Tally()
    for tally in tallies.values():
        total.merge(tally)
    return total
