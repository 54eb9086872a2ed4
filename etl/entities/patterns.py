"""Cheap pattern spans shared by both backends: hashtags, the page's channel, titled persons.

These run after the backend on every text, with a priority above the backend's spans, so a page's
structural facts (its channel) and unambiguous cues ("correspondent Natalia Smolentceva") override
the statistical model (which reads that name as two places) without reloading any pipeline.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence

import ahocorasick

from etl.entities.settings import HASHTAG, NAME_STOPWORDS, PERSON_TRIGGERS, TITLE_CONTINUATIONS
from etl.entities.spans import PRIORITY_CHANNEL, PRIORITY_HASHTAG, PRIORITY_PATTERN, RawSpan
from etl.textscan import iter_hashtags

# One word of a name after a title: a letter, then letters, digits, apostrophes or hyphens.
_NAME_WORD_RE = re.compile(r"[ \t]+([^\W\d_][\w'’\-]*)")
POSSESSIVE_GAP_RE = re.compile(r"['’]s(?=[ \t])")
_POSSESSIVE_TAIL_RE = re.compile(r"['’][sS]?$")
_MAX_NAME_WORDS = 3
_CONTINUATION_FORMS = frozenset(TITLE_CONTINUATIONS) | frozenset(
    w.lower() for w in TITLE_CONTINUATIONS
)
TRIGGER_FORMS = frozenset(PERSON_TRIGGERS) | frozenset(
    t[:1].lower() + t[1:] for t in PERSON_TRIGGERS
)


def is_word_boundary(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is not glued to a word on either side.

    A digit before the name counts as a boundary: transcripts glue times to text ("03:40Harari").
    """
    if start > 0 and (text[start - 1].isalpha() or text[start - 1] == "_"):
        return False
    return not (end < len(text) and (text[end].isalnum() or text[end] == "_"))


def hashtag_spans(text: str) -> list[RawSpan]:
    """HASHTAG spans from the shared scanner, covering the tag *without* its '#'.

    Excluding the '#' keeps ``text[start:end] == mention.text`` true for every label; the '#' is
    always at ``start - 1``.
    """
    return [
        RawSpan(h.start_char + 1, h.end_char, HASHTAG, PRIORITY_HASHTAG)
        for h in iter_hashtags(text)
    ]


def literal_spans(text: str, needle: str, label: str, priority: int) -> list[RawSpan]:
    """Every whole-word, case-exact occurrence of ``needle`` in ``text``."""
    spans: list[RawSpan] = []
    if not needle:
        return spans
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        if is_word_boundary(text, at, end):
            spans.append(RawSpan(at, end, label, priority))
        at = text.find(needle, at + 1)
    return spans


def channel_spans(text: str, channel: str | None) -> list[RawSpan]:
    """The page's channel name wherever it occurs: a known ORG from the page structure."""
    return literal_spans(text, channel.strip(), "ORG", PRIORITY_CHANNEL) if channel else []


@functools.cache
def _trigger_automaton() -> ahocorasick.Automaton:
    """Aho-Corasick automaton of title words in both initial cases (built once per process)."""
    automaton = ahocorasick.Automaton()
    for form in sorted(TRIGGER_FORMS):
        automaton.add_word(form, len(form))
    automaton.make_automaton()
    return automaton


def _is_name_word(word: str) -> bool:
    """A capitalised word that is neither all-caps, a stopword, nor another title."""
    return (
        word[:1].isupper()
        and not (len(word) > 1 and word.isupper())
        and word not in NAME_STOPWORDS
        and word not in TRIGGER_FORMS
    )


def name_run(text: str, pos: int, min_words: int = 1) -> tuple[int, int] | None:
    """Offsets of up to three capitalised name words starting after ``pos`` (spaces first).

    Stops at a non-name word, a line break, or after a possessive ("Putin's Kremlin" -> "Putin").
    Titles directly after ``pos`` are skipped ("Prime Minister", "Secretary General").
    """
    start = end = -1
    words = 0
    while words < _MAX_NAME_WORDS:
        match = _NAME_WORD_RE.match(text, pos)
        if match is None:
            break
        word = match.group(1)
        if words == 0 and (word in TRIGGER_FORMS or word in _CONTINUATION_FORMS):
            pos = match.end()
            continue
        possessive = _POSSESSIVE_TAIL_RE.search(word)
        bare = word[: possessive.start()] if possessive else word
        if not bare or not _is_name_word(bare):
            break
        if words == 0:
            start = match.start(1)
        end = match.start(1) + len(bare)
        words += 1
        pos = match.end()
        if possessive:
            break
    if words < min_words:
        return None
    return start, end


def trigger_person_spans(text: str) -> list[RawSpan]:
    """PERSON spans for names right after a title word ("President Masoud Pezeshkian")."""
    spans: list[RawSpan] = []
    for last, length in _trigger_automaton().iter(text):
        start = last + 1 - length
        # The end boundary is checked by ``name_run``, which needs whitespace after the title.
        if start > 0 and (text[start - 1].isalpha() or text[start - 1] == "_"):
            continue
        run = name_run(text, last + 1)
        if run is not None:
            spans.append(RawSpan(run[0], run[1], "PERSON", PRIORITY_PATTERN))
    return spans


def possessive_person_spans(text: str, orgs: Sequence[RawSpan]) -> list[RawSpan]:
    """PERSON spans for two or three capitalised words after an ORG's possessive.

    "DW's Natalia Smolentceva", "CNN's Wolf Blitzer": a news outlet's people are named this way.
    One word is not enough ("Kremlin's Peskov" stays with the backend).
    """
    spans: list[RawSpan] = []
    for org in orgs:
        gap = POSSESSIVE_GAP_RE.match(text, org.end)
        if gap is None:
            continue
        run = name_run(text, gap.end(), min_words=2)
        if run is not None:
            spans.append(RawSpan(run[0], run[1], "PERSON", PRIORITY_PATTERN))
    return spans


def pattern_spans(
    text: str, channel: str | None, backend_spans: Sequence[RawSpan]
) -> Iterator[RawSpan]:
    """All shared pattern spans of one text, given what the backend already found."""
    yield from hashtag_spans(text)
    channel_found = channel_spans(text, channel)
    yield from channel_found
    yield from trigger_person_spans(text)
    orgs = [span for span in (*backend_spans, *channel_found) if span.label == "ORG"]
    yield from possessive_person_spans(text, orgs)
