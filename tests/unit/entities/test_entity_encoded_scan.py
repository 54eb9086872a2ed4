"""The page pass scans Latin-1 bytes ("?" for other characters) and gets the text scan's matches.

``rules_page.encode`` maps each character to one byte, so offsets agree; forms and cues with a
character beyond Latin-1 match more in bytes than in text ("Erdo?an" matches "Erdo🙂an"), which
``gazetteer_matches`` and ``cue_spans`` check. Every test compares with ``ahocorasick_rs`` run
on the text itself.
"""

from __future__ import annotations

import ahocorasick_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.entities.reference import DEFAULT_MIN_CITY_POPULATION, ReferenceName, build_reference
from etl.entities.rules_backend import build_automaton, cached_automaton, gazetteer_spans
from etl.entities.rules_page import (
    _CUES,
    Scanner,
    encode,
    gazetteer_matches,
    join_texts,
)

SCANNER = cached_automaton(None, DEFAULT_MIN_CITY_POPULATION)
_TEXT_CUES = ahocorasick_rs.AhoCorasick(list(_CUES))


def _exact_matches(joined: str, scanner: Scanner) -> list[tuple[int, int, int]]:
    """Leftmost-longest on the text (the reference), then the word-boundary filter."""
    found = scanner.exact.find_matches_as_indexes(joined)
    return [
        (index, start, end)
        for index, start, end in found
        if not (joined[start - 1].isalpha() or joined[start - 1] == "_")
        and not (joined[end].isalnum() or joined[end] == "_")
    ]


def _same(text: str, scanner: Scanner = SCANNER) -> list[tuple[int, int, int]]:
    joined, _ = join_texts([text])
    got = gazetteer_matches(joined, scanner)
    assert got == _exact_matches(joined, scanner), text
    data = encode(joined)
    assert len(data) == len(joined)
    cues = [
        (index, start)
        for index, start, _ in scanner.triggers.find_matches_as_indexes(data, overlapping=True)
        if index not in scanner.checked_cues or joined.startswith(_CUES[index], start)
    ]
    want = [
        (index, start)
        for index, start, _ in _TEXT_CUES.find_matches_as_indexes(joined, overlapping=True)
    ]
    assert sorted(cues) == sorted(want), text
    return got


def test_forms_beyond_latin1_are_checked() -> None:
    assert SCANNER.checked, "the reference has forms such as 'Erdoğan' or 'Xi’an'"
    assert {_CUES[index] for index in SCANNER.checked_cues} == {"’s ", "’s\t"}


@pytest.mark.parametrize(
    "text",
    [
        "Erdoğan met Recep Tayyip Erdoğan in İzmir and Xi’an",
        "Erdo🙂an and Erdo?an and Erdoьan are not Erdoğan",  # shown as "Erdo?an" in bytes
        "Xi?an, Xi'an, Xi’an, XI’AN, Xi🙂an",
        "Recep Tayyip Erdo?an says Erdoğan",  # a false longer match hides a true shorter one
        "DW’s Natalia Smolentceva, DW🙂s Natalia, DW?s Natalia, DW's Natalia",
        "İzmir İZMIR ?zmir 🙂zmir Diyarbakır Diyarbak?r",
        "Iran 🙂 Putin, Україна Iran, Président Macron, Präsident Scholz",
        "",
    ],
)
def test_encoded_scan_equals_text_scan(text: str) -> None:
    _same(text)


def test_a_false_match_falls_back_to_the_text_scan() -> None:
    names = ["Erdoğan", "Erdo", "Ağa Khan", "Khan"]
    scanner = build_automaton(build_reference([ReferenceName(n, n, "PERSON") for n in names]))
    assert len(scanner.checked) == 4  # with the upper-case variants
    text = "Erdo🙂an and A🙂a Khan, Erdoğan, Ağa Khan"
    found = _same(text, scanner)
    joined, _ = join_texts([text])
    want = ["Erdo", "Khan", "Erdoğan", "Ağa Khan"]
    assert [joined[start:end] for _, start, end in found] == want
    assert [text[s.start : s.end] for s in gazetteer_spans(text, scanner)] == want


_PIECES = st.sampled_from(
    [
        "Erdoğan", "Erdo", "ğ", "an", "Xi", "’", "'", "an", "İzmir", "İ", "zmir", "?", "🙂", "ь",
        "s ", "DW", "’s ", "Recep Tayyip ", "Iran", "President ", "Lu’an", "Tai’an", " ", "\t",
        "Diyarbakır", "ı", "Thāne", "ā", "Al Başrah al Qadīmah", "ş", "Président ",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=16))
def test_encoded_scan_equals_text_scan_on_generated_text(pieces: list[str]) -> None:
    _same("".join(pieces))
