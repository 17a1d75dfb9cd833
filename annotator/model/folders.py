"""Where a project's model versions live on disk (no extra needed to list them)."""

from __future__ import annotations

from pathlib import Path

from annotator.model.card import ModelCard
from annotator.storage.tables import Project


def models_folder(data_dir: Path, project: Project) -> Path:
    return data_dir / "models" / f"project-{project.id}"


def next_version(folder: Path) -> str:
    taken = [int(p.name) for p in folder.glob("*") if p.name.isdigit()]
    return str(max(taken, default=0) + 1)


def list_cards(folder: Path) -> list[ModelCard]:
    """Every version's card, newest first."""
    cards = [ModelCard.model_validate_json((p / "card.json").read_text())
             for p in folder.glob("*") if p.name.isdigit() and (p / "card.json").is_file()]
    return sorted(cards, key=lambda c: int(c.version), reverse=True)
