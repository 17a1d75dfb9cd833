"""Do a model's suggestions help or only anchor? Articles labeled with suggestions beside the
blind control share labeled without them (pure, no I/O)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from annotator.agreement.models import Acceptance, Figure, GroupFigures, SuggestionEffect
from annotator.agreement.report import ProjectLabels, build_report

FIELDS_DECIDED = ("actor", "target", "stance", "preconditions", "source_outlet", "evidence")
EFFECT_DEFINITIONS = {
    "groups": "With suggestions: articles whose annotators were shown the model's statements (their saves recorded "
    "decisions). Blind control: the share of articles, fixed by article id, whose annotators never see suggestions.",
    "acceptance": "Per field, the share of suggested statements whose value the annotator kept: accepted as is, or "
    "edited without changing that field. Rejected and ignored suggestions keep nothing.",
    "agreement with gold": "Each annotator's agreeing units with gold over units compared, pooled over annotators.",
}


@dataclass(frozen=True)
class Decisions:
    """What one annotator's head revision of one article did with the suggestions shown."""

    article_id: int
    annotator: str
    decisions: Sequence[Mapping[str, Any]]


def suggestion_effect(labels: ProjectLabels, decisions: list[Decisions], control: set[int], samples: int, seed: int) -> SuggestionEffect | None:
    """None when no annotator has been shown a suggestion yet."""
    shown = {d.article_id for d in decisions if d.decisions}
    if not shown:
        return None
    groups = [_group("with suggestions", labels, shown - control, samples, seed),
              _group("blind control", labels, control, samples, seed)]
    all_decisions = [d for item in decisions for d in item.decisions]
    kinds = Counter(d["decision"] for d in all_decisions)
    acceptance = {}
    for part in FIELDS_DECIDED:
        kept = sum(1 for d in all_decisions if d["decision"] == "accepted" or (d["decision"] == "edited" and part not in d["changed"]))
        acceptance[part] = Acceptance(rate=kept / len(all_decisions) if all_decisions else None, kept=kept, shown=len(all_decisions))
    return SuggestionEffect(
        groups=groups,
        decisions={kind: kinds[kind] for kind in ("accepted", "edited", "rejected", "ignored")},
        acceptance=acceptance,
        definitions=EFFECT_DEFINITIONS,
    )


def _group(name: str, labels: ProjectLabels, articles: set[int], samples: int, seed: int) -> GroupFigures:
    within = replace(
        labels,
        label_sets=[s for s in labels.label_sets if s.article_id in articles],
        work=[w for w in labels.work if w.article_id in articles],
        gold=[g for g in labels.gold if g.article_id in articles],
    )
    report = build_report(within, samples=samples, seed=seed)
    seconds = [w.seconds for w in within.work if w.seconds is not None]
    agree = sum((p.agreement_with_gold.value or 0) * p.agreement_with_gold.n_units for p in report.per_annotator)
    compared = sum(p.agreement_with_gold.n_units for p in report.per_annotator)
    return GroupFigures(
        group=name,
        articles=len({s.article_id for s in within.label_sets}),
        alpha={f.field: f.alpha for f in report.fields},
        median_seconds=statistics.median(seconds) if seconds else None,
        agreement_with_gold=Figure(value=agree / compared if compared else None, n_units=compared, n_pairs=compared,
                                   reason=None if compared else "no gold on these articles yet"),
    )
