"""Span cleaning: edges, possessives, articles, titles, junk labels and overlap resolution."""

from __future__ import annotations

import itertools

import pytest
from entity_pages import page_of
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.entities import EntityBackend, make_backend
from etl.entities.spans import (
    PRIORITY_CHANNEL,
    PRIORITY_PATTERN,
    RawSpan,
    clean_span,
    is_junk,
    resolve_overlaps,
)


def cleaned(text: str, label: str = "GPE", priority: int = 10) -> str | None:
    """The surface left after cleaning a span over the whole of ``text``."""
    span = clean_span(text, RawSpan(0, len(text), label, priority))
    return None if span is None else text[span.start : span.end]


@pytest.mark.parametrize(
    ("raw", "label", "expected"),
    [
        ("Iran", "GPE", "Iran"),
        ("  Iran, ", "GPE", "Iran"),
        ("“Iran”", "GPE", "Iran"),
        ("Iran's", "GPE", "Iran"),
        ("Pezeshkian’s", "PERSON", "Pezeshkian"),
        ("Russians'", "NORP", "Russians"),
        ("the Kremlin", "ORG", "Kremlin"),
        ("The Middle East", "LOC", "Middle East"),
        ("U.S.", "GPE", "U.S."),
        ("Moscow.", "GPE", "Moscow"),
        ("President Vladimir Putin", "PERSON", "Vladimir Putin"),
        ("Dr. Janka Oertel", "PERSON", "Janka Oertel"),
        ("correspondent Natalia Smolentceva", "PERSON", "Natalia Smolentceva"),
        ("President", "PERSON", "President"),
        ("Thomas", "PERSON", "Thomas"),
        ("...", "ORG", None),
        ("", "ORG", None),
    ],
)
def test_clean_span(raw: str, label: str, expected: str | None) -> None:
    assert cleaned(raw, label) == expected


def test_channel_keeps_its_article() -> None:
    assert cleaned("The Diary Of A CEO", "ORG", PRIORITY_CHANNEL) == "The Diary Of A CEO"


def test_clean_span_moves_offsets_with_text() -> None:
    text = "talks with the Kremlin's envoy"
    span = clean_span(text, RawSpan(11, 24, "ORG"))
    assert span is not None
    assert (span.start, span.end, text[span.start : span.end]) == (15, 22, "Kremlin")


@pytest.mark.parametrize(
    ("surface", "label", "junk"),
    [
        ("thou", "GPE", True),
        ("He", "PERSON", True),
        ("he", "PERSON", True),
        ("US", "GPE", False),
        ("first", "ORDINAL", True),
        ("2022", "DATE", True),
        ("Iran", "GPE", False),
        ("iran", "GPE", True),
        ("✝️❤️✝️", "PERSON", True),
        ("Natalia\nSmolentceva", "PERSON", True),
        ("طهران", "GPE", False),
        ("iPhone", "PRODUCT", False),
        ("sequía", "HASHTAG", False),
        ("Matthew 18:22", "PERSON", True),
        ("Leo I", "PERSON", False),
        ("Apollo 11", "EVENT", False),
    ],
)
def test_is_junk(surface: str, label: str, junk: bool) -> None:
    assert is_junk(surface, label, frozenset()) is junk


def test_keep_labels_opts_numeric_labels_back_in() -> None:
    assert not is_junk("May 2024", "DATE", frozenset({"DATE"}))
    assert is_junk("May 2024", "DATE", frozenset({"CARDINAL"}))


def test_resolve_overlaps_prefers_priority_then_length() -> None:
    spans = [
        RawSpan(0, 7, "GPE"),
        RawSpan(0, 19, "PERSON", PRIORITY_PATTERN),
        RawSpan(8, 19, "GPE"),
        RawSpan(20, 26, "ORG"),
        RawSpan(20, 30, "ORG"),
    ]
    assert resolve_overlaps(spans) == [spans[1], spans[4]]


def test_numeric_labels_dropped_by_default_and_kept_on_request(
    spacy_backend: EntityBackend,
) -> None:
    page = page_of("Putin met Pezeshkian on 11 October 2024 for the first time.")
    (default,) = spacy_backend.annotate([page])
    assert {m.label for m in default} <= {"PERSON", "ORG", "GPE", "NORP"}
    (kept,) = make_backend("spacy", keep_labels=frozenset({"DATE"})).annotate([page])
    assert "DATE" in {m.label for m in kept}


def test_rules_backend_is_case_aware_on_word_boundaries(rules_backend: EntityBackend) -> None:
    (mentions,) = rules_backend.annotate([page_of("Tiran iran Iranian IRAN 03:40Iran Iran-backed")])
    assert [(m.text, m.label, m.start_char) for m in mentions] == [
        ("Iranian", "NORP", 11),
        ("IRAN", "GPE", 19),
        ("Iran", "GPE", 29),
        ("Iran", "GPE", 34),
    ]


def test_gazetteer_keeps_longest_leftmost_matches() -> None:
    from etl.entities.reference import ReferenceName, build_reference
    from etl.entities.rules_backend import build_automaton, gazetteer_spans

    names = ["Central Asia", "Asia", "Asian", "Central Asian", "Ibrahim Raisi", "Raisi", "Ab", "bc"]
    reference = build_reference([ReferenceName(n, n, "LOC") for n in names])
    text = "Central Asian states, Ibrahim Raisi, Raisi, Asia"
    spans = gazetteer_spans(text, build_automaton(reference))
    assert [text[s.start : s.end] for s in spans] == [
        "Central Asian",
        "Ibrahim Raisi",
        "Raisi",
        "Asia",
    ]


_SPANS = st.builds(
    lambda start, length, label, priority: RawSpan(start, start + length, label, priority),
    st.integers(0, 40),
    st.integers(1, 12),
    st.sampled_from(["GPE", "ORG", "PERSON"]),
    st.sampled_from([5, 10, 20, 30]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_SPANS, max_size=30))
def test_clustered_resolution_equals_global_greedy(spans: list[RawSpan]) -> None:
    from etl.entities.spans import _resolve_cluster

    result = resolve_overlaps(spans)
    assert result == _resolve_cluster(spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(result))


def test_model_compounds_of_known_names_are_split() -> None:
    from etl.entities.assemble import split_known_compounds
    from etl.entities.reference import load_reference

    text = "the Russian-Iranian deal, the Israel–Hamas war, Coca-Cola, US/Iran"
    spans = [RawSpan(4, 19, "NORP"), RawSpan(30, 42, "ORG"), RawSpan(48, 57, "ORG")]
    spans.append(RawSpan(59, 66, "GPE"))
    split = split_known_compounds(text, spans, load_reference())
    assert [(text[s.start : s.end], s.label) for s in split] == [
        ("Russian", "NORP"),
        ("Iranian", "NORP"),
        ("Israel", "GPE"),
        ("Hamas", "ORG"),
        ("Coca-Cola", "ORG"),
        ("US", "GPE"),
        ("Iran", "GPE"),
    ]


def test_model_spans_need_a_latin_letter() -> None:
    from etl.entities.spans import clean_spans, has_latin_letter

    assert has_latin_letter("Erdoğan") and has_latin_letter("Łódź")
    assert not has_latin_letter("Китай") and not has_latin_letter("القدس")
    text = "Китай and Łódź"
    spans = [RawSpan(0, 5, "PERSON"), RawSpan(10, 14, "GPE"), RawSpan(0, 5, "GPE", 5)]
    kept = clean_spans(text, spans, frozenset())
    assert [(text[s.start : s.end], s.label) for s in kept] == [("Китай", "GPE"), ("Łódź", "GPE")]
