"""Family F and other discussion styles: Substack (``Name's avatar``), ``Re:`` subjects, and
``Name • 2 years ago`` (Disqus-like) author lines.

Substack puts ``Expand full comment``, ``Reply``, ``Share``, ``Like (3)`` and ``1 more
comment...`` among the comment lines; they are chrome and removed (a ``Like (3)`` gives the like
count). A ``Re:`` subject line is thread chrome echoing the post title, so it is not comment text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from etl.parse.comments.base import (
    Draft,
    append_nested_draft,
    clean_body,
)
from etl.parse.patterns import SHORT_STAMP_RE, clean_stamp, is_date_line, match_action_line

AVATAR_RE = re.compile(r"^(?P<name>.{1,80}?)['’]s avatar$", re.IGNORECASE)
# The 9 characters every AVATAR_RE match ends with (same flags, so the same case folds).
_AVATAR_END_RE = re.compile(r"['’]s avatar$", re.IGNORECASE)
RE_SUBJECT_RE = re.compile(r"^(?:re|aw|sv|ответ)(?:\[\d+\])?\s?:\s*(?P<subject>.*)$", re.I)
_BYLINE_RE = re.compile(
    r"^(?:(?:posted|written|submitted)\s+)?by\s+(?P<name>.{1,80}?)"
    r"(?:\s*(?:,|\bon\b|\bat\b|[-–—|•·])\s*(?P<date>.+))?$",
    re.IGNORECASE,
)
_NAME_DATE_RE = re.compile(r"^(?P<name>[^•·|]{1,80}?)\s+[•·|–—]\s+(?P<date>.{2,60})$")
# Disqus names a reply's author "Name Mod → Parent Name": a badge, an arrow, the replied-to name.
_REPLY_TO_RE = re.compile(r"\s*(?:\b(?:mod|moderator|admin)\s*)?→.*$", re.IGNORECASE)
# A name may end in an initial: "Karen W.", "J.R.R." (other sentence punctuation ends prose).
_INITIAL_END_RE = re.compile(r"(?:^|[\s.])[^\W\d_]\.$")
_MAX_NAME_WORDS = 6
_MAX_BARE_NAME_WORDS = 5
_MAX_NAME_CHARS = 60

StartTest = Callable[[Sequence[str], int, int], bool]


def match_avatar(line: str) -> re.Match[str] | None:
    """``AVATAR_RE.match`` behind a check of the fixed ending (the lazy name made the pattern
    try up to 80 name lengths on every line)."""
    return AVATAR_RE.match(line) if _AVATAR_END_RE.search(line, max(0, len(line) - 10)) else None


def is_avatar_start(stripped: Sequence[str], index: int) -> bool:
    """``Jane Doe's avatar``: Substack's first line of every comment."""
    return match_avatar(stripped[index]) is not None


def is_re_start(stripped: Sequence[str], index: int) -> bool:
    """A ``Re: subject`` line."""
    return RE_SUBJECT_RE.match(stripped[index]) is not None


def is_name_date_start(stripped: Sequence[str], index: int) -> bool:
    """``Name • 2 years ago`` / ``Name | May 3, 2024`` on one line."""
    match = _NAME_DATE_RE.match(stripped[index])
    return (
        match is not None
        and len(match.group("name").split()) <= _MAX_NAME_WORDS
        and _is_stamp(match.group("date"))
    )


def parse_substack(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> list[Draft]:
    """Substack comments: avatar line, name line, stamp line, text, chrome."""
    drafts: list[Draft] = []
    stack: list[tuple[int, int]] = []
    starts = [i for i in range(start, end) if match_avatar(stripped[i])]
    for number, first in enumerate(starts):
        block_end = starts[number + 1] if number + 1 < len(starts) else end
        avatar = AVATAR_RE.match(stripped[first])
        author = avatar.group("name").strip() if avatar else None
        cursor = _skip_blank(stripped, first + 1, block_end)
        if cursor < block_end and author is not None and stripped[cursor] == author:
            cursor = _skip_blank(stripped, cursor + 1, block_end)
        posted: str | None = None
        if cursor < block_end and _is_stamp(stripped[cursor]):
            posted = stripped[cursor]
            cursor += 1
        body, likes = clean_body(lines, stripped, range(cursor, block_end))
        append_nested_draft(drafts, stack, lines, first, block_end, body, likes, author, posted)
    return drafts


def parse_re_subjects(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> list[Draft]:
    """``Re: subject`` + optional ``by Name on date`` byline + text."""
    drafts: list[Draft] = []
    stack: list[tuple[int, int]] = []
    starts = [i for i in range(start, end) if RE_SUBJECT_RE.match(stripped[i])]
    for number, first in enumerate(starts):
        block_end = starts[number + 1] if number + 1 < len(starts) else end
        cursor = _skip_blank(stripped, first + 1, block_end)
        author: str | None = None
        posted: str | None = None
        byline = _BYLINE_RE.match(stripped[cursor]) if cursor < block_end else None
        named = _NAME_DATE_RE.match(stripped[cursor]) if cursor < block_end else None
        if byline is not None:
            author, posted = byline.group("name").strip(), byline.group("date")
            cursor += 1
        elif named is not None and _is_stamp(named.group("date")):
            author, posted = named.group("name").strip(), named.group("date")
            cursor += 1
        body, likes = clean_body(lines, stripped, range(cursor, block_end))
        posted = posted.strip() if posted else None
        append_nested_draft(drafts, stack, lines, first, block_end, body, likes, author, posted)
    return drafts


def is_name_then_date_start(stripped: Sequence[str], index: int, end: int) -> bool:
    """A bare name line with a date line under it (WordPress/Blogger themes without ``says:``,
    Substack dumps without avatar lines: ``Name`` / ``May 3``)."""
    line = stripped[index]
    if not _looks_like_name(line):
        return False
    following = _skip_blank(stripped, index + 1, end)
    return following < end and _is_stamp(stripped[following])


def _looks_like_name(line: str) -> bool:
    """Short, no sentence punctuation, not itself a date, an action word or a mention."""
    return (
        0 < len(line) <= _MAX_NAME_CHARS
        and len(line.split()) <= _MAX_BARE_NAME_WORDS
        and (line[-1] not in ".!?:;,)" or _INITIAL_END_RE.search(line) is not None)
        and line[0] not in "@#•·-–—*>"
        and any(ch.isalpha() for ch in line)
        and not is_date_line(line)
        and match_action_line(line) is None
        and "http" not in line
    )


def parse_name_date(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> list[Draft]:
    """``Name • 2 years ago`` author lines (or a name line + a date line), text until the next."""
    drafts: list[Draft] = []
    stack: list[tuple[int, int]] = []
    one_line = any(is_name_date_start(stripped, i) for i in range(start, end))
    starts = [
        i
        for i in range(start, end)
        if (
            is_name_date_start(stripped, i)
            if one_line
            else is_name_then_date_start(stripped, i, end)
        )
    ]
    for number, first in enumerate(starts):
        block_end = starts[number + 1] if number + 1 < len(starts) else end
        match = _NAME_DATE_RE.match(stripped[first]) if one_line else None
        text_from = first + 1
        if match is not None:
            author = _REPLY_TO_RE.sub("", match.group("name")).strip() or match.group("name")
            posted = clean_stamp(match.group("date").strip())
        else:
            date_index = _skip_blank(stripped, first + 1, block_end)
            author, posted = stripped[first], clean_stamp(stripped[date_index])
            text_from = date_index + 1
        body, likes = clean_body(lines, stripped, range(text_from, block_end))
        append_nested_draft(drafts, stack, lines, first, block_end, body, likes, author, posted)
    return drafts


def _is_stamp(text: str) -> bool:
    """A date, a time stamp or a relative age as comment systems print them."""
    text = text.strip()
    return bool(SHORT_STAMP_RE.match(text) or is_date_line(text))


def _skip_blank(stripped: Sequence[str], index: int, end: int) -> int:
    """First non-blank index at or after ``index`` (``end`` if none)."""
    while index < end and not stripped[index]:
        index += 1
    return index
