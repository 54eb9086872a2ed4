"""Family A: comments as an ordered list (``  1. text`` + 4-space continuation lines).

Replies are a second list indented two more columns that restarts at 1, usually after a blank
line or opening with ``@Name``. A ``1. 2. 3.`` or ``1) 2)`` list directly under a comment's first
line (no blank line between) belongs to that comment (FORMATS.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from etl.parse.comments.base import (
    Draft,
    clean_body,
    indent_of,
)

ITEM_RE = re.compile(r"^(?P<indent>[ \t\u00a0]*)(?P<n>\d{1,4})\.(?:[ \t\u00a0]+(?P<text>.*))?$")


@dataclass(slots=True)
class _Open:
    """A comment being collected (working state local to one parse call)."""

    indent: int
    number: int
    first: int
    head: str
    position: int
    parent: int | None
    rest: list[int] = field(default_factory=list)
    last: int = 0


def parse_ordered(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> list[Draft]:
    """Comments of the ordered list in ``lines[start:end]`` (0-based, end exclusive)."""
    opened: list[_Open] = []
    stack: list[_Open] = []
    blank_before = True
    for index in range(start, end):
        line = lines[index]
        if not stripped[index]:
            blank_before = True
            if stack:
                stack[-1].rest.append(index)
            continue
        # An item is "<indent>12. text" and its indent is whitespace, so its stripped line
        # starts with a decimal digit (what \d matches): text lines skip the pattern.
        match = ITEM_RE.match(line) if stripped[index][0].isdecimal() else None
        # _leaves_the_list wants a blank line before: tested here first (most lines have none).
        if match is None and blank_before and _leaves_the_list(opened, line, blank_before):
            break
        item = _place_item(stack, match, blank_before) if match else None
        if item is not None and match is not None:
            parent_pos, indent, number = item
            comment = _Open(
                indent, number, index, match.group("text") or "", len(opened), parent_pos
            )
            comment.last = index
            opened.append(comment)
            stack.append(comment)
        elif stack:
            stack[-1].rest.append(index)
            stack[-1].last = index
        blank_before = False
    return [_finish(comment, lines, stripped) for comment in opened]


def _leaves_the_list(opened: list[_Open], line: str, blank_before: bool) -> bool:
    """An unindented line after a blank line below an indented list is page text (site footer,
    "Related posts"), not a continuation: continuations are indented under their item."""
    return bool(opened) and blank_before and opened[0].indent >= 1 and indent_of(line) == 0


def _place_item(
    stack: list[_Open], match: re.Match[str], blank_before: bool
) -> tuple[int | None, int, int] | None:
    """Where a numbered line goes: ``(parent position, indent, number)``, or None for text.

    Pops ``stack`` (the caller's working stack) to the level the new item belongs to.
    """
    indent = indent_of(match.group("indent"))
    number = int(match.group("n"))
    if not stack:
        return (None, indent, number)
    text = match.group("text") or ""
    current = stack[-1]
    # A deeper list restarting at 1: replies after a blank line or opening with @Name;
    # directly under the comment it is the commenter's own list.
    if indent > current.indent:
        if number == 1 and (blank_before or text.startswith("@")):
            return (current.position, indent, number)
        return None
    for depth in range(len(stack) - 1, -1, -1):
        frame = stack[depth]
        if _aligned(frame, indent, number) and _is_next(frame.number, number, blank_before):
            del stack[depth:]
            return (frame.parent, indent, number)
        if frame.indent < indent:
            break
    return None


def _aligned(frame: _Open, indent: int, number: int) -> bool:
    """Same list level: same indent, or numbers right-aligned (`` 9.`` above ``10.``)."""
    return indent == frame.indent or indent + len(str(number)) == frame.indent + len(
        str(frame.number)
    )


def _is_next(previous: int, number: int, blank_before: bool) -> bool:
    """The following sibling: the next number, or a later one after a blank line (gaps occur)."""
    return number == previous + 1 or (blank_before and number > previous)


def _finish(comment: _Open, lines: Sequence[str], stripped: Sequence[str]) -> Draft:
    """Assemble text: the item's first line, then its continuation lines de-indented."""
    kept, likes = clean_body(lines, stripped, comment.rest, (comment.first, comment.head.strip()))
    # Positional (body, first, last, author, posted, like_count, parent): one per comment.
    return Draft(kept, comment.first, comment.last, None, None, likes, comment.parent)
