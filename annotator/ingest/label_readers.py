"""Labels made elsewhere: JSONL lines and Label Studio exports as annotation records (no database)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from annotator.annotate.models import AnnotationContent, ArticleLabels, Statement
from annotator.ingest.models import Rejection, SourcePosition
from annotator.ingest.readers import labelstudio_tasks, validation_reason
from annotator.labelstudio.convert import ConversionError, results_to_content
from annotator.streams import numbered_lines

ANNOTATOR_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"


class ImportedAnnotation(BaseModel):
    """One JSONL line: whose labels, for which article (our id or the source's id)."""

    model_config = ConfigDict(extra="forbid")

    article_id: int | None = None
    external_id: str | None = None
    annotator: str = Field(pattern=ANNOTATOR_NAME)
    statements: list[Statement] = Field(default_factory=list)
    article: ArticleLabels = Field(default_factory=ArticleLabels)


@dataclass(frozen=True)
class LabelRecord:
    """Labels to import and how to find their article: by id, by source id, or by its text."""

    position: SourcePosition
    annotator: str
    content: AnnotationContent
    article_id: int | None = None
    external_id: str | None = None
    article_text: str | None = None
    notes: tuple[str, ...] = ()  # what the reader left out, and why


LabelResult = LabelRecord | Rejection


def read_label_file(path: Path) -> Iterator[LabelResult]:
    with path.open("rb") as stream:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            yield from read_label_jsonl(path.name, stream)
        elif path.suffix.lower() == ".json":
            yield from read_labelstudio_export(path.name, stream)
        else:
            yield Rejection(source=path.name, reason="unsupported file type; use .jsonl or a Label Studio export .json")


def read_label_jsonl(name: str, stream: IO[bytes]) -> Iterator[LabelResult]:
    for number, raw in numbered_lines(stream):
        try:
            line = ImportedAnnotation.model_validate_json(raw)
        except ValidationError as error:
            yield Rejection(source=name, line=number, reason=validation_reason(error))
            continue
        if line.article_id is None and line.external_id is None:
            yield Rejection(source=name, line=number, reason="give article_id or external_id")
            continue
        content = AnnotationContent(statements=line.statements, article=line.article)
        yield LabelRecord(SourcePosition(source=name, line=number), line.annotator, content, line.article_id, line.external_id)


def read_labelstudio_export(name: str, stream: IO[bytes]) -> Iterator[LabelResult]:
    """Each non-cancelled annotation of each task; the article is found by the task's text."""
    for found in labelstudio_tasks(name, stream):
        if isinstance(found, Rejection):
            yield found
            continue
        position, text, task = found
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                continue
            yield _from_labelstudio(position, text, annotation)


def _from_labelstudio(position: SourcePosition, text: str, annotation: dict[str, Any]) -> LabelResult:
    notes: list[str] = []
    try:
        content = AnnotationContent.model_validate(results_to_content(annotation.get("result") or [], notes))
    except ConversionError as error:
        return Rejection(**position.model_dump(), reason=str(error))
    except ValidationError as error:
        return Rejection(**position.model_dump(), reason=validation_reason(error))
    return LabelRecord(position, labelstudio_annotator(annotation.get("completed_by")), content, article_text=text, notes=tuple(notes))


def labelstudio_annotator(completed_by: Any) -> str:
    """A user name for Label Studio's `completed_by`: the e-mail's local part, else its numeric id,
    else (an annotation that names no user, as our own export writes them) `labelstudio`."""
    if isinstance(completed_by, dict):
        email = str(completed_by.get("email") or "")
        local = re.sub(r"[^A-Za-z0-9_.-]", "-", email.split("@")[0]).strip("-.")
        if local:
            return local[:80]
        completed_by = completed_by.get("id")
    return "labelstudio" if completed_by is None else f"labelstudio-{completed_by}"
