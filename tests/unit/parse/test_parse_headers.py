"""etl.parse.headers: every comment-header form of FORMATS.md and its declared count."""

from __future__ import annotations

import pytest

from etl.parse.headers import match_header
from etl.parse.patterns import parse_count


@pytest.mark.parametrize(
    ("line", "count"),
    [
        ("22 comments", 22),
        ("1 comment", 1),
        ("1,047 comments", 1047),
        ("3\u00a0456 comments", 3456),
        ("3 456 Comments", 3456),
        ("Comment (66)", 66),
        ("Comments (0)", 0),
        ("Comments: 86", 86),
        ("COMMENTS • 1,312", 1312),
        ("КОМЕНТАРІ • 331", 331),
        ("Komentáře • 206", 206),
        ("Комментарии: 12", 12),
        ("Comentarios • 1.204", 1204),
        ("22 комментария", 22),
        ("3 thoughts on “Title”", 3),
        ("One thought on “Title”", 1),
        ("4 Responses to “Title”", 4),
        ("5 comments:", 5),
        ("No comments:", 0),
        ("0 Comments", 0),
        ("No comments yet", 0),
        ("Be the first to comment", 0),
        ("Be the first to comment!", 0),
        ("There are no comments", 0),
        ("There are no comments yet.", 0),
        ("View 331 comments", 331),
        ("1.2K comments", 1200),
    ],
)
def test_counting_headers(line: str, count: int) -> None:
    header = match_header(line)
    assert header is not None and header.count == count


@pytest.mark.parametrize(
    "line", ["Comments", "COMMENTS", "Discussion about this video", "Kommentare", "Коментарі"]
)
def test_bare_headers_declare_nothing(line: str) -> None:
    header = match_header(line)
    assert header is not None and header.count is None


@pytest.mark.parametrize(
    "line",
    [
        "1 more comment...",
        "2 more comments",
        "Comments are closed.",
        "3 thoughts",
        "",
        "I read 22 comments and",
        "Comment",
        "2 replies",
        "Show 5 more replies",
        "22",
    ],
)
def test_not_headers(line: str) -> None:
    assert match_header(line) is None


def test_blogger_and_thoughts_kinds() -> None:
    assert match_header("5 comments:").kind == "blogger"  # type: ignore[union-attr]
    assert match_header("3 thoughts on “X”").kind == "thoughts"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,047", 1047),
        ("1.047", 1047),
        ("3\u00a0456", 3456),
        ("12", 12),
        ("1.2K", 1200),
        ("1,2 тис.", 1200),
        ("seven", 7),
        ("no", 0),
        ("x", None),
        ("", None),
    ],
)
def test_parse_count(text: str, value: int | None) -> None:
    assert parse_count(text) == value
