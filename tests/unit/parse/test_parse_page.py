"""etl.parse.parse_page end to end: the real seed exactly, rejections, robustness, big pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import PageRejected
from etl.extract import decode_page
from etl.parse import parse_page, parse_page_strict

SEED = Path(__file__).resolve().parents[3] / "seeds" / "pages" / "000_079ed658b08d6845.txt"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return decode_page(SEED.read_bytes())


def test_seed_title_channel_description(seed_text: str) -> None:
    page = parse_page(seed_text)
    assert page.title == "The increasing ties between Russia and Iran"
    assert page.channel == "DW News"
    assert page.title_line == 1
    assert page.layout == "ordered_list"
    assert page.description.startswith("Russia’s President Vladimir Putin has met")
    assert page.description.endswith("#Russia #Iran #Turkmenistan")
    assert "Subscribe: https://www.youtube.com" in page.description
    assert (page.description_line_start, page.description_line_end) == (7, 25)


def test_seed_links_and_hashtags(seed_text: str) -> None:
    page = parse_page(seed_text)
    assert [link.label for link in page.links] == [
        "Subscribe",
        "For more news go to",
        "Facebook",
        "Twitter",
        "Instagram",
        "Twitch",
        "Für Videos in deutscher Sprache besuchen Sie",
    ]
    assert all(link.source == "description" for link in page.links)
    assert page.hashtags == ("Russia", "Iran", "Turkmenistan")


def test_seed_comments(seed_text: str) -> None:
    page = parse_page(seed_text)
    assert page.declared_comment_count == 22
    assert len(page.comments) == 5
    assert page.comments[2].text.endswith("\nIsaiah 54:17! ✝️❤️✝️❤️✝️")
    assert page.comments[4].text.count("\n") == 6
    assert page.comments[4].text.endswith("on their side – and they are still growing.")
    assert [(c.line_start, c.line_end) for c in page.comments] == [
        (28, 28),
        (30, 30),
        (32, 33),
        (35, 35),
        (37, 43),
    ]
    assert all("Leave a Reply" not in c.text for c in page.comments)
    assert all(c.author is None and c.parent_index is None for c in page.comments)


def test_crlf_text_is_accepted(seed_text: str) -> None:
    assert parse_page(seed_text.replace("\n", "\r\n")) == parse_page(seed_text)


@pytest.mark.parametrize("text", ["", "   \n\n", "????\n", "—— ••• ——"])
def test_no_title(text: str) -> None:
    with pytest.raises(PageRejected) as caught:
        parse_page(text)
    assert caught.value.reason_code == "no_title"


def test_not_a_video_page() -> None:
    text = (
        "Five tomato mistakes | The Backyard Plot\n\nAfter ten summers I thought I knew.\n\n"
        "2 thoughts on “Five tomato mistakes”\nGreg says:\nJune 12, 2024 at 7:45 pm\nSame!\nReply\n"
    )
    with pytest.raises(PageRejected) as caught:
        parse_page(text)
    assert caught.value.reason_code == "not_a_video_page"


def test_title_only_video_page() -> None:
    page = parse_page("My video")
    assert (page.title, page.description, page.description_line_start, page.comments) == (
        "My video",
        "",
        None,
        (),
    )


def test_comment_links_carry_comment_index() -> None:
    text = "Clip | Chan\n\nA video.\n\n2 comments\n  1. see https://x.org/a.\n\n  2. and bit.ly/b\n"
    page = parse_page(text)
    assert [(k.url, k.source, k.line, k.comment_index) for k in page.links] == [
        ("https://x.org/a", "comment", 6, 0),
        ("bit.ly/b", "comment", 8, 1),
    ]


def test_same_url_twice_is_two_rows() -> None:
    page = parse_page("Video\n\nhttps://x.org/a\nagain https://x.org/a\n")
    assert [link.url for link in page.links] == ["https://x.org/a", "https://x.org/a"]


def test_hashtags_from_title_and_description_only() -> None:
    page = parse_page("#One video\n\nText #Two #1\n\n1 comment\n  1. #Three\n")
    assert page.hashtags == ("One", "Two")


def test_huge_single_line_page_completes() -> None:
    # 5 MB on one line, with the shapes that make naive patterns backtrack (dotted runs, slashes,
    # hashes, numbers); no timing assertion, only that it finishes inside the suite.
    chunk = (
        "lorem ipsum dolor sit amet " * 12 + "a.b.c.d.e.f/g #tag 1,047 comments https://x.org/p "
    )
    line = (chunk * (5_000_000 // len(chunk)))[:5_000_000]
    page = parse_page("Huge video page\n" + line)
    assert page.title == "Huge video page"
    assert len(page.links) > 10_000


def test_huge_single_line_without_title_is_rejected_quickly() -> None:
    with pytest.raises(PageRejected):
        parse_page("a" * 5_000_000)


def test_strict_and_safe_agree_on_good_pages(seed_text: str) -> None:
    assert parse_page_strict(seed_text) == parse_page(seed_text)


def test_substack_author_avatar_under_title_is_the_channel_not_a_comment() -> None:
    text = (
        "The quiet collapse of local news\nAnna Keller's avatar\nAnna Keller\nMay 2, 2024\n\n"
        "In this week's video we talk about news deserts.\n\nDiscussion about this video\n"
        "Mark's avatar\nMark\nMay 2\nGreat.\nReply\n"
    )
    page = parse_page(text)
    assert (page.channel, page.published, page.layout) == (
        "Anna Keller",
        "May 2, 2024",
        "discussion",
    )
    assert page.description == "In this week's video we talk about news deserts."
    assert [(c.author, c.posted, c.text) for c in page.comments] == [("Mark", "May 2", "Great.")]


def test_mirror_counters_before_published_line_are_head() -> None:
    text = (
        "Clip title\nSome Channel\n2.4M subscribers\n48K\nShare\nDownload\n1,234 views\n"
        "• Published 2 Oct 2023\n    The description.\n"
    )
    page = parse_page(text)
    assert (page.channel, page.published, page.description) == (
        "Some Channel",
        "2 Oct 2023",
        "The description.",
    )


def test_unexpected_error_becomes_parse_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.parse as parse_module

    def broken(text: str) -> None:
        raise IndexError("boom")

    monkeypatch.setattr(parse_module, "parse_page_strict", broken)
    with pytest.raises(PageRejected) as caught:
        parse_module.parse_page("Title video")
    assert caught.value.reason_code == "parse_error"


def test_description_toggle_is_not_text_and_not_in_the_span() -> None:
    text = (
        "Clip | DW\nDW\n1M subscribers\nShare\n• Published 1 Jan 2024\n"
        "    Text.\n    Show less\n\nCOMMENTS • 3\n"
    )
    page = parse_page(text)
    assert (page.description, page.description_line_start, page.description_line_end) == (
        "Text.",
        6,
        6,
    )
