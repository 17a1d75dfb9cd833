"""Labels made elsewhere: JSONL lines and Label Studio exports as annotation records (no database)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from annotator.annotate.models import AnnotationContent, ArticleLabels, Statement
from annotator.ingest.models import Rejection, SourcePosition
from annotator.ingest.readers import CONLL_REFUSAL, FLAT_EXPORT_REFUSAL, labelstudio_tasks, validation_reason
from annotator.labelstudio.convert import ConversionError, results_to_content
from annotator.streams import numbered_lines

ANNOTATOR_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
_USER_NAMES = TypeAdapter(dict[str, Annotated[str, StringConstraints(pattern=ANNOTATOR_NAME)]])


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
    ground_truth: bool = False  # Label Studio's mark of a reference annotation


@dataclass(frozen=True)
class LeftOut:
    """An annotation in the file that is not labels to import, on purpose: cancelled, or a draft."""

    position: SourcePosition
    what: str


LabelResult = LabelRecord | Rejection | LeftOut
# Label Studio user ids (or e-mails) -> our user names, for annotations whose completed_by is a number.
UserNames = Mapping[str, str]


def read_label_file(path: Path, users: UserNames | None = None) -> Iterator[LabelResult]:
    suffix = path.suffix.lower()
    with path.open("rb") as stream:
        if suffix in (".jsonl", ".ndjson"):
            yield from read_label_jsonl(path.name, stream)
        elif suffix == ".json":
            yield from read_labelstudio_export(path.name, stream, users or {})
        elif suffix in (".csv", ".tsv"):
            yield Rejection(source=path.name, reason=FLAT_EXPORT_REFUSAL.format(kind=suffix[1:].upper()))
        elif suffix in (".conll", ".conll2003"):
            yield Rejection(source=path.name, reason=CONLL_REFUSAL)
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


def read_labelstudio_export(name: str, stream: IO[bytes], users: UserNames) -> Iterator[LabelResult]:
    """Each annotation of each task; the article is found by the task's text. Cancelled annotations
    and drafts are left out (and counted)."""
    for found in labelstudio_tasks(name, stream):
        if isinstance(found, Rejection):
            yield found
            continue
        position, text, task = found
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                yield LeftOut(position, "cancelled annotation")
            else:
                yield _from_labelstudio(position, text, annotation, users)
        for _ in task.get("drafts") or []:
            yield LeftOut(position, "draft (not submitted)")


def _from_labelstudio(position: SourcePosition, text: str, annotation: dict[str, Any], users: UserNames) -> LabelResult:
    notes: list[str] = []
    try:
        content = AnnotationContent.model_validate(results_to_content(annotation.get("result") or [], notes))
    except ConversionError as error:
        return Rejection(**position.model_dump(), reason=str(error))
    except ValidationError as error:
        return Rejection(**position.model_dump(), reason=validation_reason(error))
    return LabelRecord(position, labelstudio_annotator(annotation.get("completed_by"), users), content, article_text=text,
                       notes=tuple(notes), ground_truth=bool(annotation.get("ground_truth")))


def labelstudio_annotator(completed_by: Any, users: UserNames | None = None) -> str:
    """A user name for Label Studio's `completed_by`: the name `users` gives its id or e-mail, else the
    e-mail's local part, else `labelstudio-ID` (ids of two servers collide: map them), else (an annotation
    that names no user, as our own export writes them) `labelstudio`."""
    users = users or {}
    email = ""
    if isinstance(completed_by, dict):
        email = str(completed_by.get("email") or "")
        completed_by = completed_by.get("id")
    for key in (email, str(completed_by)):
        if key and key in users:
            return users[key]
    local = re.sub(r"[^A-Za-z0-9_.-]", "-", email.split("@")[0]).strip("-.")
    if local:
        return local[:80]
    return "labelstudio" if completed_by is None else f"labelstudio-{completed_by}"


def read_user_names(path: Path) -> dict[str, str]:
    """A `--users` file: a JSON object from Label Studio user ids (or e-mails) to our user names."""
    try:
        names = _USER_NAMES.validate_json(path.read_bytes())
    except ValidationError as error:
        raise ValueError(f"{path.name}: {validation_reason(error)}") from error
    return names
