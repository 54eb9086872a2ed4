"""Page text -> ``ParsedPage``: title, channel, description, links, hashtags, comments (pure).

``parse_page`` is the stage entry point. It raises ``PageRejected`` (``no_title``,
``not_a_video_page``, or ``parse_error`` for a bug met on an odd page) and nothing else, so one
strange page goes to quarantine instead of stopping a 100,000-page run. ``parse_page_strict`` is
the same without that last safety net; the property tests use it so bugs still surface there.
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.errors import PageRejected
from etl.parse.build import slot_builder
from etl.parse.comments import CommentParse, Draft, parse_comments
from etl.parse.description import Description, read_description
from etl.parse.layout import classify_layout, is_video_page
from etl.parse.links import may_have_url, url_line_parts
from etl.parse.sections import Body, Head, read_body, read_head
from etl.parse.title import split_channel
from etl.records import PageComment, PageLink, ParsedPage, SourceKind
from etl.textscan import unique_hashtags

__all__ = ["parse_page", "parse_page_strict"]

# The records built positionally without their frozen-dataclass __init__ (etl.parse.build):
# one PageComment per comment and one PageLink per URL, thousands on the largest pages.
_new_comment = slot_builder(PageComment)
_new_link = slot_builder(PageLink)
_new_page = slot_builder(ParsedPage)


def parse_page(text: str) -> ParsedPage:
    """Parse one page's text (as returned by ``etl.extract.decode_page``).

    Raises ``PageRejected`` only; an unexpected error becomes reason ``parse_error``.
    """
    try:
        return parse_page_strict(text)
    except PageRejected:
        raise
    except Exception as error:  # the quarantine row carries it; the run goes on
        raise PageRejected("parse_error", f"{type(error).__name__}: {error}") from error


def parse_page_strict(text: str) -> ParsedPage:
    """``parse_page`` without converting unexpected errors (for tests and debugging)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    stripped = list(map(str.strip, lines))
    head = read_head(stripped)
    body = read_body(lines, stripped, head.body_start)
    description = read_description(lines, stripped, body.desc_start, body.desc_end)
    found = (
        parse_comments(lines, stripped, body.comments_start, body.comments_end)
        if body.comments_start is not None
        else CommentParse(None, ())
    )
    title, channel = split_channel(head.title.raw, head.channel)
    texts = [draft.text for draft in found.drafts]  # joined once, used for links and records
    links = _links(lines, head, description, found.drafts, texts)
    footer = stripped[body.footer_line] if body.footer_line is not None else None
    layout = classify_layout(
        style=found.style,
        is_mirror=head.is_mirror,
        is_transcript=head.is_transcript,
        header=body.header,
        footer=footer,
        description_lines=[stripped[i] for i in description.kept],
    )
    if not is_video_page(
        title=title,
        description=description.text,
        text=text,
        stripped=stripped,
        link_urls=(link.url for link in links),
        layout=layout,
        style=found.style,
    ):
        raise PageRejected(
            "not_a_video_page", "nothing on the page refers to a video", head.title.index + 1
        )
    # Positional, in ParsedPage's field order (title, channel, description, layout, title_line,
    # description_line_start, description_line_end, hashtags, declared_comment_count, comments,
    # links, published).
    return _new_page(
        title,
        channel,
        description.text,
        layout,
        head.title.index + 1,
        _one_based(description.first),
        _one_based(description.last),
        unique_hashtags(title, description.text),
        _declared(body),
        _comments(found.drafts, texts),
        links,
        head.published,
    )


def _declared(body: Body) -> int | None:
    """The count the header states (None without a header or a number)."""
    return body.header.count if body.header is not None else None


def _one_based(index: int | None) -> int | None:
    """0-based line index -> 1-based line number (None stays None)."""
    return None if index is None else index + 1


def _comments(drafts: Sequence[Draft], texts: Sequence[str]) -> tuple[PageComment, ...]:
    """Drafts (and their ``text``) -> records: page-order index, 1-based lines."""
    return tuple(
        [
            # Positional (index, text, line_start, line_end, author, parent_index, posted,
            # like_count): keyword passing costs measurably on pages with thousands of comments.
            _new_comment(position, text, first + 1, last + 1, author, parent, posted, like_count)
            for position, ((_body, first, last, author, posted, like_count, parent), text) in (
                enumerate(zip(drafts, texts, strict=True))
            )
        ]
    )


def _links(
    lines: Sequence[str],
    head: Head,
    description: Description,
    drafts: Sequence[Draft],
    texts: Sequence[str],
) -> tuple[PageLink, ...]:
    """Every URL in page order: title, head label lines, description, then each comment."""
    found: list[PageLink] = []
    if may_have_url(head.title.raw):
        found.extend(_line_links(head.title.raw, head.title.index, "title", None))
    # Whole-block pre-checks first: most comments (and many descriptions) have no URL at all.
    if head.link_lines or may_have_url(description.text):
        for index in (*head.link_lines, *description.kept):
            # The per-line pre-check of find_links, here to spare two calls per prose line.
            if may_have_url(lines[index]):
                found.extend(_line_links(lines[index], index, "description", None))
    for position, (draft, text) in enumerate(zip(drafts, texts, strict=True)):
        if may_have_url(text):
            for index, line in draft.body:
                if may_have_url(line):
                    found.extend(_line_links(line, index, "comment", position))
    return tuple(found)


def _line_links(
    line: str, index: int, source: SourceKind, comment_index: int | None
) -> list[PageLink]:
    """PageLink rows for the URLs of one line (``index`` 0-based) that passed
    ``may_have_url``."""
    # Positional: (url, label, source, line, comment_index).
    return [
        _new_link(url, label, source, index + 1, comment_index)
        for url, label, _start in url_line_parts(line)
    ]
