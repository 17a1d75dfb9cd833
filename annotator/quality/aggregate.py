"""Labels of an article without gold made into one record by an aggregate over aligned statements,
weighing each annotator by the competence the overlap showed (pure, no database).

- majority: every annotator counts the same; a value's posterior is its share of the votes;
- dawid-skene, mace: a value's posterior comes from the fitted class priors and each annotator's
  confusion matrix (estimators.py), field by field.

A statement is kept when the estimate says it is more likely present than not (each annotator of the
article either has its key or not, weighed by the actors field's fit); its stance and source outlet
are the likeliest, taken from the annotator who gave them and weighs most.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from annotator.agreement.coefficients import Value
from annotator.agreement.units import NONE, ArticleUnits, LabelSet, StatementKey, first_statements
from annotator.quality.competence import FieldEstimate

AggregateMethod = Literal["majority", "dawid-skene", "mace"]
PRESENT, ABSENT = "present", "absent"


@dataclass(frozen=True)
class Aggregated:
    content: dict[str, Any]  # statements and article labels, as an annotation holds them
    posterior: dict[str, float]  # per field: the least posterior of a value chosen for it in this article
    weights: dict[str, float]  # per annotator: their mean estimated accuracy (1 for the majority vote)

    @property
    def doubt(self) -> float:
        """One less the least sure choice: 0 when every choice is certain."""
        return round(1 - min(self.posterior.values(), default=1.0), 4)


class Aggregator:
    """The chosen aggregate, with the fits it weighs annotators by (none for the majority vote)."""

    def __init__(self, method: AggregateMethod, fits: Mapping[str, FieldEstimate] | None = None,
                 people: Mapping[str, int] | None = None) -> None:
        self.method = method
        self.fits = dict(fits or {}) if method != "majority" else {}
        self.people = dict(people or {})
        self._mean_confusion = {name: fit.fit.confusion.mean(axis=0) for name, fit in self.fits.items()}
        self._weights = {person: self._mean_accuracy(index) for person, index in self.people.items()}

    def weight(self, annotator: str) -> float:
        """The annotator's mean estimated accuracy over the fields they labeled (1: not estimated)."""
        return self._weights.get(annotator, 1.0)

    def _mean_accuracy(self, index: int) -> float:
        shares = [float(fit.accuracy()[index]) for fit in self.fits.values() if fit.labeled(index)]
        return round(sum(shares) / len(shares), 4) if shares else 1.0

    def posterior(self, field: str, values: Mapping[str, Value]) -> dict[str, float]:
        """Each value's chance of being the true one, given what each annotator said."""
        given = {person: str(value) for person, value in values.items()}
        fit = self.fits.get(field)
        if fit is None or any(value not in fit.index for value in given.values()):
            counts = Counter(given.values())
            return {value: count / len(given) for value, count in counts.items()}
        # An annotator the fit has not met (a lead, or one seen only alone) weighs as the average one.
        confusions = np.stack([fit.fit.confusion[index] if (index := self.people.get(person)) is not None
                               else self._mean_confusion[field] for person in given])
        chance = fit.fit.posterior_given(confusions, [fit.index[value] for value in given.values()])
        return {value: float(chance[i]) for i, value in enumerate(fit.values)}

    def aggregate(self, units: ArticleUnits, label_sets: Sequence[LabelSet]) -> Aggregated:
        """The article's record from its units and the label sets they were made of (agreement.units)."""
        posterior: dict[str, float] = {}
        article_id = units.article_id
        article_unit = (article_id,)
        relevance = self._choose("relevance", units.fields["relevance"][article_unit], posterior)
        outlet = self._choose("article_outlet", units.fields["article_outlet"][article_unit], posterior)
        by_person = {who: first_statements(content["statements"])[0] for _, who, content in label_sets}
        statements = []
        for key in sorted({key for held in by_person.values() for key in held}):
            presence = {who: PRESENT if key in held else ABSENT for who, held in by_person.items()}
            if self._choose("actors", presence, posterior, as_field="statements") != PRESENT:
                continue
            unit = (article_id, *key)
            stance = self._choose("stance", units.fields["stance"][unit], posterior)
            source = self._choose("source_outlet", units.fields["source_outlet"][unit], posterior)
            statements.append(self._statement(key, by_person, stance, source))
        return Aggregated(
            content={"statements": statements, "article": {"relevant": relevance == "relevant",
                                                            "outlet": None if outlet == NONE else outlet, "note": ""}},
            posterior={name: round(value, 4) for name, value in posterior.items()},
            weights={who: self.weight(who) for who in sorted(by_person)},
        )

    def _choose(self, field: str, values: Mapping[str, Value], posterior: dict[str, float], as_field: str | None = None) -> str:
        """The likeliest value, its chance kept in `posterior` when it is the field's least sure choice yet."""
        chances = self.posterior(field, values)
        chosen = max(sorted(chances), key=chances.__getitem__)  # sorted: ties go the same way every time
        name = as_field or field
        posterior[name] = min(posterior.get(name, 1.0), chances[chosen])
        return chosen

    def _statement(self, key: StatementKey, by_person: Mapping[str, Mapping[StatementKey, Mapping[str, Any]]],
                   stance: str, source: str) -> dict[str, Any]:
        """The statement of the weightiest annotator who gave the chosen stance (else who had the key), with
        the chosen stance and source outlet."""
        holders = sorted((who for who, held in by_person.items() if key in held), key=lambda who: (-self.weight(who), who))
        base = next((who for who in holders if by_person[who][key]["stance"] == stance), holders[0])
        statement = dict(by_person[base][key])
        statement["stance"] = stance
        if source == NONE:
            statement["source_outlet"] = None
        elif (statement.get("source_outlet") or {}).get("id") != source:
            giver = next((who for who in holders if (by_person[who][key].get("source_outlet") or {}).get("id") == source), base)
            statement["source_outlet"] = by_person[giver][key]["source_outlet"]
        return statement
