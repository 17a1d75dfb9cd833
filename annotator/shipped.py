"""Files that ship with the package: the label schemas and the demo corpus."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DEFAULT_SCHEMA = "diplomacy-stance.yaml"
SAMPLE_CORPUS = Path(__file__).parent / "demo" / "corpus"
# The demo's further articles, all labeled alike by its two annotators: gold enough to train a baseline.
DEMO_MORE = Path(__file__).parent / "demo" / "more"


def schemas_dir() -> Path:
    """The shipped label schemas and export JSON Schemas (the package annotator.schemas)."""
    return Path(str(files("annotator.schemas")))


def default_schema_path() -> Path:
    return schemas_dir() / DEFAULT_SCHEMA
