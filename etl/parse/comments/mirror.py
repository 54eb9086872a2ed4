"""Family B: video-host mirror comments (``• @handle`` / ``@handle 1 year ago +214`` / text).

Replies are indented deeper than their parent's bullet. Some mirrors glue the handle to the age
(``@name441012 days ago``); the bullet line above says where the handle ends, so it is resolved
against that line rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from etl.parse.comments.base import (
    Draft,
    clean_body,
    indent_of,
    last_nonblank,
    parent_by_indent,
)
from etl.parse.patterns import RELATIVE_AGE_RE, parse_count

_BULLETS = frozenset("•·")
BULLET_RE = re.compile(r"^(?P<indent>\s*)[•·]\s*(?P<handle>@[^\s•]{1,100})\s*$")
# Older channels show a display name instead of an @handle; trusted only when the next line
# repeats it (``• Anna Petrova`` / ``Anna Petrova 2 years ago``).
_NAME_BULLET_RE = re.compile(r"^[•·]\s*(?P<handle>[^\s•@][^•]{0,79}?)\s*$")
# Some mirrors print a display name behind the "@" (``• @Мирослав Коваль``): trusted, like a
# display name, only when the next line repeats it followed by an age.
_SPACED_HANDLE_RE = re.compile(r"^[•·]\s*(?P<handle>@[^\s•][^•]{0,79}?)\s*$")
# Without a bullet line: "@handle 3 days ago +12" (handle ends at the first space).
_AGE_LINE_RE = re.compile(r"^(?P<handle>@[^\s]{1,100}?)\s+(?P<rest>.+)$")
_LIKES_TAIL_RE = re.compile(
    r"\s*\+\s?(?P<likes>\d[\d,.\u00a0]*\s?(?:[kKmM]|тыс\.?|тис\.?|mil|tis\.?)?)\s*$"
)
_EDITED_RE = re.compile(r"\s*\((?:edited|изменено|змінено|upraveno|editado|modifié)\)\s*", re.I)
# Badges a host prints between a comment's bullet line and its age line (a pinned comment).
_BADGE_RE = re.compile(
    r"^(?:📌\s*)?(?:pinned by|закреплено пользователем|закріплено користувачем|připnuto"
    r"|fijado por|épinglé par|von .{1,100} angepinnt|angepinnt von|fissato da|fixado por)"
    r"\b.{0,100}$",
    re.IGNORECASE,
)


def is_mirror_start(stripped: Sequence[str], index: int) -> bool:
    """A ``• @handle`` line whose next non-blank line starts with the same handle."""
    return bullet_handle(stripped, index, len(stripped)) is not None


def bullet_handle(stripped: Sequence[str], index: int, end: int) -> str | None:
    """The handle of a comment's bullet line at ``index``, confirmed by the age line under it."""
    line = stripped[index]
    if not line or line[0] not in "•·":
        return None
    match = BULLET_RE.match(line) or _NAME_BULLET_RE.match(line) or _SPACED_HANDLE_RE.match(line)
    if match is None:
        return None
    handle = match.group("handle")
    following = _next_age_line(stripped, index + 1, end)
    if following is None:
        return None
    after = stripped[following]
    if not after.startswith(handle) or len(after) == len(handle):
        return None
    # A display name must be followed by an age; an @handle may be glued to it.
    is_name = handle[0] != "@" or " " in handle
    if is_name and RELATIVE_AGE_RE.match(after[len(handle) :].strip()) is None:
        return None
    return handle


def parse_mirror(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> list[Draft]:
    """Comments in ``lines[start:end]``: one per bullet line, text until the next bullet.

    Mirrors that drop the bullet lines are read from the ``@handle 3 days ago`` lines instead.
    """
    handles = {
        i: handle
        for i in range(start, end)
        # bullet_handle's own first test, inlined: most lines are text.
        if stripped[i][:1] in _BULLETS and (handle := bullet_handle(stripped, i, end)) is not None
    }
    starts = list(handles)
    bulleted = bool(starts)
    if not bulleted:
        starts = [i for i in range(start, end) if split_glued_handle(stripped[i]) is not None]
    drafts: list[Draft] = []
    stack: list[tuple[int, int]] = []
    for number, first in enumerate(starts):
        block_end = starts[number + 1] if number + 1 < len(starts) else end
        indent = indent_of(lines[first])
        parent = parent_by_indent(stack, indent)
        stack.append((indent, len(drafts)))
        if bulleted:
            drafts.append(_bulleted(lines, stripped, first, block_end, parent, handles[first]))
        else:
            drafts.append(_unbulleted(lines, stripped, first, block_end, parent))
    return drafts


def _bulleted(
    lines: Sequence[str],
    stripped: Sequence[str],
    first: int,
    end: int,
    parent: int | None,
    region_handle: str,
) -> Draft:
    """Bullet line at ``first``, then the age line, then text up to ``end``.

    ``region_handle`` is ``bullet_handle`` of ``first`` over the whole region; within the block
    it is the same whenever the age line lies inside the block, and None otherwise.
    """
    age_index = _next_age_line(stripped, first + 1, end)
    handle = region_handle if age_index is not None else None
    posted: str | None = None
    likes: int | None = None
    text_from = first + 1
    if age_index is not None and handle is not None and stripped[age_index].startswith(handle):
        posted, likes = split_age(stripped[age_index][len(handle) :])
        text_from = age_index + 1
    return _draft(lines, stripped, (first, text_from, end), handle, posted, likes, parent)


def _unbulleted(
    lines: Sequence[str], stripped: Sequence[str], first: int, end: int, parent: int | None
) -> Draft:
    """``@handle 3 days ago +5`` at ``first``, then text up to ``end``."""
    glued = split_glued_handle(stripped[first])
    handle, rest = glued if glued is not None else (None, "")
    posted, likes = split_age(rest)
    return _draft(lines, stripped, (first, first + 1, end), handle, posted, likes, parent)


def _draft(
    lines: Sequence[str],
    stripped: Sequence[str],
    span: tuple[int, int, int],
    handle: str | None,
    posted: str | None,
    likes: int | None,
    parent: int | None,
) -> Draft:
    """The comment whose block is ``span`` = (first line, first text line, end exclusive)."""
    first, text_from, end = span
    body, action_likes = clean_body(lines, stripped, range(text_from, end))
    like_count = likes if likes is not None else action_likes
    # Positional (body, first, last, author, posted, like_count, parent): one per comment.
    return Draft(
        body, first, last_nonblank(stripped, first, end), handle, posted, like_count, parent
    )


def split_age(rest: str) -> tuple[str | None, int | None]:
    """``' 1 year ago (edited) +214'`` -> ``('1 year ago', 214)``; empty parts are None."""
    likes: int | None = None
    # Literal pre-checks: both patterns need their "+" / "(", and most ages have neither.
    tail = _LIKES_TAIL_RE.search(rest) if "+" in rest else None
    if tail is not None:
        likes = parse_count(tail.group("likes").replace("\u00a0", " "))
        rest = rest[: tail.start()]
    posted = (_EDITED_RE.sub(" ", rest) if "(" in rest else rest).strip()
    return (posted or None), likes


def split_glued_handle(line: str) -> tuple[str, str] | None:
    """``@name 3 days ago`` without a bullet line: ``(handle, rest)`` when the rest is an age."""
    match = _AGE_LINE_RE.match(line)
    if match is None or RELATIVE_AGE_RE.match(match.group("rest")) is None:
        return None
    return match.group("handle"), match.group("rest")


def _next_age_line(stripped: Sequence[str], index: int, end: int) -> int | None:
    """Index of the line a bullet line's age line would be: the next non-blank line that is not
    a badge (``Pinned by ENDEVR``) (None if there is none)."""
    position = _next_nonblank(stripped, index, end)
    while position is not None and _BADGE_RE.match(stripped[position]):
        position = _next_nonblank(stripped, position + 1, end)
    return position


def _next_nonblank(stripped: Sequence[str], index: int, end: int) -> int | None:
    """Index of the next non-blank stripped line in ``[index, end)`` (None if there is none)."""
    for position in range(index, end):
        if stripped[position]:
            return position
    return None
