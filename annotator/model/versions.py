"""A project's model versions, kept in the database (card and file), so every host lists and uses every
version. Listing needs no model extra: only loading a file does."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.errors import Conflict, NotFound
from annotator.model.card import ModelCard
from annotator.storage.tables import ModelVersion

MODEL_NAME = "baseline"


def list_cards(session: Session, project_id: int) -> list[ModelCard]:
    """Every version's card, newest first."""
    cards = session.scalars(select(ModelVersion.card).where(ModelVersion.project_id == project_id, ModelVersion.name == MODEL_NAME))
    return sorted((ModelCard.model_validate(card) for card in cards), key=lambda c: int(c.version), reverse=True)


def next_version(session: Session, project_id: int) -> str:
    return str(max((int(c.version) for c in list_cards(session, project_id)), default=0) + 1)


def store_version(session: Session, project_id: int, card: ModelCard, file: bytes) -> None:
    session.add(ModelVersion(project_id=project_id, name=MODEL_NAME, version=card.version, card=card.model_dump(mode="json"), file=file))
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(f"{MODEL_NAME}@{card.version} was stored meanwhile by another run; train again") from error


def version_file(session: Session, project_id: int, version: str) -> tuple[bytes, ModelCard]:
    found = session.execute(select(ModelVersion.file, ModelVersion.card).where(
        ModelVersion.project_id == project_id, ModelVersion.name == MODEL_NAME, ModelVersion.version == version)).first()
    if found is None:
        known = ", ".join(c.version for c in reversed(list_cards(session, project_id))) or "none yet"
        raise NotFound(f"no {MODEL_NAME} model version {version!r} (found: {known}); train one with `annotator train`")
    return found[0], ModelCard.model_validate(found[1])
