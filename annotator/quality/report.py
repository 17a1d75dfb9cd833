"""The quality report put together from what was read: the overlap's fits, scored control answers,
training states and who is set aside (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np

from annotator.quality.answers import CONTROL, Answer, tallied
from annotator.quality.competence import FieldEstimate
from annotator.quality.controls import SCORED_FIELDS, Accuracy, wilson_interval
from annotator.quality.models import AnnotatorQuality, ConfusedPair, Confusion, DriftPoint, FieldQuality, TrainingOut

# A drift point is the share right over this many consecutive control answers.
DRIFT_WINDOW = 10
# Estimates from fewer shared units than this are shown but not flagged.
FLAG_AFTER_UNITS = 20
# Confused pairs listed for the codebook, and the least expected count worth listing.
CONFUSED_PAIRS = 10
LEAST_CONFUSIONS = 2.0
DRAWN_FIELDS = ("stance", "source_outlet", "article_outlet")


def annotator_quality(
    name: str, fits: Mapping[str, FieldEstimate], index: int | None, answers: Sequence[Answer],
    training: TrainingOut | None, set_aside: bool, threshold: float,
) -> AnnotatorQuality:
    """One annotator's report: `index` is their column in the fits (None: no shared units)."""
    control_answers = [a for a in answers if a.kind == CONTROL]
    fields = {field: _field_quality(fits.get(field), index, _pooled(control_answers, [field])) for field in SCORED_FIELDS}
    confusions = [
        Confusion(field=field, values=fits[field].values, matrix=np.round(fits[field].fit.confusion[index], 3).tolist())
        for field in DRAWN_FIELDS if field in fits and index is not None and fits[field].labeled(index) and len(fits[field].values) > 1
    ]
    report = AnnotatorQuality(
        annotator=name, set_aside=set_aside, fields=fields, control=_pooled(control_answers, SCORED_FIELDS),
        training=training, confusions=confusions, drift=_drift(control_answers), flags=[],
    )
    report.flags = _flags(report, threshold)
    return report


def _field_quality(fit: FieldEstimate | None, index: int | None, control: Accuracy) -> FieldQuality:
    """The estimate, with a Wilson interval as if each shared unit were a trial of its own."""
    labeled = fit.labeled(index) if fit is not None and index is not None else 0
    if fit is None or index is None or not labeled:
        return FieldQuality(accuracy=None, low=None, high=None, units=0, control=control)
    accuracy = float(fit.accuracy()[index])
    low, high = wilson_interval(round(accuracy * labeled), labeled)
    return FieldQuality(accuracy=round(accuracy, 4), low=round(low, 4), high=round(high, 4), units=labeled, control=control)


def _pooled(answers: Sequence[Answer], fields: Sequence[str]) -> Accuracy:
    return Accuracy.of(*tallied(answers, fields))


def _drift(answers: Sequence[Answer]) -> list[DriftPoint]:
    """The share right over each window of DRIFT_WINDOW consecutive control answers (from the first full one)."""
    points = []
    for end in range(DRIFT_WINDOW, len(answers) + 1):
        window = answers[end - DRIFT_WINDOW:end]
        pooled = _pooled(window, SCORED_FIELDS)
        if pooled.accuracy is not None:
            points.append(DriftPoint(at=window[-1].saved_at, accuracy=pooled.accuracy, answers=len(window)))
    return points


def _flags(report: AnnotatorQuality, threshold: float) -> list[str]:
    flags = []
    if report.set_aside:
        flags.append("set aside: their labels are out of agreement and aggregates")
    if (training := report.training) is not None and training.finished_at is None and training.required:
        if training.done >= training.required and training.score is not None:
            flags.append(f"training round below the threshold ({training.score:.2f} < {threshold:.2f}): waiting to be let through")
        else:
            flags.append(f"in training: {training.done} of {training.required} training articles done")
    control = report.control
    if control.accuracy is not None and control.accuracy < threshold:
        flags.append(f"control items: {control.accuracy:.2f} right (n={control.n}), below {threshold:.2f}")
    for field, quality in report.fields.items():
        if quality.accuracy is not None and quality.units >= FLAG_AFTER_UNITS and quality.accuracy < threshold:
            flags.append(f"{field}: estimated {quality.accuracy:.2f} from the overlap (n={quality.units}), below {threshold:.2f}")
    return flags


def confused_pairs(fits: Mapping[str, FieldEstimate], names: Sequence[str]) -> list[ConfusedPair]:
    """The pairs of values the estimate says annotators confuse most, over every drawn field (no examples yet)."""
    found: list[ConfusedPair] = []
    for field in DRAWN_FIELDS:
        if (fit := fits.get(field)) is None or len(fit.values) < 2:
            continue
        by_annotator = {name: fit.expected_confusion(index) for index, name in enumerate(names) if fit.labeled(index)}
        total = np.sum(list(by_annotator.values()), axis=0)
        for truth, given in zip(*np.nonzero(total >= LEAST_CONFUSIONS), strict=True):
            if truth == given:
                continue
            who = sorted(by_annotator, key=lambda name: -by_annotator[name][truth, given])
            found.append(ConfusedPair(
                field=field, truth=fit.values[truth], given=fit.values[given], times=round(float(total[truth, given]), 1),
                annotators=[name for name in who if by_annotator[name][truth, given] >= 1][:3], examples=[]))
    return sorted(found, key=lambda pair: -pair.times)[:CONFUSED_PAIRS]


def answers_by_annotator(answers: Sequence[Answer]) -> dict[str, list[Answer]]:
    grouped: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.annotator].append(answer)
    return grouped
