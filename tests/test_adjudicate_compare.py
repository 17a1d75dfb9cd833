"""Unanimity, majority proposals and the gold method, on hand-made labels (pure core)."""

from __future__ import annotations

from typing import Any

from annotator.adjudicate.compare import Version, gold_method, is_unanimous, key_rows, majority_proposal


def content(stance: str, evidence: tuple[int, int] = (0, 10), relevant: bool = True) -> dict[str, Any]:
    return {
        "statements": [{
            "actor": {"id": "putin", "span": None}, "stance": stance, "target": "ceasefire", "preconditions": [],
            "source_outlet": None, "evidence": {"start": evidence[0], "end": evidence[1], "text": "x" * (evidence[1] - evidence[0])},
        }],
        "article": {"relevant": relevant, "outlet": None, "note": "mine"},
    }


def versions(*contents: dict[str, Any]) -> list[Version]:
    return [Version(f"annotator{i}", i + 1, c) for i, c in enumerate(contents)]


def test_identical_labels_are_unanimous_whatever_the_notes_say() -> None:
    other = content("open")
    other["article"]["note"] = "different note"
    assert is_unanimous(versions(content("open"), other))


def test_a_span_boundary_difference_breaks_unanimity() -> None:
    assert not is_unanimous(versions(content("open"), content("open", evidence=(0, 11))))
    [row] = key_rows(versions(content("open"), content("open", evidence=(0, 11))))
    assert row.differs == ["evidence"]


def test_one_annotator_is_never_unanimous() -> None:
    assert not is_unanimous(versions(content("open")))


def test_two_of_three_make_a_decisive_majority() -> None:
    three = versions(content("open"), content("refuses"), content("open"))
    proposal = majority_proposal(three)
    assert proposal.decisive
    assert proposal.content["statements"][0]["stance"] == "open"
    assert gold_method(proposal.content, three) == "majority"


def test_a_tie_is_not_a_majority() -> None:
    two = versions(content("open"), content("refuses"))
    proposal = majority_proposal(two)
    assert not proposal.decisive
    assert gold_method(proposal.content, two) == "adjudicated"


def test_a_one_to_one_tie_is_left_to_the_lead_not_settled_for_the_first_annotator() -> None:
    proposal = majority_proposal(versions(content("open"), content("refuses")))
    assert proposal.ties == ["statement (putin, ceasefire)"]
    assert proposal.content["statements"] == []


def test_a_statement_only_one_of_two_gave_is_a_tie_on_its_presence() -> None:
    without = content("open")
    without["statements"] = []
    proposal = majority_proposal(versions(content("open"), without))
    assert proposal.ties == ["statement (putin, ceasefire)"]


def test_an_even_split_on_an_article_field_keeps_its_default_and_is_named() -> None:
    proposal = majority_proposal(versions(content("open", relevant=False), content("open")))
    assert proposal.ties == ["article.relevant"]
    assert proposal.content["article"]["relevant"] is True
    assert proposal.content["statements"][0]["stance"] == "open"


def test_two_of_three_settle_what_one_of_two_could_not() -> None:
    proposal = majority_proposal(versions(content("open"), content("refuses"), content("refuses")))
    assert proposal.ties == []
    assert proposal.content["statements"][0]["stance"] == "refuses"


def test_gold_equal_to_unanimous_labels_is_unanimous() -> None:
    both = versions(content("open"), content("open"))
    assert gold_method(content("open"), both) == "unanimous"
    assert gold_method(content("refuses"), both) == "adjudicated"


def test_two_agreeing_of_three_the_overlap_asks_for_settle_by_majority_not_unanimously() -> None:
    both = [Version("ana", 1, content("open")), Version("ben", 2, content("open"))]
    assert gold_method(content("open"), both, overlap=3) == "majority"
    assert gold_method(content("open"), both, overlap=2) == "unanimous"
