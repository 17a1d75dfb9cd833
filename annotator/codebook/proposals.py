"""Plans written for the lead (no database): for a proposed actor taken into the codebook (the new version
and its plan), and for the ids a new version drops that the lead places on the Codebook page."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml

from annotator.codebook.diff import FIELD_ENTRIES, LabelField, schema_diff
from annotator.codebook.history import ProposedActor
from annotator.codebook.plan import checked_plan, unplanned
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


class IdToPlace(NamedTuple):
    """An id the new version drops, not placed yet, and the ids of its field it could go to."""

    field: LabelField
    old: str
    choices: list[str]


def ids_to_place(old: LabelSchema, new: LabelSchema, plan_text: str) -> list[IdToPlace]:
    plan = checked_plan(plan_text, old, new) if plan_text.strip() else None
    return [IdToPlace(field, old_id, [e.id for e in FIELD_ENTRIES[field](new)])
            for field, old_id in unplanned(schema_diff(old, new), plan)]


RETIRE, SPLIT = "(retired: people decide)", "(split: people decide)"


def with_places(plan_text: str, chosen: dict[str, str], splits: dict[str, str]) -> str:
    """The plan, with `FIELD:ID` placed as chosen: a new id, RETIRE, or SPLIT into the comma-separated ids
    given for it."""
    plan = (yaml.safe_load(plan_text) if plan_text.strip() else None) or {}
    for key, place in chosen.items():
        field, _, old_id = key.partition(":")
        if place == SPLIT:
            target: str | list[str] | None = [i.strip() for i in splits.get(key, "").split(",") if i.strip()]
        else:
            target = None if place == RETIRE else place
        plan.setdefault(field, {})[old_id] = target
    return yaml.safe_dump(plan, sort_keys=False)
