"""Family C: WordPress (``Name says:`` + date + text + ``Reply``) and Blogger (``Name said...``).

An author line is only trusted when a date line follows it (or, for WordPress, when it stands
alone right after a ``Reply`` or the header), so a sentence like ``My mother says:`` inside a
comment does not split it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from etl.parse.comments.base import (
    Draft,
    append_nested_draft,
    clean_body,
    trim_blank,
)
from etl.parse.patterns import ACTION_LINE_RE, clean_stamp, is_date_line

SAYS_RE = re.compile(
    r"^(?P<name>[^\n]{1,80}?)\s+(?:on\s+(?P<on>.{4,60}?)\s+)?"
    r"(?:says|said|dice|sagt|dit|говорит|каже|napsal|disse|zegt|écrit|schreibt|escribió)\s?:"
    r"\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_LONE_SAYS = frozenset({"says:", "said:", "dice:", "sagt:", "dit :", "dit:", "говорит:", "каже:"})
_MAX_LONE_SAYS_CHARS = max(map(len, _LONE_SAYS))
_SAYS_VERBS = (
    "says",
    "said",
    "dice",
    "sagt",
    "dit",
    "говорит",
    "каже",
    "napsal",
    "disse",
    "zegt",
    "écrit",
    "schreibt",
    "escribió",
)
_DIGITS = frozenset("0123456789")
SAID_RE = re.compile(
    r"^(?P<name>[^\n]{1,80}?)\s+(?:said|dijo|a dit|hat gesagt)\s?(?:\.\.\.|…)$", re.I
)
_MAX_BARE_NAME_WORDS = 4
# Themes that number their comments print "#2 Sue says:": the number is not part of the name.
_COMMENT_NUMBER_RE = re.compile(r"^\s*#\d+\.?\s+")
# SAID_RE ends in "..." or "…" at the end of the line: a cheap exact pre-check.
_SAID_ENDS = ("...", "…")


def _says(line: str) -> re.Match[str] | None:
    """``SAYS_RE`` behind a cheap verb check (the pattern is costly on long lines with colons)."""
    colon = line.find(":")
    while colon != -1:
        # A digit before the colon (clock times "10:45", verses "54:17") ends no verb.
        if line[colon - 1 : colon] not in _DIGITS and line[:colon].rstrip().casefold().endswith(
            _SAYS_VERBS
        ):
            return SAYS_RE.match(line)
        colon = line.find(":", colon + 1)
    return None


def is_wordpress_start(stripped: Sequence[str], index: int, end: int) -> bool:
    """``Name says:`` with a date on the same or the next non-blank line."""
    match = _says(stripped[index])
    return match is not None and _is_dated(match, stripped, index, end)


def _is_dated(match: re.Match[str], stripped: Sequence[str], index: int, end: int) -> bool:
    """The ``Name says:`` line ``match`` (at ``index``) carries or is followed by a date."""
    rest = match.group("rest")
    if rest:
        return is_date_line(rest)
    if match.group("on"):
        return True
    following = _next_nonblank(stripped, index + 1, end)
    return following is not None and is_date_line(stripped[following])


def is_blogger_start(stripped: Sequence[str], index: int, *, strict: bool = False) -> bool:
    """``Name said...`` (also ``said…``).

    ``strict`` (used to find a comment section without a header) also wants the name to look
    like one - up to four capitalised words - so prose such as "And then he said…" is not a
    comment.
    """
    line = stripped[index]
    match = SAID_RE.match(line) if line.endswith(_SAID_ENDS) else None
    if match is None:
        return False
    if not strict:
        return True
    words = match.group("name").split()
    return len(words) <= _MAX_BARE_NAME_WORDS and all(not w[0].islower() for w in words)


def is_split_says_start(stripped: Sequence[str], index: int, end: int) -> bool:
    """A name line followed by a lone ``says:`` line (themes that wrap the verb in its own tag)."""
    following = _next_nonblank(stripped, index + 1, end)
    return (
        following is not None
        and stripped[following].casefold() in _LONE_SAYS
        and 0 < len(stripped[index].split()) <= _MAX_BARE_NAME_WORDS
        and not stripped[index].endswith((".", "!", "?", ":"))
    )


def _join_split_says(stripped: Sequence[str], start: int, end: int) -> list[str]:
    """A copy of ``stripped`` where ``Name`` + ``says:`` lines read as one ``Name says:`` line."""
    joined = list(stripped)
    for index in range(start, end):
        if joined[index] and is_split_says_start(joined, index, end):
            following = _next_nonblank(joined, index + 1, end)
            if following is not None:
                joined[index] = f"{joined[index]} {joined[following]}"
                joined[following] = ""
    return joined


def parse_wordpress(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> list[Draft]:
    """WordPress comments in ``lines[start:end]``; replies nest by indentation when shown."""
    # The comment text is read from the page's own stripped lines, not from the joined copy.
    page_stripped = stripped
    # casefold never shortens a string and never makes a colon, so only short lines with a
    # colon can be a lone verb (every one ends in ":").
    if any(
        len(line) <= _MAX_LONE_SAYS_CHARS and ":" in line and line.casefold() in _LONE_SAYS
        for line in stripped[start:end]
    ):
        stripped = _join_split_says(stripped, start, end)
    heads = {
        i: match
        for i in range(start, end)
        # An author line has its "says:" colon; most comment lines have none.
        if ":" in stripped[i] and (match := _wordpress_head(stripped, i, start, end)) is not None
    }
    starts = list(heads)
    drafts: list[Draft] = []
    stack: list[tuple[int, int]] = []
    for number, first in enumerate(starts):
        block_end = starts[number + 1] if number + 1 < len(starts) else end
        match = heads[first]
        author = _COMMENT_NUMBER_RE.sub("", match.group("name")).strip() if match else None
        posted = (
            clean_stamp(match.group("on") or match.group("rest") or "") or None if match else None
        )
        text_from = first + 1
        if posted is None:
            date_index = _next_nonblank(stripped, first + 1, block_end)
            if date_index is not None and is_date_line(stripped[date_index]):
                posted = clean_stamp(stripped[date_index])
                text_from = date_index + 1
        body, likes = clean_body(lines, page_stripped, range(text_from, block_end))
        append_nested_draft(drafts, stack, lines, first, block_end, body, likes, author, posted)
    return drafts


def _wordpress_head(
    stripped: Sequence[str], index: int, start: int, end: int
) -> re.Match[str] | None:
    """An author line (its ``SAYS_RE`` match): dated, or a short bare ``Name says:`` after a
    Reply line or the header."""
    match = _says(stripped[index])
    if match is None:
        return None
    if _is_dated(match, stripped, index, end):
        return match
    if match.group("rest") or len(match.group("name").split()) > _MAX_BARE_NAME_WORDS:
        return None
    previous = _previous_nonblank(stripped, index - 1, start)
    return match if previous is None or ACTION_LINE_RE.match(stripped[previous]) else None


def parse_blogger(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> list[Draft]:
    """Blogger comments: ``Name said...``, text, then a timestamp line (kept as ``posted``)."""
    starts = [
        i
        for i in range(start, end)
        if stripped[i].endswith(_SAID_ENDS) and SAID_RE.match(stripped[i])
    ]
    drafts: list[Draft] = []
    stack: list[tuple[int, int]] = []
    for number, first in enumerate(starts):
        block_end = starts[number + 1] if number + 1 < len(starts) else end
        match = SAID_RE.match(stripped[first])
        author = match.group("name").strip() if match else None
        body, likes = clean_body(lines, stripped, range(first + 1, block_end))
        posted: str | None = None
        # The timestamp closes the comment (after the text); a date line up top is also seen.
        for position in (-1, 0):
            if body and is_date_line(body[position][1].strip()):
                posted = clean_stamp(body[position][1].strip())
                body = trim_blank(body[:-1] if position == -1 else body[1:])
                break
        append_nested_draft(drafts, stack, lines, first, block_end, body, likes, author, posted)
    return drafts


def _next_nonblank(stripped: Sequence[str], index: int, end: int) -> int | None:
    """Index of the next non-blank stripped line in ``[index, end)``."""
    for position in range(index, min(end, len(stripped))):
        if stripped[position]:
            return position
    return None


def _previous_nonblank(stripped: Sequence[str], index: int, start: int) -> int | None:
    """Index of the previous non-blank stripped line in ``[start, index]``."""
    for position in range(index, start - 1, -1):
        if stripped[position]:
            return position
    return None
