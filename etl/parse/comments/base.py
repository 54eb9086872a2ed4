"""The comment draft shared by the per-style comment parsers, and helpers they all need."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from etl.parse.patterns import LIKE_ACTION_RE, match_action_line, parse_count

# Action lines are a word or two (the longest, "liked by <names>", stays under this).
_MAX_ACTION_CHARS = 100
_INDENT_CHARS = " \t\u00a0"
# (0-based line index, text of that line as it goes into the comment)
BodyLine = tuple[int, str]


class Draft(NamedTuple):
    """One comment before numbering: its text lines with provenance, 0-based line span.

    A NamedTuple rather than a frozen dataclass: equally immutable, and several times cheaper to
    build (one per comment, thousands on the largest pages).
    """

    body: tuple[BodyLine, ...]
    first: int
    last: int
    author: str | None = None
    posted: str | None = None
    like_count: int | None = None
    parent: int | None = None

    @property
    def text(self) -> str:
        """The comment text: body lines joined with newlines."""
        body = self.body
        if len(body) == 1:  # most comments are one line: no list, no join
            return body[0][1]
        return "\n".join([text for _, text in body])


def indent_of(line: str) -> int:
    """Leading whitespace width (a tab counts as 4, as scrapers render it)."""
    lead = len(line) - len(line.lstrip(_INDENT_CHARS))
    return lead + 3 * line.count("\t", 0, lead) if lead else 0


def dedent_body(lines: Sequence[str], indices: Sequence[int]) -> list[BodyLine]:
    """Lines with their common indentation removed and trailing space stripped.

    Relative indentation (code, nested lists inside a comment) is kept because the commenter
    wrote it; the common part is layout.
    """
    common = _common_indent(lines, indices)
    if common == 0:
        return [(i, lines[i].rstrip()) for i in indices]
    prefix = " " * common
    return [
        (
            i,
            (
                lines[i][common:] if lines[i].startswith(prefix) else _drop_indent(lines[i], common)
            ).rstrip(),
        )
        for i in indices
    ]


def _common_indent(lines: Sequence[str], indices: Sequence[int]) -> int:
    """Smallest ``indent_of`` among the non-blank lines that are not action lines (0 if none).

    Action lines (``Reply``, ``Load more comments``) are dropped from the text, so where the
    page put them says nothing about the text's indentation: a nested Disqus reply followed by
    an unindented ``Load more comments`` keeps its text de-indented.
    """
    widths: list[int] = []
    for i in indices:
        line = lines[i]
        text = line.strip()
        if not text or (len(text) <= _MAX_ACTION_CHARS and match_action_line(text)):
            continue
        if not line[0].isspace():
            return 0  # text from the first column: nothing in common (the usual case)
        widths.append(indent_of(line))
    return min(widths) if widths else 0


def _drop_indent(line: str, width: int) -> str:
    """Remove up to ``width`` columns of leading whitespace."""
    removed = 0
    position = 0
    while position < len(line) and removed < width and line[position] in " \t\u00a0":
        removed += 4 if line[position] == "\t" else 1
        position += 1
    return line[position:]


def clean_body(
    lines: Sequence[str],
    stripped: Sequence[str],
    indices: Sequence[int],
    head: BodyLine | None = None,
) -> tuple[tuple[BodyLine, ...], int | None]:
    """Body lines de-indented (as ``dedent_body``), without action-word lines (``Reply``,
    ``Like (3)``…) and blank edges, and the like count if one is shown; ``head`` first when given.

    One pass: it replaced ``strip_actions(dedent_body(lines, indices))``, whose two steps are
    kept as the reference in tests/unit/parse/test_fast_paths.py.

    ``stripped[i]`` must be ``lines[i].strip()``. De-indenting removes leading whitespace only,
    so the stripped text ``strip_actions`` tests is ``stripped[i]`` itself: action and blank
    lines are dropped without being de-indented, and no intermediate body is built. A blank line
    that is kept is ``""`` (what de-indenting and ``rstrip`` make of it).
    """
    kept: list[BodyLine] = []
    likes: int | None = None
    after_text = False
    if head is not None:
        kept, likes, after_text = _clean_head(head)
    common = _common_indent(lines, indices)
    prefix = " " * common
    for i in indices:
        text = stripped[i]
        if not text:
            if after_text:
                kept.append((i, ""))
                after_text = False
            continue
        if len(text) <= _MAX_ACTION_CHARS and match_action_line(text):
            like = LIKE_ACTION_RE.match(text)
            if like is not None:
                likes = parse_count(like.group("n") or like.group("m") or "")
            continue
        line = lines[i]
        if common:
            line = line[common:] if line.startswith(prefix) else _drop_indent(line, common)
        kept.append((i, line.rstrip()))
        after_text = True
    if kept and not after_text:
        kept.pop()
    return tuple(kept), likes


def _clean_head(head: BodyLine) -> tuple[list[BodyLine], int | None, bool]:
    """The cleaning state after the first line ``head``: (kept, likes, after_text)."""
    text = head[1].strip()
    if not text:
        return [], None, False
    if len(text) <= _MAX_ACTION_CHARS and match_action_line(text):
        like = LIKE_ACTION_RE.match(text)
        count = parse_count(like.group("n") or like.group("m") or "") if like is not None else None
        return [], count, False
    return [head], None, True


def trim_blank(body: Sequence[BodyLine]) -> tuple[BodyLine, ...]:
    """Body without leading/trailing blank lines and with runs of blank lines collapsed to one."""
    out: list[BodyLine] = []
    for item in body:
        if not item[1].strip() and (not out or not out[-1][1].strip()):
            continue
        out.append(item)
    while out and not out[-1][1].strip():
        out.pop()
    return tuple(out)


def parent_by_indent(stack: list[tuple[int, int]], indent: int) -> int | None:
    """Pop ``stack`` (indent, draft position) to the nearest shallower comment: the parent.

    Mutates only the caller-owned working stack; callers push the new comment afterwards.
    """
    while stack and stack[-1][0] >= indent:
        stack.pop()
    return stack[-1][1] if stack else None


def last_nonblank(lines: Sequence[str], start: int, end: int) -> int:
    """Index of the last non-blank line in ``lines[start:end]`` (``start`` if all blank)."""
    for index in range(end - 1, start - 1, -1):
        if lines[index].strip():
            return index
    return start


def append_nested_draft(
    drafts: list[Draft],
    stack: list[tuple[int, int]],
    lines: Sequence[str],
    first: int,
    block_end: int,
    body: tuple[BodyLine, ...],
    likes: int | None,
    author: str | None,
    posted: str | None,
) -> None:
    """Append the comment whose block starts at ``first``, nested under the nearest shallower one.

    The nesting is read from the indent of the comment's first line (``parent_by_indent``); the
    caller-owned ``stack`` and ``drafts`` are the parser's working state.
    """
    indent = indent_of(lines[first])
    parent = parent_by_indent(stack, indent)
    stack.append((indent, len(drafts)))
    last = last_nonblank(lines, first, block_end)
    drafts.append(Draft(body, first, last, author, posted, likes, parent))
