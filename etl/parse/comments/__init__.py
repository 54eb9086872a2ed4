"""Comment parsing: pick the comment style of a page's comment region and read its comments.

The style is the one whose start marker comes first in the region; each style's parser then owns
the whole region. Drafts carry 0-based line indices; ``etl.parse`` numbers and converts them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Literal

from etl.parse.comments.base import Draft
from etl.parse.comments.blog import (
    is_blogger_start,
    is_split_says_start,
    is_wordpress_start,
    parse_blogger,
    parse_wordpress,
)
from etl.parse.comments.discussion import (
    is_avatar_start,
    is_name_date_start,
    is_name_then_date_start,
    is_re_start,
    parse_name_date,
    parse_re_subjects,
    parse_substack,
)
from etl.parse.comments.mirror import is_mirror_start, parse_mirror, split_glued_handle
from etl.parse.comments.ordered import ITEM_RE, parse_ordered

CommentStyle = Literal[
    "ordered", "mirror", "wordpress", "blogger", "substack", "re_subject", "name_date"
]
Parser = Callable[[Sequence[str], Sequence[str], int, int], list[Draft]]

_PARSERS: dict[CommentStyle, Parser] = {
    "ordered": parse_ordered,
    "mirror": parse_mirror,
    "wordpress": parse_wordpress,
    "blogger": parse_blogger,
    "substack": parse_substack,
    "re_subject": parse_re_subjects,
    "name_date": parse_name_date,
}

__all__ = ["CommentStyle", "Draft", "parse_comments", "strong_start_style"]

_BODY = itemgetter(0)  # Draft.body, read at C speed


@dataclass(frozen=True, slots=True)
class CommentParse:
    """The style found in a region and its comments in page order."""

    style: CommentStyle | None
    drafts: tuple[Draft, ...]


def strong_start_style(stripped: Sequence[str], index: int, end: int) -> CommentStyle | None:
    """The style whose unmistakable first line is at ``index`` (used to find headerless sections).

    Only markers that never occur in descriptions qualify; numbered lists and ``Re:`` do not,
    nor Substack avatars (the post's author has one right under the title).
    """
    line = stripped[index]
    if not line:
        return None
    first = line[0]
    if first in "•·" and is_mirror_start(stripped, index):
        return "mirror"
    if ("said" in line or "Said" in line) and is_blogger_start(stripped, index, strict=True):
        return "blogger"
    if ":" in line and is_wordpress_start(stripped, index, end):
        return "wordpress"
    return None


def _style_at(stripped: Sequence[str], index: int, end: int) -> CommentStyle | None:
    """Any style's first line at ``index``, strong or not."""
    strong = strong_start_style(stripped, index, end)
    if strong is not None:
        return strong
    line = stripped[index]
    if not line:
        return None
    if line.endswith(("avatar", "Avatar")) and is_avatar_start(stripped, index):
        return "substack"
    if is_split_says_start(stripped, index, end):
        return "wordpress"
    if line[0].isdigit() and ITEM_RE.match(line):
        return "ordered"
    if line[0] == "@" and split_glued_handle(line) is not None:
        return "mirror"
    if line[:3].casefold() in ("re:", "re[") and is_re_start(stripped, index):
        return "re_subject"
    if is_name_date_start(stripped, index) or is_name_then_date_start(stripped, index, end):
        return "name_date"
    return None


def detect_style(stripped: Sequence[str], start: int, end: int) -> CommentStyle | None:
    """The style of the first comment-start line in ``[start, end)``."""
    for index in range(start, end):
        style = _style_at(stripped, index, end)
        if style is not None:
            return style
    return None


def parse_comments(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> CommentParse:
    """Comments of the region ``lines[start:end]`` (0-based, end exclusive), in page order."""
    style = detect_style(stripped, start, end)
    if style is None:
        return CommentParse(None, ())
    drafts = _PARSERS[style](lines, stripped, start, end)
    return CommentParse(style, _drop_empty(drafts))


def _drop_empty(drafts: Sequence[Draft]) -> tuple[Draft, ...]:
    """Drafts with text only; parents re-pointed (a dropped parent hands over its own parent)."""
    if all(map(_BODY, drafts)):  # nothing to drop (the usual case): positions stay the same
        return tuple(drafts)
    new_position: dict[int, int | None] = {}
    kept: list[Draft] = []
    for old, draft in enumerate(drafts):
        parent = new_position.get(draft.parent) if draft.parent is not None else None
        if not draft.body:
            new_position[old] = parent
            continue
        new_position[old] = len(kept)
        kept.append(draft if parent == draft.parent else draft._replace(parent=parent))
    return tuple(kept)
