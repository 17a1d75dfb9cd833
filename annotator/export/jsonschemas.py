"""JSON Schemas of the export records, generated from the pydantic models (kept in schemas/)."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.export.models import RECORD_MODELS, json_schema_name


def render_schemas() -> dict[str, str]:
    """File name -> JSON text of every record format's schema."""
    return {
        json_schema_name(name): json.dumps(model.model_json_schema(mode="serialization"), indent=2, sort_keys=True) + "\n"
        for name, model in RECORD_MODELS.items()
    }


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        path = folder / name
        path.write_text(text)
        written.append(path)
    return written
