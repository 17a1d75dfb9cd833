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
    rest_a, rest_b = a - b, b - a
    identical = len(a) - len(rest_a)
    if not rest_a or not rest_b:
        return identical, identical
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
    exact: dict[str, F1Tally] = field(default_factory=dict)
    overlap: dict[str, F1Tally] = field(default_factory=dict)

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
                self._add_label(label, *span_matches(x, y), len(x), len(y))
        return shared

    def _add_label(self, label: str, exact: int, overlap: int, size_a: int, size_b: int) -> None:
        if label not in self.exact:
            self.exact[label], self.overlap[label] = F1Tally(), F1Tally()
        self.exact[label].add(exact, size_a, size_b)
        self.overlap[label].add(overlap, size_a, size_b)

    def merge(self, other: PairTallies) -> None:
        self.keys.merge(other.keys)
        for mine, theirs in ((self.exact, other.exact), (self.overlap, other.overlap)):
            for label, tally in theirs.items():
                mine.setdefault(label, F1Tally()).merge(tally)


def pooled(tallies: Mapping[Pair, F1Tally]) -> F1Tally:
    total = F1Tally()
    for tally in tallies.values():
        total.merge(tally)
    return total
