"""Family F: Substack avatars, ``Re:`` subjects, ``Name • age`` author lines."""

from __future__ import annotations

from etl.parse.comments.discussion import parse_name_date, parse_re_subjects, parse_substack


def _split(text: str) -> tuple[list[str], list[str]]:
    lines = text.split("\n")
    return lines, [line.strip() for line in lines]


def test_substack_chrome_is_removed_and_likes_kept() -> None:
    lines, stripped = _split(
        "Mark's avatar\nMark\nMay 2\nOur paper closed.\nExpand full comment\nLike (12)\nReply\n"
        "Share\n1 more comment...\nPriya N’s avatar\nPriya N\nMay 3\nEdited\nTwo questions:\n"
        "1. Who funds it?\n2. How long?\nExpand full comment\nReply\nShare"
    )
    drafts = parse_substack(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.like_count, d.text) for d in drafts] == [
        ("Mark", "May 2", 12, "Our paper closed."),
        ("Priya N", "May 3", None, "Two questions:\n1. Who funds it?\n2. How long?"),
    ]


def test_re_subject_lines_with_bylines() -> None:
    lines, stripped = _split(
        "Re: Great video\nby nasguy on 2024-02-12 08:14\nWhich HAT?\n"
        "Re: Re: Great video\nBob | 3 days ago\nThe Radxa one.\nRe: no byline\nJust text"
    )
    drafts = parse_re_subjects(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.text) for d in drafts] == [
        ("nasguy", "2024-02-12 08:14", "Which HAT?"),
        ("Bob", "3 days ago", "The Radxa one."),
        (None, None, "Just text"),
    ]


def test_name_date_lines() -> None:
    lines, stripped = _split("Ann Lee • 2 years ago\nGreat talk\nReply\nbob • 5 hours ago\n+1")
    drafts = parse_name_date(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.text) for d in drafts] == [
        ("Ann Lee", "2 years ago", "Great talk"),
        ("bob", "5 hours ago", "+1"),
    ]


def test_name_line_then_date_line() -> None:
    lines, stripped = _split(
        "Helen Park\nMay 4, 2024 at 10:12 am\nLovely video.\nReply\n"
        "Tom\n5 May 2024 at 08:00\nThanks!\nSecond line\nReply"
    )
    drafts = parse_name_date(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.text) for d in drafts] == [
        ("Helen Park", "May 4, 2024 at 10:12 am", "Lovely video."),
        ("Tom", "5 May 2024 at 08:00", "Thanks!\nSecond line"),
    ]


def test_substack_without_avatar_lines_name_then_short_stamp() -> None:
    lines, stripped = _split(
        "Mark Ellison\nMay 2\nOur paper closed.\nReply\nPriya N\n3d\nSame here."
    )
    drafts = parse_name_date(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.text) for d in drafts] == [
        ("Mark Ellison", "May 2", "Our paper closed."),
        ("Priya N", "3d", "Same here."),
    ]


def test_disqus_reply_author_drops_badge_and_replied_to_name() -> None:
    lines, stripped = _split(
        "Sarah K • 2 years ago\nBeautiful.\n    Ana Torres Mod → Sarah K • 2 years ago\n"
        "    Thank you Sarah!\n    Reply\nLoad more comments"
    )
    drafts = parse_name_date(lines, stripped, 0, len(lines))
    assert [(d.author, d.parent, d.text) for d in drafts] == [
        ("Sarah K", None, "Beautiful."),
        ("Ana Torres", 0, "Thank you Sarah!"),  # the unindented action line sets no indent
    ]


def test_a_name_may_end_in_an_initial_but_not_in_a_full_stop() -> None:
    lines, stripped = _split(
        "Karen W.\nJanuary 6, 2023 at 3:12 pm\nWorked!\nReply\n"
        "It broke again.\nJanuary 7, 2023 at 9:00 am\nSorry.\nTom\nJanuary 8, 2023\nOk"
    )
    drafts = parse_name_date(lines, stripped, 0, len(lines))
    assert [(d.author, d.text) for d in drafts] == [
        ("Karen W.", "Worked!\nIt broke again.\nJanuary 7, 2023 at 9:00 am\nSorry."),
        ("Tom", "Ok"),
    ]
