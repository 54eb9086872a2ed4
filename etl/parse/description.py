"""The description block: trimmed, de-indented, scraper-duplicated paragraphs dropped.

Mirror pages indent the whole description; that indentation is layout, not text. Some scrapers
emit a paragraph twice in a row; the copy is dropped (with its links) because the author wrote it
once. Short paragraphs (``Subscribe``) may legitimately repeat and are kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from etl.parse.comments.base import dedent_body

_MIN_DUPLICATE_CHARS = 40
# Mirrors end a folded description with its expand/collapse toggle: interface, not text.
_TOGGLE_RE = re.compile(
    r"^(?:show (?:less|more)|(?:\.\.\.|…)\s*more|read more|less|згорнути|показати більше"
    r"|свернуть|ещё|zobrazit (?:méně|více)|mostrar (?:menos|más)|moins|plus|weniger|mehr)$",
    re.IGNORECASE,
)
_MAX_TOGGLE_CHARS = 24
# Blank lines between paragraphs, in the lines joined by "\n".
_PARAGRAPH_BREAK_RE = re.compile("\n\n+")


@dataclass(frozen=True, slots=True)
class Description:
    """Description text, the 0-based lines it keeps, and its first/last line (None if empty)."""

    text: str
    kept: tuple[int, ...]
    first: int | None
    last: int | None


def read_description(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> Description:
    """The description in ``lines[start:end]`` (0-based, end exclusive)."""
    while start < end and not stripped[start]:
        start += 1
    while end > start and not stripped[end - 1]:
        end -= 1
    if start >= end:
        return Description("", (), None, None)
    kept = [
        i
        for i in _without_repeated_paragraphs(stripped, start, end)
        if len(stripped[i]) > _MAX_TOGGLE_CHARS or not _TOGGLE_RE.match(stripped[i])
    ]
    while kept and not stripped[kept[-1]]:
        kept.pop()
    if not kept:
        return Description("", (), None, None)
    body = dedent_body(lines, kept)
    return Description("\n".join(text for _, text in body), tuple(kept), kept[0], kept[-1])


def _without_repeated_paragraphs(stripped: Sequence[str], start: int, end: int) -> list[int]:
    """Line indices of ``[start, end)`` minus paragraphs identical to the paragraph before.

    ``[start, end)`` starts and ends with a text line (``read_description`` trims it).
    """
    # Nearly every description repeats nothing: then every line is kept. With text lines at
    # both ends and no "\n" inside a line, splitting the "\n"-joined lines at blank lines gives
    # exactly the paragraphs (runs of non-blank lines) joined; equal paragraphs join to equal
    # texts, so no two equal neighbours means no copy. Otherwise the exact pass decides.
    joined = "\n".join(stripped[start:end])
    if stripped[start] and stripped[end - 1] and joined.count("\n") == end - start - 1:
        paragraphs = _PARAGRAPH_BREAK_RE.split(joined)
        if all(a != b for a, b in pairwise(paragraphs)):
            return list(range(start, end))
    kept: list[int] = []
    previous: tuple[str, ...] = ()
    paragraph: list[int] = []
    blanks: list[int] = []
    for index in range(start, end + 1):
        if index < end and stripped[index]:
            paragraph.append(index)
            continue
        if paragraph:
            content = tuple(stripped[i] for i in paragraph)
            is_copy = content == previous and sum(map(len, content)) >= _MIN_DUPLICATE_CHARS
            if not is_copy:
                kept.extend(blanks)
                kept.extend(paragraph)
            previous, paragraph, blanks = content, [], []
        if index < end:
            blanks.append(index)
    return kept
