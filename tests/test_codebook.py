"""The codebook between two schema versions: what changes, and where a plan sends each old id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from annotator.cli import main
from annotator.codebook.diff import schema_diff
from annotator.codebook.plan import PlanError, checked_plan, unplanned
from annotator.labelschema import LabelSchema
from annotator.shipped import default_schema_path


def document() -> dict[str, Any]:
    return yaml.safe_load(default_schema_path().read_text())  # type: ignore[no-any-return]


def version(change: Any) -> LabelSchema:
    """The shipped schema as version 2.0.0, changed by `change` (which edits the document in place)."""
    doc = document()
    doc["version"] = "2.0.0"
    change(doc)
    return LabelSchema.model_validate(doc)


def choices(doc: dict[str, Any], field: str) -> list[dict[str, Any]]:
    if field == "category":
        return doc["statement"]["preconditions"]["categories"]  # type: ignore[no-any-return]
    return doc["statement"][field]["choices"]  # type: ignore[no-any-return]


def split_commitment(doc: dict[str, Any]) -> None:
    categories = choices(doc, "category")
    categories[:] = [c for c in categories if c["id"] not in ("demonstrated_commitment", "security_interests", "sovereignty")]
    categories += [{"id": "commitment_words", "label": "Commitment in words"},
                   {"id": "commitment_deeds", "label": "Commitment in deeds"},
                   {"id": "security", "label": "Security and sovereignty"}]


OLD = LabelSchema.model_validate(document())


def test_a_new_label_for_a_target_is_text_only_and_touches_no_labels() -> None:
    new = version(lambda doc: choices(doc, "target")[0].update(label="US and Russia talk"))
    [change] = schema_diff(OLD, new).changes
    assert (change.field, change.kind, change.old, change.touches_labels) == ("target", "text", "us_russia_talks", False)
    assert "text only: touches no labels" in change.line()


def test_an_id_with_the_same_label_and_description_is_seen_as_renamed() -> None:
    new = version(lambda doc: choices(doc, "target")[2].update(id="summit"))
    [change] = schema_diff(OLD, new).changes
    assert (change.kind, change.old, change.new, change.touches_labels) == ("renamed", "leaders_meeting", "summit", True)
    assert unplanned(schema_diff(OLD, new), None) == []  # the rename places it


def test_ids_added_and_removed_are_named_and_an_unplanned_removal_is_reported() -> None:
    diff = schema_diff(OLD, version(split_commitment))
    kinds = {(c.kind, c.old or c.new) for c in diff.changes}
    assert {("removed", "demonstrated_commitment"), ("added", "commitment_words"), ("added", "security")} <= kinds
    assert sorted(unplanned(diff, None)) == [("category", "demonstrated_commitment"), ("category", "security_interests"),
                                             ("category", "sovereignty")]


def test_a_stance_that_now_needs_a_precondition_is_a_rule_that_touches_labels() -> None:
    new = version(lambda doc: choices(doc, "stance")[0].update(requires_precondition=True))
    [change] = schema_diff(OLD, new).changes
    assert (change.field, change.kind, change.detail, change.touches_labels) == ("stance", "rule", "open requires a precondition", True)


def test_a_plan_names_renames_merges_splits_and_retirements() -> None:
    plan = checked_plan(yaml.safe_dump({"category": {
        "security_interests": "security", "sovereignty": "security",
        "demonstrated_commitment": ["commitment_words", "commitment_deeds"], "ceasefire_first": None,
    }}, sort_keys=False), OLD, version(split_commitment))
    assert [(s.old, s.kind, s.carried) for s in plan.steps] == [
        ("security_interests", "merge", True), ("sovereignty", "merge", True),
        ("demonstrated_commitment", "split", False), ("ceasefire_first", "retire", False)]
    assert len(plan.sha256) == 64


def test_a_plan_naming_ids_neither_version_has_is_refused_naming_each() -> None:
    with pytest.raises(PlanError) as refused:
        checked_plan("category:\n  no_such: security\n  sovereignty: nowhere\n", OLD, version(split_commitment))
    assert refused.value.problems == [
        "category 'no_such' is not in diplomacy-stance 1.0.0",
        "category 'sovereignty' -> 'nowhere': 'nowhere' is not in diplomacy-stance 2.0.0",
    ]


def test_a_proposed_actor_may_be_planned_onto_an_existing_id() -> None:
    plan = checked_plan("actor:\n  new:erdogan_aide: erdogan\n", OLD, version(lambda doc: None))
    assert [(s.field, s.old, s.kind, s.new) for s in plan.steps] == [("actor", "new:erdogan_aide", "rename", ["erdogan"])]


def test_the_diff_command_lists_changes_and_what_the_plan_does(tmp_path: Path) -> None:
    new = tmp_path / "v2.yaml"
    new.write_text(yaml.safe_dump(version(split_commitment).model_dump(mode="json")))
    plan = tmp_path / "plan.yaml"
    plan.write_text("category:\n  security_interests: security\n  sovereignty: security\n")
    result = CliRunner().invoke(main, ["schema", "diff", "diplomacy-stance", str(new), "--plan", str(plan)])
    assert result.exit_code == 0, result.output
    assert "diplomacy-stance 1.0.0 -> diplomacy-stance 2.0.0" in result.output
    assert "category   sovereignty -> security (merged)" in result.output
    assert "unplanned  category 'demonstrated_commitment' is gone from 2.0.0" in result.output
