"""Small text scanners shared by the parser and the entity backends (hashtags).

Kept in one place so ``videos.hashtags`` and the HASHTAG rows of ``entities`` can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A tag starts after a non-word, non-'&' (HTML entities like &#39;), non-'/' (URL fragments) char.
_HASHTAG_RE = re.compile(r"(?<![\w&/#])#(\w+)")


@dataclass(frozen=True, slots=True)
class HashtagSpan:
    """A hashtag occurrence: ``tag`` without '#', offsets of the whole '#tag' in the text."""

    tag: str
    start_char: int
    end_char: int


def iter_hashtags(text: str) -> Iterator[HashtagSpan]:
    """Yield every hashtag in ``text`` in order; a tag needs at least one letter (``#1`` is not)."""
    for match in _HASHTAG_RE.finditer(text):
        tag = match.group(1).rstrip("_")
        if tag and any(ch.isalpha() for ch in tag):
            yield HashtagSpan(tag, match.start(), match.start() + 1 + len(tag))


def unique_hashtags(*texts: str) -> tuple[str, ...]:
    """Hashtags of all ``texts`` in first-occurrence order, each once (case-insensitive)."""
    seen: set[str] = set()
    ordered: list[str] = []
    for text in texts:
        for span in iter_hashtags(text):
            key = span.tag.casefold()
            if key not in seen:
                seen.add(key)
                ordered.append(span.tag)
    return tuple(ordered)
