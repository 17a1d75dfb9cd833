"""Set-overlap figures: pairwise F1 of statement keys and of spans (exact and overlap)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

Range = tuple[int, int]


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


def exact_matches(a: set[Range], b: set[Range]) -> int:
    return len(a & b)


def overlap_matches(a: set[Range], b: set[Range]) -> int:
    """Ranges that intersect, matched one to one, greedily by the largest overlap first."""
    candidates = sorted(
        ((min(x[1], y[1]) - max(x[0], y[0]), x, y) for x in a for y in b if x[0] < y[1] and y[0] < x[1]),
        reverse=True,
    )
    used_a: set[Range] = set()
    used_b: set[Range] = set()
    for _, x, y in candidates:
        if x not in used_a and y not in used_b:
            used_a.add(x)
            used_b.add(y)
    return len(used_a)


def pairwise_tallies(
    per_article: Mapping[int, Mapping[str, set]], match=exact_matches  # type: ignore[type-arg]
) -> dict[tuple[str, str], F1Tally]:
    """For each pair of annotators, the F1 tally over the articles both labeled."""
    tallies: dict[tuple[str, str], F1Tally] = {}
    for by_annotator in per_article.values():
        for first, second in combinations(sorted(by_annotator), 2):
            a, b = by_annotator[first], by_annotator[second]
            tallies.setdefault((first, second), F1Tally()).add(match(a, b), len(a), len(b))
    return tallies


def pooled(tallies: Mapping[tuple[str, str], F1Tally]) -> F1Tally:
    total = F1Tally()
    for tally in tallies.values():
        total.matches += tally.matches
        total.size_a += tally.size_a
        total.size_b += tally.size_b
        total.articles += tally.articles
    return total
