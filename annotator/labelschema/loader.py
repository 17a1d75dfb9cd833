"""Read a schema file, reporting any problem with the line it sits on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from annotator.labelschema.models import LabelSchema


class SchemaError(ValueError):
    """A schema file that cannot be used; each problem names its field and line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: invalid label schema\n" + "\n".join(f"  {p}" for p in problems))


def load_schema(path: Path) -> LabelSchema:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SchemaError(str(path), [f"cannot read file: {error}"]) from error
    return load_schema_text(text, source=str(path))


def load_schema_text(text: str, source: str = "<schema>") -> LabelSchema:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise SchemaError(source, [f"{where}not valid YAML: {getattr(error, 'problem', error)}"]) from error
    if not isinstance(data, dict):
        raise SchemaError(source, ["line 1: the file must be a mapping of schema fields"])
    try:
        return LabelSchema.model_validate(data)
    except ValidationError as error:
        raise SchemaError(source, [_describe(issue, root) for issue in error.errors()]) from error


def _describe(issue: Any, root: yaml.Node | None) -> str:
    location = ".".join(str(part) for part in issue["loc"]) or "(top level)"
    line = _line_of(root, issue["loc"])
    prefix = f"line {line}: " if line else ""
    return f"{prefix}{location}: {issue['msg']}"


def _line_of(node: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a line number."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                break
            key, node = match
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
