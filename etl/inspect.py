"""Human-readable report of what the parser finds in one page (``etl inspect PAGE``), pure.

Every item is shown with its 1-based source line so a reader can open the file at that line and
check the parser's reading against the page.
"""

from __future__ import annotations

from etl.errors import PageRejected
from etl.parse import parse_page
from etl.parse.sections import read_body, read_head
from etl.records import PageComment, PageLink, ParsedPage

_NONE = "—"
_PREVIEW_LINES = 4
_PREVIEW_CHARS = 160


def render_inspection(text: str, source_name: str) -> str:
    """The report for one page's decoded ``text``; ``source_name`` only labels the report.

    A rejected page yields a report naming the reason code and line instead of raising.
    """
    heading = f"Inspection of {source_name}"
    try:
        page = parse_page(text)
    except PageRejected as rejected:
        where = f" at line {rejected.line}" if rejected.line is not None else ""
        return "\n".join(
            [
                heading,
                "=" * len(heading),
                f"REJECTED: {rejected.reason_code}{where}",
                f"  {rejected.message}",
                "",
            ]
        )
    sections = [
        [heading, "=" * len(heading)],
        _head_section(page),
        _description_section(page),
        _links_section(page.links),
        _hashtags_section(page),
        _comments_section(page, _header_line(text)),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _head_section(page: ParsedPage) -> list[str]:
    return [
        f"Layout:    {page.layout}",
        f"Title:     line {page.title_line}: {page.title}",
        f"Channel:   {_or_none(page.channel)}",
        f"Published: {_or_none(page.published)}",
    ]


def _description_section(page: ParsedPage) -> list[str]:
    if page.description_line_start is None:
        return ["Description: none"]
    span = _span(page.description_line_start, page.description_line_end)
    lines = page.description.split("\n")
    out = [f"Description: {span} ({len(page.description):,} chars, {len(lines)} lines)"]
    out += [f"  | {_clip(line)}" for line in lines[:_PREVIEW_LINES]]
    if len(lines) > _PREVIEW_LINES:
        out.append(f"  | … {len(lines) - _PREVIEW_LINES} more line(s)")
    return out


def _links_section(links: tuple[PageLink, ...]) -> list[str]:
    out = [f"Links ({len(links)}):"]
    for link in links:
        where = link.source if link.comment_index is None else f"comment #{link.comment_index}"
        label = f"  label={link.label!r}" if link.label is not None else ""
        out.append(f"  line {link.line:>5}  [{where}]  {link.url}{label}")
    return out


def _hashtags_section(page: ParsedPage) -> list[str]:
    tags = ", ".join(page.hashtags) if page.hashtags else _NONE
    return [f"Hashtags ({len(page.hashtags)}): {tags}"]


def _header_line(text: str) -> int | None:
    """1-based line of the comment header (not kept in ``ParsedPage``; re-located here)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    stripped = [line.strip() for line in lines]
    body = read_body(lines, stripped, read_head(stripped).body_start)
    return None if body.header_line is None else body.header_line + 1


def _comments_section(page: ParsedPage, header_line: int | None) -> list[str]:
    declared = _or_none(page.declared_comment_count)
    where = f" (header at line {header_line})" if header_line is not None else " (no header)"
    out = [f"Declared comment count: {declared}{where}", f"Comments shown ({len(page.comments)}):"]
    for comment in page.comments:
        out.extend(_comment_lines(comment))
    return out


def _comment_lines(comment: PageComment) -> list[str]:
    depth = "  " if comment.parent_index is not None else ""
    meta = (
        f"author={_or_none(comment.author)}  posted={_or_none(comment.posted)}  "
        f"likes={_or_none(comment.like_count)}  parent={_or_none(comment.parent_index)}"
    )
    out = [f"  {depth}#{comment.index}  {_span(comment.line_start, comment.line_end)}  {meta}"]
    text_lines = comment.text.split("\n")
    out += [f"  {depth}    {_clip(line)}" for line in text_lines[:_PREVIEW_LINES]]
    if len(text_lines) > _PREVIEW_LINES:
        out.append(f"  {depth}    … {len(text_lines) - _PREVIEW_LINES} more line(s)")
    return out


def _span(start: int, end: int | None) -> str:
    return f"line {start}" if end is None or end == start else f"lines {start}–{end}"


def _clip(line: str) -> str:
    return line if len(line) <= _PREVIEW_CHARS else line[: _PREVIEW_CHARS - 1] + "…"


def _or_none(value: object) -> str:
    return _NONE if value is None else str(value)
