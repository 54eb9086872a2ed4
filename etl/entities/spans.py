"""Character spans before they become mentions: cleaning, junk filtering and overlap resolution.

Both backends produce ``RawSpan``s in the coordinates of one source text; everything here is pure
and shared, so the two backends clean and resolve spans the same way.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from etl.entities.settings import (
    HASHTAG,
    LEADING_NON_NAME,
    NUMERIC_LABELS,
    PERSON_TRIGGERS,
    PRONOUN_JUNK,
    STRUCTURAL_JUNK,
    TITLE_CONTINUATIONS,
)

# Who wins an overlap: structural facts beat patterns, patterns beat the model or the gazetteer.
PRIORITY_HASHTAG = 40
PRIORITY_CHANNEL = 30
PRIORITY_PATTERN = 20
PRIORITY_BACKEND = 10
# Gazetteer spans only fill gaps the model left: a model span overlapping one wins.
PRIORITY_GAZETTEER = 5

# Patterns below are used with .match(text, pos, endpos), which anchors at pos: no "^" in them.
_POSSESSIVE_RE = re.compile(r"['’]s?$")
_ABBREVIATION_RE = re.compile(r"(?:\w\.){2,}$")
_LEADING_ARTICLE_RE = re.compile(r"(?:The|THE)\s+")
_WORD_RE = re.compile(r"\S+")
_TRIGGER_PREFIX_RE = re.compile(
    r"(?:(?:"
    + "|".join(re.escape(t) for t in (*PERSON_TRIGGERS, *TITLE_CONTINUATIONS))
    + r")\s+)+",
    re.IGNORECASE,
)


class RawSpan(NamedTuple):
    """A labelled slice ``[start, end)`` of one source text, with the priority of its producer.

    A NamedTuple rather than a frozen dataclass: pages carry ~100 of these and a frozen
    dataclass's ``__init__`` costs several times more, which the rules backend notices.
    """

    start: int
    end: int
    label: str
    priority: int = PRIORITY_BACKEND


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow ``[start, end)`` past surrounding punctuation, spaces and a trailing possessive.

    A trailing '.' survives only in dotted abbreviations ("U.S."), where it belongs to the name.
    """
    while start < end and not text[start].isalnum():
        start += 1
    while end > start:
        piece = text[start:end]
        if piece[-1].isalnum():
            possessive = _POSSESSIVE_RE.search(piece)
            if possessive and piece[-1] in "sS" and possessive.start() > 0:
                end = start + possessive.start()
                continue
            break
        if piece[-1] == "." and _ABBREVIATION_RE.search(piece):
            break
        end -= 1
    return start, end


def _is_lowercase_word(word: str) -> bool:
    """True for a word whose cased letters are all lower case ("the", "trifft", not "iPhone")."""
    cased = [ch for ch in word if ch.lower() != ch.upper()]
    return bool(cased) and all(ch.islower() for ch in cased)


def _trim_lowercase_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop all-lowercase words at either edge, and sentence-initial non-name words at the front.

    Names start and end with a capitalised word, but the model glues verbs, articles and
    prepositions to them ("Merz trifft", "the Kremlin", "Across Mali"); inner particles
    ("Strait of Hormuz") are kept.
    """
    words = [(m.start(), m.end()) for m in _WORD_RE.finditer(text, start, end)]
    while len(words) > 1 and (
        _is_lowercase_word(text[words[0][0] : words[0][1]])
        or text[words[0][0] : words[0][1]] in LEADING_NON_NAME
    ):
        words.pop(0)
    while len(words) > 1 and _is_lowercase_word(text[words[-1][0] : words[-1][1]]):
        words.pop()
    return (words[0][0], words[-1][1]) if words else (start, end)


def clean_span(text: str, span: RawSpan) -> RawSpan | None:
    """The span narrowed to its name, or None when nothing name-like is left.

    Strips edges (punctuation, whitespace, possessive ``'s``), all-lowercase edge words and a
    leading "The", and for PERSON the leading titles ("President", "Dr."), so "the Kremlin's" ->
    "Kremlin" and "DW Correspondent" style prefixes never reach the table. Offsets move with the
    text, keeping the slice invariant. Gazetteer spans are clean by construction; hashtags and the
    channel are taken as written.
    """
    if span.start >= span.end:
        return None
    if span.priority in (PRIORITY_GAZETTEER, PRIORITY_HASHTAG):
        return span
    start, end = _strip_edges(text, span.start, span.end)
    if span.priority != PRIORITY_CHANNEL and span.label not in NUMERIC_LABELS:
        article = _LEADING_ARTICLE_RE.match(text, start, end)
        if article and article.end() < end:
            start = article.end()
        start, end = _trim_lowercase_words(text, start, end)
    if span.label == "PERSON":
        prefix = _TRIGGER_PREFIX_RE.match(text, start, end)
        if prefix and prefix.end() < end:
            start = prefix.end()
    start, end = _strip_edges(text, start, end)
    if start >= end:
        return None
    if start == span.start and end == span.end:
        return span
    return RawSpan(start, end, span.label, span.priority)


def has_latin_letter(surface: str) -> bool:
    """True when ``surface`` has a Latin letter.

    The English model only saw Latin script in training: its spans in Cyrillic or Arabic
    comments are guesses (on the dev set every one was wrong: "Китай" PERSON, "Україні" NORP), so
    model spans need a Latin letter. Gazetteer and pattern spans are not filtered.
    """
    return any(ch.isascii() and ch.isalpha() for ch in surface) or any(
        "LATIN" in unicodedata.name(ch, "") for ch in surface if ch.isalpha()
    )


def is_junk(surface: str, label: str, keep_labels: frozenset[str]) -> bool:
    """True when a cleaned mention is not worth a row.

    Dropped: numeric/temporal labels unless kept, text without a letter, line-spanning text,
    layout words ("Channel / Source"), PERSON with a digit, and cased text written all in lower
    case (pronouns like "thou", stray words): names in cased scripts are capitalised, while
    Arabic or CJK names have no case and are kept. Hashtags are kept whatever their case.
    """
    if label in NUMERIC_LABELS and label not in keep_labels:
        return True
    if "\n" in surface or "\r" in surface or not any(ch.isalpha() for ch in surface):
        return True
    if label == HASHTAG:
        return False
    if surface.casefold() in PRONOUN_JUNK and not surface.isupper():
        return True
    if surface.casefold() in STRUCTURAL_JUNK:
        return True
    if label == "PERSON" and any(ch.isdigit() for ch in surface):
        return True  # scripture references ("Matthew 18:22"), products ("Raspberry Pi 5")
    return surface == surface.lower() and surface != surface.upper()


def _resolve_cluster(spans: Sequence[RawSpan]) -> list[RawSpan]:
    """Greedy choice inside one group of overlapping spans: priority, then length, then start."""
    ranked = sorted(spans, key=lambda s: (-s.priority, s.start - s.end, s.start, s.label))
    starts: list[int] = []
    taken: list[RawSpan] = []
    for span in ranked:
        at = bisect.bisect_left(starts, span.start)
        if at < len(taken) and taken[at].start < span.end:
            continue
        if at > 0 and taken[at - 1].end > span.start:
            continue
        starts.insert(at, span.start)
        taken.insert(at, span)
    return taken


def resolve_overlaps(spans: Iterable[RawSpan]) -> list[RawSpan]:
    """Non-overlapping spans sorted by start: higher priority first, then longer, then earlier.

    Spans are swept in start order and cut into clusters of mutually overlapping spans; a lone
    span is kept as is and only real clusters go through the greedy choice. Most spans of a page
    overlap nothing, and the rules backend's budget is microseconds per span.
    """
    result: list[RawSpan] = []
    cluster: list[RawSpan] = []
    cluster_end = -1
    for span in sorted(spans):
        if span.start >= cluster_end and cluster:
            result.extend(cluster if len(cluster) == 1 else _resolve_cluster(cluster))
            cluster = []
        cluster.append(span)
        cluster_end = max(cluster_end, span.end) if len(cluster) > 1 else span.end
    if cluster:
        result.extend(cluster if len(cluster) == 1 else _resolve_cluster(cluster))
    return result


def clean_spans(text: str, spans: Sequence[RawSpan], keep_labels: frozenset[str]) -> list[RawSpan]:
    """Clean every span, drop junk, then resolve overlaps (cleaning can remove an overlap).

    Only model spans need it: gazetteer, pattern, hashtag and channel spans are built clean,
    lettered and capitalised, so they skip both steps (they are most of a page's spans and the
    rules backend's budget is microseconds).
    """
    cleaned: list[RawSpan] = []
    for span in spans:
        if span.priority != PRIORITY_BACKEND:
            cleaned.append(span)
            continue
        fixed = clean_span(text, span)
        if fixed is None:
            continue
        surface = text[fixed.start : fixed.end]
        if has_latin_letter(surface) and not is_junk(surface, fixed.label, keep_labels):
            cleaned.append(fixed)
    return resolve_overlaps(cleaned)
