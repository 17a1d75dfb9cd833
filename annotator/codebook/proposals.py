"""A proposed actor taken into the codebook: the new schema version and the plan that move its labels (no database)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from annotator.codebook.history import ProposedActor
from annotator.labelschema import LabelSchema
from annotator.labelschema.models import PROPOSAL_PREFIX


def next_version(version: str) -> str:
    """The version after this one: its last number plus one (1.0.0 -> 1.0.1), else `.1` added."""
    found = re.fullmatch(r"(.*?)(\d+)", version)
    return f"{found.group(1)}{int(found.group(2)) + 1}" if found else f"{version}.1"


def taking_in(schema: LabelSchema, proposal: ProposedActor, version: str, into: str | None) -> tuple[str, str]:
    """The text of a new schema version and of its plan: the proposal becomes an actor of its own (`into`
    None; the words annotators marked are its label and aliases), or its words become aliases of `into`."""
    document = schema.model_dump(mode="json")
    document["version"] = version
    actors: list[dict[str, Any]] = document["vocabularies"]["actors"]
    if into is None:
        target = proposal.id.removeprefix(PROPOSAL_PREFIX)
        label = proposal.names[0] if proposal.names else target.replace("_", " ")
        actors.append({"id": target, "label": label, "aliases": proposal.names[1:], "kind": ""})
    else:
        target = into
        entry = next((a for a in actors if a["id"] == into), None)
        if entry is None:
            raise ValueError(f"no actor {into!r} in {schema.name} {schema.version}")
        known = {str(n).casefold() for n in [entry["label"], *entry["aliases"]]}
        entry["aliases"] = [*entry["aliases"], *(n for n in proposal.names if n.casefold() not in known)]
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True), yaml.safe_dump({"actor": {proposal.id: target}})
