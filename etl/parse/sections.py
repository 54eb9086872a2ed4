"""Split a page into head (title block + metadata), description, comment region and footer.

One forward pass over the lines: the head ends at the first line that is not a repeated title,
label line, mirror chrome or channel line; the description runs to the comment header (or the first
unmistakable comment line, a footer, or a "related videos" heading); the comment region runs from
there to the first footer (``Leave a Reply``, ``Post a Comment``…).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from etl.parse.comments import strong_start_style
from etl.parse.comments.base import indent_of
from etl.parse.comments.discussion import match_avatar
from etl.parse.comments.ordered import ITEM_RE
from etl.parse.gates import dispatch_match, gated_match
from etl.parse.headers import Header, could_be_header, match_header
from etl.parse.patterns import (
    CHROME_HEADING_RE,
    DATE_LINE_RE,
    FOOTER_RE,
    META_LABEL_RE,
    MIRROR_CHROME_RE,
    MIRROR_SIGNAL_RE,
    POSTED_BYLINE_RE,
    PUBLISHED_BULLET_RE,
    SUBSCRIBERS_RE,
)
from etl.parse.title import TitleLine, find_title, looks_like_channel, title_suffix

# The head (title repeats, labels, mirror chrome) is short on every page in the survey.
_MAX_HEAD_LINES = 30
_CHANNEL_LABELS = frozenset(
    {"channel / source", "channel/source", "channel", "publication", "uploaded by", "канал"}
)
_PUBLISHED_LABELS = frozenset(
    {"published", "published on", "published at", "uploaded", "uploaded on", "upload date"}
    | {"date", "posted", "posted on", "опубліковано", "опубликовано"}
)
_MAX_HEADER_CHARS = 200
# A set, not the string "•·": the empty first character of a blank line is not in it.
_BULLETS = frozenset("•·")
_MAX_MARKER_CHARS = 240
# First letters (casefolded) of every FOOTER_RE / CHROME_HEADING_RE alternative: a set lookup
# spares the long alternations on most lines. Keep in step with etl.parse.patterns.
_FOOTER_FIRST = frozenset("lpawytcnosjdдзн")
_CHROME_FIRST = frozenset("rmuywltscvpfbäспea")
# The head patterns behind their derived first-character gates (etl.parse.gates): same answers.
_match_published = gated_match(PUBLISHED_BULLET_RE)
_match_label = gated_match(META_LABEL_RE)
_match_byline = gated_match(POSTED_BYLINE_RE)
_match_subscribers = gated_match(SUBSCRIBERS_RE)
_match_chrome = dispatch_match(MIRROR_CHROME_RE)
_match_date = gated_match(DATE_LINE_RE)
# Footer and heading tests run on nearly every short body line; a line's first character
# leaves one or two of their dozens of case-insensitive alternatives to try (etl.parse.gates).
_match_footer = dispatch_match(FOOTER_RE)
_match_chrome_heading = dispatch_match(CHROME_HEADING_RE)


@dataclass(frozen=True, slots=True)
class Head:
    """What the lines around the title state: channel, publication date, where the body starts."""

    title: TitleLine
    channel: str | None
    channel_line: int | None
    published: str | None
    body_start: int
    link_lines: tuple[int, ...]
    is_mirror: bool
    is_transcript: bool


@dataclass(frozen=True, slots=True)
class Body:
    """Line spans (0-based, end exclusive) of description and comment region, and the header."""

    desc_start: int
    desc_end: int
    header_line: int | None
    header: Header | None
    comments_start: int | None
    comments_end: int
    footer_line: int | None


def read_head(stripped: Sequence[str]) -> Head:
    """The title block and the metadata lines right under it (``stripped`` = stripped lines)."""
    title = find_title(stripped)
    channel: str | None = None
    channel_line: int | None = None
    published: str | None = None
    link_lines: list[int] = []
    is_mirror = is_transcript = False
    index = title.index + 1
    limit = min(len(stripped), title.index + 1 + _MAX_HEAD_LINES)
    repeats = _title_variants(title, stripped[title.index])
    # Mirrors put counters and buttons ("12K", "Download", "245,123 views") between the title
    # and "• Published"; everything before that line is head, whatever it says.
    published_at = next(
        (
            i
            for i in range(index, limit)
            if stripped[i][:1] in _BULLETS and _match_published(stripped[i])
        ),
        None,
    )
    while index < limit:
        line = stripped[index]
        if not line or line in repeats:
            index += 1
            continue
        bullet = _match_published(line)
        # Every META_LABEL_RE match has its "label:" colon (":" has no case variants).
        label = _match_label(line) if bullet is None and ":" in line else None
        byline = _match_byline(line) if bullet is None and label is None else None
        if bullet is not None:
            published, is_mirror = bullet.group("date").strip(), True
        elif label is not None:
            name, value = " ".join(label.group("label").casefold().split()), label.group("value")
            value = value.strip()
            if name in _CHANNEL_LABELS and value and channel is None:
                channel, channel_line = value, index
                is_transcript = is_transcript or "/" in name
            elif name in _PUBLISHED_LABELS and value:
                published = published or value
            link_lines.append(index)
        elif byline is not None:
            published = published or (byline.group("date") or byline.group("date2")).strip()
        elif channel is None and (avatar := match_avatar(line)) is not None:
            # Substack: the author's avatar, name and date sit under the title.
            channel, channel_line = avatar.group("name").strip(), index
            repeats = repeats | {channel}
        elif _match_subscribers(line) or _match_chrome(line):
            is_mirror = is_mirror or MIRROR_SIGNAL_RE.match(line) is not None
        elif channel is None and _is_channel_line(stripped, index, limit, title):
            channel, channel_line = line, index
        elif channel_line is not None and index > channel_line and _match_date(line):
            published = published or line
        elif published_at is not None and index < published_at:
            if channel is None and looks_like_channel(line) and not line[0].isdigit():
                channel, channel_line = line, index
        else:
            break
        index += 1
    return Head(
        title, channel, channel_line, published, index, tuple(link_lines), is_mirror, is_transcript
    )


def _title_variants(title: TitleLine, line: str) -> frozenset[str]:
    """Spellings of a repeated title line: as written, without host or channel suffix."""
    variants = {title.raw, line}
    if " | " in title.raw:
        variants.add(title.raw.rpartition(" | ")[0].strip())
    return frozenset(variants)


def _is_channel_line(stripped: Sequence[str], index: int, limit: int, title: TitleLine) -> bool:
    """A name line under the title, corroborated by the title's suffix (after `` | `` or a
    spaced dash) or by what follows it (a subscriber count, mirror chrome, a ``Published`` line
    or a date). Under mirror chrome a name may start lowercase (``phoenix``, ``tagesschau``)."""
    line = stripped[index]
    if ITEM_RE.match(line):
        return False
    named = looks_like_channel(line)
    if not named and not (line[:1].islower() and looks_like_channel(line[:1].upper() + line[1:])):
        return False
    suffix = title_suffix(title.raw)
    if named and suffix is not None and suffix.casefold() == line.casefold():
        return True
    following = next((i for i in range(index + 1, limit) if stripped[i]), None)
    if following is None:
        return False
    after = stripped[following]
    if _match_subscribers(after) or _match_chrome(after):
        return True
    return named and bool(_match_published(after) or _match_date(after))


def read_body(lines: Sequence[str], stripped: Sequence[str], start: int) -> Body:
    """Description, header and comment region from line ``start`` on (one forward pass)."""
    total = len(stripped)
    desc_end = total
    header_line: int | None = None
    header: Header | None = None
    comments_start: int | None = None
    footer_line: int | None = None
    upgradable = False
    region_end: int | None = None
    for index in range(start, total):
        line = stripped[index]
        # Headers, footers, headings and comment-start lines are all short; prose is skipped.
        if not line or len(line) > _MAX_MARKER_CHARS:
            continue
        first = line[0].casefold()
        if first in _FOOTER_FIRST and _match_footer(line):
            footer_line = index
            break
        if comments_start is not None:
            # A "Related posts" heading after a blank line closes the comment section.
            if first in _CHROME_FIRST and not stripped[index - 1] and _match_chrome_heading(line):
                region_end = index
                break
            # "Comments" then "There are no comments yet" / "86 comments": the number wins.
            if upgradable:
                upgradable = _is_upgrade_candidate(stripped, index, total)
                found = _header_of(line) if upgradable else None
                if found is not None and found.count is not None:
                    header_line, header, comments_start = index, found, index + 1
                    upgradable = False
            continue
        found = _header_of(line)
        if found is not None:
            header_line, header, comments_start = index, found, index + 1
            desc_end = min(desc_end, index)
            upgradable = found.count is None
        elif strong_start_style(stripped, index, total) is not None:
            comments_start = index
            desc_end = min(desc_end, index)
        elif first in _CHROME_FIRST and _match_chrome_heading(line):
            desc_end = min(desc_end, index)
    end = (
        footer_line if footer_line is not None else region_end if region_end is not None else total
    )
    desc_end = min(desc_end, end)
    if comments_start is None:
        comments_start = trailing_list_start(lines, stripped, start, end)
    if comments_start is None:
        comments_start = _re_subject_start(stripped, start, end)
    if comments_start is not None:
        desc_end = min(desc_end, comments_start)
    return Body(start, desc_end, header_line, header, comments_start, end, footer_line)


def _is_upgrade_candidate(stripped: Sequence[str], index: int, total: int) -> bool:
    """Still in the header zone: no comment has started at ``index``."""
    return strong_start_style(stripped, index, total) is None and not ITEM_RE.match(stripped[index])


def _header_of(line: str) -> Header | None:
    """The header stated by a line; cheap hint check first (it runs on every body line)."""
    return match_header(line) if could_be_header(line) else None


def _re_subject_start(stripped: Sequence[str], start: int, end: int) -> int | None:
    """First of two or more ``Re:`` subject lines in a headerless body (forum replies)."""
    found = [i for i in range(start, end) if stripped[i][:3].casefold() == "re:"]
    return found[0] if len(found) >= 2 else None


def trailing_list_start(
    lines: Sequence[str], stripped: Sequence[str], start: int, end: int
) -> int | None:
    """First line of a headerless comment list that ends the body, or None.

    FORMATS.md allows numbered comments straight after the body; to avoid reading a numbered
    list in a description as comments, the list must be indented, start at ``1.`` after a blank
    line, and run (items + deeper continuation lines) to the end of the body.
    """
    stop = start - 1
    top_indent: int | None = None
    for index in range(end - 1, start - 1, -1):
        if not stripped[index]:
            continue
        indent = indent_of(lines[index])
        if indent >= 1 and stripped[index][0].isdecimal() and ITEM_RE.match(lines[index]):
            top_indent = indent if top_indent is None else min(top_indent, indent)
        elif indent < 2:
            stop = index
            break
    first = next((i for i in range(stop + 1, end) if stripped[i]), None)
    # Right-aligned numbering puts " 10." one column left of "  1.".
    if first is None or top_indent is None or indent_of(lines[first]) - top_indent > 1:
        return None
    match = ITEM_RE.match(lines[first])
    if match is None or int(match.group("n")) != 1:
        return None
    # A blank line must separate the list from the body text above it.
    return first if first - 1 > stop or stop < start else None
