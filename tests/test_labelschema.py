"""The label schema file: loading, refusing broken files with field and line, suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.labelschema import LabelSchema, SchemaError, load_schema_text
from annotator.labelschema.suggest import suggest_spans
from annotator.shipped import default_schema_path


def broken(schema_text: str, old: str, new: str) -> str:
    assert old in schema_text, f"fixture text {old!r} not in the schema"
    return schema_text.replace(old, new, 1)


@pytest.fixture(scope="module")
def schema_text() -> str:
    return default_schema_path().read_text()


def test_shipped_schema_has_every_statement_field_and_stance(schema: LabelSchema) -> None:
    assert schema.version == "1.0.0"
    assert schema.statement.stance.ids() == ["open", "conditional", "refuses", "noncommittal"]
    assert [c.id for c in schema.statement.stance.choices if c.requires_precondition] == ["conditional"]
    assert all(choice.example for choice in schema.statement.stance.choices)
    assert {"putin", "peskov", "psaki", "kremlin", "white_house"} <= schema.vocabulary_ids("actors")
    assert {"tass", "reuters", "swifteradio"} <= schema.vocabulary_ids("outlets")


def test_invalid_yaml_is_refused_with_its_line(schema_text: str) -> None:
    with pytest.raises(SchemaError) as refused:
        load_schema_text(schema_text + "\nvocabularies: [unclosed\n", source="bad.yaml")
    assert "not valid YAML" in str(refused.value)
    assert "line" in str(refused.value)


def test_unknown_field_is_named_with_its_line(schema_text: str) -> None:
    text = broken(schema_text, "    allow_proposals: true", "    allow_proposal: true")
    line = text.splitlines().index("    allow_proposal: true") + 1
    with pytest.raises(SchemaError) as refused:
        load_schema_text(text)
    assert refused.value.problems == [f"line {line}: statement.actor.allow_proposal: Extra inputs are not permitted"]


def test_wrong_type_is_named_with_its_line(schema_text: str) -> None:
    text = broken(schema_text, "requires_precondition: true", "requires_precondition: sometimes")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "sometimes" in row)
    with pytest.raises(SchemaError) as refused:
        load_schema_text(text)
    assert refused.value.problems == [
        f"line {line}: statement.stance.choices.1.requires_precondition: "
        "Input should be a valid boolean, unable to interpret input"
    ]


def test_missing_required_section_is_named(schema_text: str) -> None:
    text = broken(schema_text, "  evidence:\n    help: The sentence (or shortest passage) that carries the statement.\n    span: required\n", "")
    with pytest.raises(SchemaError) as refused:
        load_schema_text(text)
    assert any("statement.evidence: Field required" in p for p in refused.value.problems)


def test_alias_naming_two_actors_is_refused(schema_text: str) -> None:
    text = broken(schema_text, "aliases: [Psaki,", "aliases: [Peskov, Psaki,")
    with pytest.raises(SchemaError, match="alias 'Peskov' names both 'peskov' and 'psaki'"):
        load_schema_text(text)


def test_schema_check_command_reports_ok(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schema", "check", str(default_schema_path())])
    assert result.exit_code == 0, result.output
    assert "ok: diplomacy-stance version 1.0.0" in result.output


def test_a_shipped_schema_is_named_without_a_path_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no checkout here: the name is enough
    result = CliRunner().invoke(main, ["schema", "check", "diplomacy-stance"])
    assert result.exit_code == 0, result.output
    assert "ok: diplomacy-stance version 1.0.0" in result.output


def test_a_schema_that_is_neither_a_file_nor_shipped_is_named_with_those_that_are(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schema", "check", str(tmp_path / "nowhere.yaml")])
    assert result.exit_code == 2
    assert "is no file, nor a shipped schema (diplomacy-stance)" in result.output


def test_schema_check_command_fails_on_a_broken_file(tmp_path: Path, schema_text: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(broken(schema_text, "version: \"1.0.0\"", "version: \"\""))
    result = CliRunner().invoke(main, ["schema", "check", str(bad)])
    assert result.exit_code == 1
    assert "line 5: version: String should match pattern" in result.output


def test_suggestions_prefer_the_longest_alias(schema: LabelSchema) -> None:
    text = "Kremlin spokesman Dmitry Peskov said so, according to the Tass news agency. Peskov added more."
    found = [(s.id, s.text) for s in suggest_spans(text, schema)]
    assert found == [
        ("peskov", "Kremlin spokesman Dmitry Peskov"),
        ("tass", "Tass news agency"),
        ("peskov", "Peskov"),
    ]


def test_suggestions_match_whole_words_only(schema: LabelSchema) -> None:
    assert suggest_spans("Putinism and Kremlinology are not names.", schema) == []


def test_suggestion_offsets_count_code_points(schema: LabelSchema) -> None:
    text = "🕊️ Putin spoke."
    [suggestion] = suggest_spans(text, schema)
    assert text[suggestion.start : suggestion.end] == "Putin"
