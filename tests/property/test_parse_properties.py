"""Property tests for the page parser (hypothesis).

Generated family-A (ordered list), family-B (mirror) and family-C (WordPress) pages round-trip:
the parser recovers the generated title, channel, comment texts, authors, links and hashtags.
Arbitrary text, and arbitrary bytes through ``decode_page``, never raise anything but
``PageRejected``; those use ``parse_page_strict`` so a bug is not hidden by the quarantine safety
net. Every successful parse is also checked against the output contracts of ``schemas/``.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.errors import PageRejected
from etl.extract import decode_page
from etl.parse import parse_page_strict
from etl.records import ParsedPage

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from(
    [
        "Russia",
        "Iran",
        "talks",
        "peace",
        "great",
        "analysis",
        "Берлін",
        "мир",
        "مرحبا",
        "über",
        "très",
        "👍",
        "🇺🇦",
        "John",
        "3:16",
        "😀",
        "why",
        "not",
        "(really)",
        "“quoted”",
        "it's",
        "Ukraine",
        "2024",
        "C++",
        "50%",
        "????",
        "a",
        "of",
        "the",
        "news",
        "Zürich",
    ]
)
TAG_WORDS = st.sampled_from(["Russia", "Iran", "Sequía", "Україна", "news2024", "DW", "climate"])
HOSTS = st.sampled_from(["example.org", "dw.com", "bit.ly", "x.com", "patreon.com", "t.me"])
SCHEMES = st.sampled_from(["https://", "http://", "www.", ""])
LABELS = st.sampled_from(["Facebook", "Twitter", "Support us", "For more news go to", None])
NAMES = st.sampled_from(["Maria Gonzalez", "John T.", "admin", "Анна", "Jean-Luc", "Ali"])


@dataclass(frozen=True)
class Link:
    url: str
    label: str | None


@st.composite
def sentences(draw: st.DrawFn, min_words: int = 3) -> str:
    return " ".join(draw(st.lists(WORDS, min_size=min_words, max_size=9)))


@st.composite
def links(draw: st.DrawFn) -> Link:
    scheme = draw(SCHEMES)
    host = draw(HOSTS)
    if scheme == "www.":
        host = host.split(".")[0] + ".example.com"
    path = draw(st.sampled_from(["abc", "watch?v=x1&t=2", "user/dw_news", "a-b/c", ""]))
    if scheme == "" and not path:
        path = "p"
    return Link(f"{scheme}{host}/{path}", draw(LABELS))


def _link_line(link: Link, ending: str) -> str:
    if link.label is not None:
        return f"►{link.label}: {link.url}"
    return f"read more at {link.url}{ending}"


@st.composite
def family_a_pages(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    title = draw(sentences())
    channel = draw(st.sampled_from(["DW News", "Kings and Generals", "BBC News", None]))
    paragraphs = draw(st.lists(sentences(), min_size=1, max_size=3))
    description_links = draw(st.lists(links(), max_size=4))
    tags = draw(st.lists(TAG_WORDS, max_size=4))
    comments = draw(st.lists(st.lists(sentences(), min_size=1, max_size=3), min_size=1, max_size=6))
    comment_links = draw(st.lists(st.tuples(st.integers(0, 5), links()), max_size=3))
    ending = draw(st.sampled_from(["", ".", ",", ")"]))
    lines = [
        f"{title} | {channel}" if channel else title,
        "",
        "",
        title if not channel else f"{title} | {channel}",
        "",
    ]
    lines += [p + "\n" for p in paragraphs]
    lines.append("Watch the full video: https://www.youtube.com/watch?v=abc")
    lines += [_link_line(link, ending) for link in description_links]
    if tags:
        lines += ["", " ".join(f"#{tag}" for tag in tags)]
    lines += ["", f"{len(comments) + 7} comments"]
    expected_comment_links: list[str] = []
    texts: list[str] = []
    for number, comment in enumerate(comments, start=1):
        body = list(comment)
        for target, link in comment_links:
            if target % len(comments) == number - 1:
                body.append(f"see {link.url}")
                expected_comment_links.append(link.url)
        lines.append(f"  {number}. {body[0]}")
        lines += [f"    {line}" for line in body[1:]]
        lines.append("")
        texts.append("\n".join(body))
    lines.append("Leave a Reply")
    expected: dict[str, object] = {
        "title": title,
        "channel": channel,
        "texts": texts,
        "links": [
            "https://www.youtube.com/watch?v=abc",
            *(link.url for link in description_links),
            *expected_comment_links,
        ],
        "labels": ["Watch the full video", *(link.label for link in description_links)],
        "tags": list(dict.fromkeys(tags)),
        "count": len(comments) + 7,
    }
    return "\n".join(lines), expected


@given(family_a_pages())
@SETTINGS
def test_family_a_round_trip(page: tuple[str, dict[str, object]]) -> None:
    text, expected = page
    parsed = parse_page_strict(text)
    _assert_contract_invariants(parsed, text)
    assert parsed.title == expected["title"]
    assert parsed.channel == expected["channel"]
    assert [c.text for c in parsed.comments] == expected["texts"]
    assert [c.parent_index for c in parsed.comments] == [None] * len(parsed.comments)
    assert [link.url for link in parsed.links] == expected["links"]
    labels = expected["labels"]
    assert isinstance(labels, list)
    assert [link.label for link in parsed.links][: len(labels)] == labels
    assert list(parsed.hashtags) == _unique_casefold(expected["tags"])
    assert parsed.declared_comment_count == expected["count"]
    assert parsed.layout == "ordered_list"


def _unique_casefold(tags: object) -> list[str]:
    assert isinstance(tags, list)
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out


@st.composite
def family_c_pages(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, str]]]:
    title = draw(sentences())
    comments = draw(
        st.lists(
            st.tuples(
                NAMES,
                st.lists(sentences(), min_size=1, max_size=3),
                st.sampled_from(
                    ["May 4, 2024 at 10:12 am", "4 March 2023 at 21:05", "2024-05-04 10:12"]
                ),
            ),
            min_size=1,
            max_size=5,
        )
    )
    lines = [
        title,
        "",
        "Posted on May 3, 2024 by admin",
        "",
        draw(sentences()),
        "",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "",
        f"{len(comments)} thoughts on “{title}”",
    ]
    expected: list[tuple[str, str, str]] = []
    for name, body, stamp in comments:
        lines += [f"{name} says:", stamp, *body, "Reply"]
        expected.append((name, stamp, "\n".join(body)))
    lines += ["", "Leave a Reply", "Your email address will not be published."]
    return "\n".join(lines), expected


@given(family_c_pages())
@SETTINGS
def test_family_c_round_trip(page: tuple[str, list[tuple[str, str, str]]]) -> None:
    text, expected = page
    parsed = parse_page_strict(text)
    assert [(c.author, c.posted, c.text) for c in parsed.comments] == expected
    assert parsed.declared_comment_count == len(expected)
    assert parsed.layout == "wordpress"
    assert parsed.published == "May 3, 2024"


HANDLES = st.sampled_from(["@olena_kyiv", "@user-kq3vx9zz1p", "@Редакция", "@name4410", "@a.b-c"])
AGES = st.sampled_from(["1 year ago", "12 days ago", "2 роки тому", "hace 3 días", "před 2 lety"])


@st.composite
def family_b_pages(
    draw: st.DrawFn,
) -> tuple[str, list[tuple[str, str, int | None, int | None, str]]]:
    title = draw(sentences())
    lines = [f"{title} | DW News", "DW News", "1.2M subscribers", "Share", "Embed"]
    lines += ["• Published 7 Jul 2021", f"    {draw(sentences())}", "", "COMMENTS • 1,312"]
    expected: list[tuple[str, str, int | None, int | None, str]] = []
    last_top: int | None = None
    for _ in range(draw(st.integers(1, 6))):
        handle, age = draw(HANDLES), draw(AGES)
        likes = draw(st.one_of(st.none(), st.integers(0, 5000)))
        body = draw(st.lists(sentences(), min_size=1, max_size=3))
        is_reply = last_top is not None and draw(st.booleans())
        if is_reply and draw(st.booleans()):
            body[0] = "@@olena_kyiv " + body[0]
        pad = "    " if is_reply else ""
        glued = handle[-1].isdigit() and age[0].isdigit() and draw(st.booleans())
        age_line = f"{handle}{age}" if glued else f"{handle} {age}"
        lines += [
            f"{pad}• {handle}",
            f"{pad}{age_line}" + (f" +{likes}" if likes is not None else ""),
        ]
        lines += [f"{pad}{line}" for line in body]
        parent = last_top if is_reply else None
        if not is_reply:
            last_top = len(expected)
        expected.append((handle, age, likes, parent, "\n".join(body)))
    return "\n".join(lines), expected


@given(family_b_pages())
@SETTINGS
def test_family_b_round_trip(
    page: tuple[str, list[tuple[str, str, int | None, int | None, str]]],
) -> None:
    text, expected = page
    parsed = parse_page_strict(text)
    _assert_contract_invariants(parsed, text)
    assert parsed.layout == "mirror" and parsed.channel == "DW News"
    assert parsed.declared_comment_count == 1312
    got = [(c.author, c.posted, c.like_count, c.parent_index, c.text) for c in parsed.comments]
    assert got == expected


TRICKY_LINES = st.sampled_from(
    [
        "",
        "  ",
        "Title | DW News",
        "22 comments",
        "COMMENTS • 1,312",
        "Comments",
        "No comments:",
        "  1. first",
        "    1. @Ann reply",
        "    continuation",
        "  2.",
        "• @h",
        "@h 1 year ago +214",
        "@h441012 days ago",
        "    • @r",
        "Re: subject",
        "by bob on 2024-01-01",
        "Ann says:",
        "May 4, 2024 at 10:12 am",
        "Bob said...",
        "Jane's avatar",
        "Expand full comment",
        "Like (3)",
        "1 more comment...",
        "Leave a Reply",
        "Post a Comment",
        "Related videos",
        "Channel / Source: X",
        "Published: today",
        "• Published 7 Jul 2021",
        "Share",
        "Embed",
        "00:07Text",
        "00:00:00",
        "https://x.org/a.",
        "bit.ly/abc",
        "#tag #1",
        "( ) [ ] { }",
        "\t\u00a0\u200b",
        "😀" * 3,
        "a" * 300,
        "1. 2. 3.",
        "@@",
        "•",
        "#",
        "://",
        "www.",
    ]
)


@given(st.lists(st.one_of(TRICKY_LINES, st.text(max_size=40)), max_size=40))
@settings(max_examples=300, deadline=None)
def test_structured_noise_only_raises_page_rejected(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        page = parse_page_strict(text)
    except PageRejected:
        return
    _assert_contract_invariants(page, text)


URL_CONTRACT = re.compile(r"^(?:https?://|www\.)?[^\s/]*[A-Za-z0-9-]\.[A-Za-z]{2,}")
LAYOUTS = {"ordered_list", "mirror", "wordpress", "blogger", "news", "transcript", "discussion"}


def _assert_contract_invariants(page: ParsedPage, text: str) -> None:
    """What schemas/*.yaml demand of every parsed page, whatever the input."""
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert page.title and page.layout in LAYOUTS and 1 <= page.title_line <= line_count
    assert page.declared_comment_count is None or page.declared_comment_count >= 0
    for position, comment in enumerate(page.comments):
        assert comment.index == position and comment.text.strip()
        assert 1 <= comment.line_start <= comment.line_end <= line_count
        assert comment.parent_index is None or 0 <= comment.parent_index < position
        assert comment.like_count is None or comment.like_count >= 0
    for link in page.links:
        assert URL_CONTRACT.match(link.url) and 1 <= link.line <= line_count
        assert (link.source == "comment") == (link.comment_index is not None)
        assert link.comment_index is None or 0 <= link.comment_index < len(page.comments)
    assert all(tag and "#" not in tag for tag in page.hashtags)


@given(st.text(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_arbitrary_text_only_raises_page_rejected(text: str) -> None:
    try:
        page = parse_page_strict(text)
    except PageRejected:
        return
    _assert_contract_invariants(page, text)


@given(st.binary(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_arbitrary_bytes_only_raise_page_rejected(raw: bytes) -> None:
    with contextlib.suppress(PageRejected):
        parse_page_strict(decode_page(raw))
