"""Frozen records passed between the pure stages (extract -> parse -> entities -> transform).

These are the seams between modules: the parser returns a ``ParsedPage``, the entity backends
return ``Mention`` lists, and ``etl.transform`` turns both into Arrow tables. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

SourceKind = Literal["title", "description", "comment"]


@dataclass(frozen=True, slots=True)
class PageSource:
    """One input file as discovered: where it came from and its raw identity.

    ``page_id`` is the file's stem (``000_079ed658b08d6845``); ``source_file`` the path or URL
    as the run addressed it; ``content_sha256`` the hex digest of the raw bytes.
    """

    page_id: str
    source_file: str
    content_sha256: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class PageLink:
    """A URL found in the page, in page order.

    ``line`` is the 1-based line in the source file; ``comment_index`` is the 0-based index into
    ``ParsedPage.comments`` when the URL was written inside a comment.
    """

    url: str
    label: str | None
    source: SourceKind
    line: int
    comment_index: int | None = None


@dataclass(frozen=True, slots=True)
class PageComment:
    """One comment or reply as the commenter wrote it (numbering, author and like lines removed).

    ``index`` is the 0-based page order; ``parent_index`` the index of the comment this one replies
    to (None for top level). ``line_start``/``line_end`` are 1-based, inclusive, in the source file.
    """

    index: int
    text: str
    line_start: int
    line_end: int
    author: str | None = None
    parent_index: int | None = None
    posted: str | None = None
    like_count: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """Everything the parser recovers from one page's text.

    ``layout`` names the family of FORMATS.md the page was read as (``ordered_list``, ``mirror``,
    ``wordpress``, ``blogger``, ``news``, ``transcript``, ``discussion``).
    ``hashtags`` come from title and description only, without ``#``, first-occurrence order, once.
    """

    title: str
    channel: str | None
    description: str
    layout: str
    title_line: int
    description_line_start: int | None = None
    description_line_end: int | None = None
    hashtags: tuple[str, ...] = ()
    declared_comment_count: int | None = None
    comments: tuple[PageComment, ...] = ()
    links: tuple[PageLink, ...] = ()
    published: str | None = None


@dataclass(frozen=True, slots=True)
class EntityText:
    """One text to annotate: a page's title, its description, or one comment."""

    source: SourceKind
    text: str
    comment_index: int | None = None


@dataclass(frozen=True, slots=True)
class PageEntityInput:
    """All texts of one page plus structural hints (the channel name is a known ORG)."""

    texts: tuple[EntityText, ...]
    channel: str | None = None


class Mention(NamedTuple):
    """One entity mention with character offsets into its source text (``end_char`` exclusive).

    A NamedTuple rather than a frozen dataclass: entity backends build one per mention (~50 per
    page), and a frozen dataclass's ``__init__`` cost about a third of the ``rules`` backend's
    time. Immutable and field-compatible; unlike the other records it compares equal to a plain
    tuple of the same values.
    """

    source: SourceKind
    text: str
    label: str
    start_char: int
    end_char: int
    canonical_name: str
    comment_index: int | None = None
