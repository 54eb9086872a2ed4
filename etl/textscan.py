"""Small text scanners shared by the parser and the entity backends (hashtags).

Kept in one place so ``videos.hashtags`` and the HASHTAG rows of ``entities`` can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A tag starts after a non-word, non-'&' (HTML entities like &#39;), non-'/' (URL fragments) char.
# Combining marks (Devanagari vowel signs, Arabic harakat, Hebrew points) are not \w in Python's
# re, yet they are part of the word; tags glued together (#Russia#Iran) are a run of tags.
_TAG_CHAR = "[\\w\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
_TAG_CHAR += "\u06d6-\u06ed\u0900-\u0dff\u0e31-\u0e4e\u200c\u200d]"
# The run starts with the literal '#' so the regex engine can jump between candidates; the
# character before it is checked in Python (a lookbehind first made every position a candidate).
_HASHTAG_RUN_RE = re.compile(rf"#{_TAG_CHAR}+(?:#{_TAG_CHAR}+)*")
_NOT_BEFORE_TAG_RE = re.compile(r"[\w&/#]")
_HASHTAG_RE = re.compile(rf"#({_TAG_CHAR}+)")


@dataclass(frozen=True, slots=True)
class HashtagSpan:
    """A hashtag occurrence: ``tag`` without '#', offsets of the whole '#tag' in the text."""

    tag: str
    start_char: int
    end_char: int


def iter_hashtags(text: str) -> Iterator[HashtagSpan]:
    """Yield every hashtag in ``text`` in order; a tag needs at least one letter (``#1`` is not)."""
    for tag, start in hashtag_offsets(text):
        yield HashtagSpan(tag, start, start + 1 + len(tag))


def hashtag_offsets(text: str) -> Iterator[tuple[str, int]]:
    """``(tag, offset of its '#')`` of every hashtag (``iter_hashtags`` without the records).

    No tag holds a line break and a line break may precede a '#', so the tags of texts joined
    with ``"\n"`` are those of each text, shifted (the entity backend scans a page at once).
    """
    if "#" not in text:
        return
    for run in _HASHTAG_RUN_RE.finditer(text):
        if run.start() and _NOT_BEFORE_TAG_RE.match(text, run.start() - 1):
            continue
        for match in _HASHTAG_RE.finditer(run.group()):
            tag = match.group(1).rstrip("_\u200c\u200d")
            # isalpha on the whole tag would want every character a letter; one is enough.
            if tag and (tag.isalpha() or any(ch.isalpha() for ch in tag)):
                yield tag, run.start() + match.start()


def unique_hashtags(*texts: str) -> tuple[str, ...]:
    """Hashtags of all ``texts`` in first-occurrence order, each once (case-insensitive)."""
    seen: set[str] = set()
    ordered: list[str] = []
    for text in texts:
        for tag, _start in hashtag_offsets(text):
            key = tag.casefold()
            if key not in seen:
                seen.add(key)
                ordered.append(tag)
    return tuple(ordered)
