"""What a save must satisfy against the article text and the schema (pure core, no server)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from annotator.annotate.checks import check_annotation
from annotator.annotate.models import AnnotationContent, AnnotationSave
from annotator.labelschema import LabelSchema
from tests.support import refusal_statement, span_of

TEXT = (
    "Kremlin says no groundwork yet\n\n"
    '"Until the delegations have a substantive agenda on paper, there is nothing to discuss," '
    "Kremlin spokesman Dmitry Peskov told reporters, according to the Tass news agency."
)


def problems(schema: LabelSchema, **changes: Any) -> list[tuple[str, str]]:
    statement = {**refusal_statement(TEXT), **changes}
    content = AnnotationContent.model_validate({"statements": [statement]})
    return [(p.field, p.message) for p in check_annotation(content, TEXT, schema)]


def test_a_complete_statement_passes(schema: LabelSchema) -> None:
    assert problems(schema) == []


def test_span_outside_the_text_is_refused(schema: LabelSchema) -> None:
    found = problems(schema, evidence={"start": len(TEXT) - 2, "end": len(TEXT) + 5, "text": "y."})
    assert found == [("statements.0.evidence.end", f"span {len(TEXT) - 2}..{len(TEXT) + 5} lies outside the text (length {len(TEXT)})")]


def test_quote_that_differs_from_the_article_is_refused(schema: LabelSchema) -> None:
    span = span_of(TEXT, "Dmitry Peskov")
    found = problems(schema, actor={"id": "peskov", "span": {**span, "text": "Dmitri Peskov"}})
    assert found == [("statements.0.actor.span.text", "quoted text 'Dmitri Peskov' differs from the article at "
                      f"{span['start']}..{span['end']}: 'Dmitry Peskov'")]


@pytest.mark.parametrize(
    ("change", "field", "message_start"),
    [
        ({"stance": "hostile"}, "statements.0.stance", "unknown stance 'hostile'"),
        ({"target": "moon_landing"}, "statements.0.target", "unknown target 'moon_landing'"),
        ({"actor": {"id": "gandalf"}}, "statements.0.actor.id", "'gandalf' is not in the actors vocabulary"),
        ({"source_outlet": {"id": "daily_planet"}}, "statements.0.source_outlet.id", "'daily_planet' is not in the outlets"),
    ],
)
def test_labels_outside_the_schema_are_refused(schema: LabelSchema, change: dict[str, Any], field: str, message_start: str) -> None:
    [(found_field, message)] = problems(schema, **change)
    assert found_field == field
    assert message.startswith(message_start)


def test_unknown_precondition_category_is_refused(schema: LabelSchema) -> None:
    precondition = {"category": "good_weather", "span": span_of(TEXT, "a substantive agenda on paper")}
    [(field, message)] = problems(schema, preconditions=[precondition])
    assert field == "statements.0.preconditions.0.category"
    assert message.startswith("unknown category 'good_weather'")


def test_conditional_stance_without_precondition_is_refused(schema: LabelSchema) -> None:
    assert problems(schema, preconditions=[]) == [
        ("statements.0.preconditions", "stance 'conditional' needs at least one precondition")
    ]


def test_other_stances_need_no_precondition(schema: LabelSchema) -> None:
    assert problems(schema, stance="refuses", preconditions=[]) == []


def test_evidence_is_required(schema: LabelSchema) -> None:
    assert problems(schema, evidence=None) == [("statements.0.evidence", "mark its words in the text")]


def test_a_proposed_actor_is_accepted(schema: LabelSchema) -> None:
    assert problems(schema, actor={"id": "new:maria_zakharova_deputy"}) == []


def test_unknown_article_outlet_is_refused(schema: LabelSchema) -> None:
    content = AnnotationContent.model_validate({"article": {"outlet": "daily_planet"}})
    [problem] = check_annotation(content, TEXT, schema)
    assert (problem.field, problem.message) == ("article.outlet", "unknown outlet 'daily_planet'")


def test_span_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="end .* must be greater than start"):
        AnnotationContent.model_validate({"statements": [{"actor": {"id": "putin", "span": {"start": 5, "end": 5, "text": ""}}, "stance": "open", "target": "ceasefire"}]})


def test_offsets_must_be_integers_not_strings() -> None:
    with pytest.raises(ValidationError, match="valid integer"):
        AnnotationContent.model_validate({"statements": [{"actor": {"id": "putin", "span": {"start": "0", "end": 5, "text": "Putin"}}, "stance": "open", "target": "ceasefire"}]})


def test_a_save_must_state_its_base_revision() -> None:
    with pytest.raises(ValidationError, match="base_revision"):
        AnnotationSave.model_validate({"statements": []})


def test_two_statements_with_one_actor_and_target_are_refused_naming_both(schema: LabelSchema) -> None:
    text = "Peskov said talks could start. Peskov later said talks were off."
    first = {"actor": {"id": "peskov"}, "stance": "refuses", "target": "leaders_meeting", "preconditions": [],
             "evidence": span_of(text, "Peskov later said talks were off.")}
    content = AnnotationContent.model_validate({"statements": [first, {**first, "stance": "open"}]})
    [problem] = check_annotation(content, text, schema)
    assert problem.field == "statements.1"
    assert "statements 1 and 2 both have actor 'peskov' and target 'leaders_meeting'" in problem.message
