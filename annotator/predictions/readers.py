"""Predictions files: JSONL lines, or Label Studio tasks with `predictions` (no database)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from annotator.ingest.models import Rejection, SourcePosition
from annotator.ingest.readers import CONLL_REFUSAL, FLAT_EXPORT_REFUSAL, labelstudio_tasks, validation_reason
from annotator.labelstudio.convert import ConversionError, results_to_content
from annotator.predictions.models import PredictionLine
from annotator.streams import numbered_lines

LABEL_STUDIO_MODEL = "labelstudio"
IDS_ONLY = ("this export lists prediction ids only; export from Label Studio with full predictions, "
            "or use the task JSON the predictions were imported with")


@dataclass(frozen=True)
class PredictionRecord:
    """A model's labels for one article, and how to find the article (id, source id or text)."""

    position: SourcePosition
    line: PredictionLine
    article_text: str | None = None


PredictionResult = PredictionRecord | Rejection


def read_predictions(path: Path) -> Iterator[PredictionResult]:
    with path.open("rb") as stream:
        yield from read_prediction_stream(path.name, stream)


def read_prediction_stream(name: str, stream: IO[bytes]) -> Iterator[PredictionResult]:
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(name, stream)
    elif suffix == ".json":
        yield from _read_labelstudio(name, stream)
    elif suffix in (".csv", ".tsv"):
        yield Rejection(source=name, reason=FLAT_EXPORT_REFUSAL.format(kind=suffix[1:].upper()))
    elif suffix in (".conll", ".conll2003"):
        yield Rejection(source=name, reason=CONLL_REFUSAL)
    else:
        yield Rejection(source=name, reason="unsupported file type; use .jsonl or Label Studio tasks (.json)")


def _read_jsonl(name: str, stream: IO[bytes]) -> Iterator[PredictionResult]:
    for number, raw in numbered_lines(stream):
        position = SourcePosition(source=name, line=number)
        try:
            line = PredictionLine.model_validate_json(raw)
        except ValidationError as error:
            yield Rejection(**position.model_dump(), reason=validation_reason(error))
            continue
        if line.article_id is None and line.external_id is None:
            yield Rejection(**position.model_dump(), reason="give article_id or external_id")
            continue
        yield PredictionRecord(position, line)


def _read_labelstudio(name: str, stream: IO[bytes]) -> Iterator[PredictionResult]:
    """Each prediction of each task; `model_version` NAME@VERSION names the model (else `labelstudio`).

    A Label Studio server's export lists a task's predictions by id alone: that is said once, plainly."""
    said_ids_only = False
    for found in labelstudio_tasks(name, stream):
        if isinstance(found, Rejection):
            yield found
            continue
        position, text, task = found
        for prediction in task.get("predictions") or []:
            if isinstance(prediction, dict):
                yield _from_labelstudio(position, text, prediction)
            elif not said_ids_only:
                said_ids_only = True
                yield Rejection(source=name, reason=IDS_ONLY)


def _from_labelstudio(position: SourcePosition, text: str, prediction: dict[str, Any]) -> PredictionResult:
    model, _, version = str(prediction.get("model_version") or "unknown").rpartition("@")
    try:
        content = results_to_content(prediction.get("result") or [])
        score = prediction.get("score")
        line = PredictionLine.model_validate({
            **content, "model": model or LABEL_STUDIO_MODEL, "model_version": version,
            "statements": [{**s, "score": score} for s in content["statements"]],
        })
    except ConversionError as error:
        return Rejection(**position.model_dump(), reason=str(error))
    except ValidationError as error:
        return Rejection(**position.model_dump(), reason=validation_reason(error))
    return PredictionRecord(position, line, article_text=text)
