"""Checks of a save against the article text and the label schema (no I/O)."""

from __future__ import annotations

from collections.abc import Iterator

from annotator.annotate.models import AnnotationContent, EntityRef, Span
from annotator.errors import Problem
from annotator.labelschema.models import PROPOSAL_PATTERN, EntityField, LabelSchema, SpanRule

Loc = tuple[str | int, ...]


def check_annotation(content: AnnotationContent, text: str, schema: LabelSchema) -> list[Problem]:
    """Every problem that makes this content unfit to store; empty means it may be saved."""
    return list(_problems(content, text, schema))


def _problems(content: AnnotationContent, text: str, schema: LabelSchema) -> Iterator[Problem]:
    fields = schema.statement
    for index, statement in enumerate(content.statements):
        at: Loc = ("statements", index)
        yield from _check_entity(statement.actor, fields.actor, schema, text, (*at, "actor"))
        if (stance := schema.stance(statement.stance)) is None:
            yield _unknown((*at, "stance"), "stance", statement.stance, fields.stance.ids())
        elif stance.requires_precondition and not statement.preconditions:
            yield Problem.at((*at, "preconditions"), f"stance {stance.id!r} needs at least one precondition")
        if statement.target not in fields.target.ids():
            yield _unknown((*at, "target"), "target", statement.target, fields.target.ids())
        for number, precondition in enumerate(statement.preconditions):
            where = (*at, "preconditions", number)
            if precondition.category not in fields.preconditions.ids():
                yield _unknown(
                    (*where, "category"), "category", precondition.category, fields.preconditions.ids()
                )
            yield from _check_span(precondition.span, fields.preconditions.span, text, (*where, "span"))
        if statement.source_outlet is not None:
            yield from _check_entity(
                statement.source_outlet, fields.source_outlet, schema, text, (*at, "source_outlet")
            )
        yield from _check_span(statement.evidence, fields.evidence.span, text, (*at, "evidence"))
    yield from _check_one_statement_per_key(content)
    outlet = content.article.outlet
    if outlet is not None and outlet not in schema.vocabulary_ids(schema.article.outlet.vocabulary):
        yield Problem.at(("article", "outlet"), f"unknown outlet {outlet!r}")


def _check_one_statement_per_key(content: AnnotationContent) -> Iterator[Problem]:
    """An article holds one statement per actor and target: agreement aligns statements by that key,
    adjudication and export keep one record per key, so a second would be dropped silently later."""
    first_with: dict[tuple[str, str], int] = {}
    for index, statement in enumerate(content.statements):
        key = (statement.actor.id, statement.target)
        if (earlier := first_with.setdefault(key, index)) != index:
            yield Problem.at(
                ("statements", index),
                f"statements {earlier + 1} and {index + 1} both have actor {key[0]!r} and target {key[1]!r}: "
                "merge them into one (its preconditions and evidence together), or change one's actor or target",
            )


def _check_entity(
    ref: EntityRef, rule: EntityField, schema: LabelSchema, text: str, at: Loc
) -> Iterator[Problem]:
    known = schema.vocabulary_ids(rule.vocabulary)
    proposed = rule.allow_proposals and PROPOSAL_PATTERN.match(ref.id)
    if not ref.id:
        hint = ", or propose one as new:some_name" if rule.allow_proposals else ""
        yield Problem.at((*at, "id"), f"give its id (one of the {rule.vocabulary} list{hint})")
    elif ref.id not in known and not proposed:
        hint = " (or propose one as new:some_name)" if rule.allow_proposals else ""
        yield Problem.at((*at, "id"), f"{ref.id!r} is not in the {rule.vocabulary} vocabulary{hint}")
    yield from _check_span(ref.span, rule.span, text, (*at, "span"))


def _check_span(span: Span | None, rule: SpanRule, text: str, at: Loc) -> Iterator[Problem]:
    if span is None:
        if rule == "required":
            yield Problem.at(at, "mark its words in the text")
        return
    if rule == "none":
        yield Problem.at(at, "this field takes no span")
    elif span.end > len(text):
        yield Problem.at((*at, "end"), f"span {span.start}..{span.end} lies outside the text (length {len(text)})")
    elif text[span.start : span.end] != span.text:
        yield Problem.at(
            (*at, "text"),
            f"quoted text {span.text!r} differs from the article at {span.start}..{span.end}: "
            f"{text[span.start:span.end]!r}",
        )


def _unknown(at: Loc, what: str, value: str, allowed: list[str]) -> Problem:
    if not value:
        return Problem.at(at, f"pick {'its' if what == 'category' else 'a'} {what}")
    return Problem.at(at, f"unknown {what} {value!r}; expected one of: {', '.join(allowed)}")
