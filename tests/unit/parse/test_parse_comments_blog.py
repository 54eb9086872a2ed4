"""Family C: WordPress ``Name says:`` and Blogger ``Name said...`` comments."""

from __future__ import annotations

from etl.parse.comments.blog import is_wordpress_start, parse_blogger, parse_wordpress


def _stripped(text: str) -> tuple[list[str], list[str]]:
    lines = text.split("\n")
    return lines, [line.strip() for line in lines]


def test_wordpress_comments_with_nested_reply() -> None:
    lines, stripped = _stripped(
        "Maria says:\nMarch 3, 2024 at 9:14 pm\nThank you.\nReply\n"
        "    admin says:\n    March 4, 2024 at 8:02 am\n    @Maria glad it helped\n    Reply\n"
        "John T. says:\nMarch 5, 2024 at 11:40 am\nLow audio.\nMy mother says: turn it up\nReply"
    )
    drafts = parse_wordpress(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.parent, d.text) for d in drafts] == [
        ("Maria", "March 3, 2024 at 9:14 pm", None, "Thank you."),
        ("admin", "March 4, 2024 at 8:02 am", 0, "@Maria glad it helped"),
        ("John T.", "March 5, 2024 at 11:40 am", None, "Low audio.\nMy mother says: turn it up"),
    ]
    assert [(d.first + 1, d.last + 1) for d in drafts] == [(1, 4), (5, 8), (9, 13)]


def test_wordpress_date_on_author_line_and_other_date_forms() -> None:
    lines, stripped = _stripped("Ann says: 4 May 2024 at 10:12\nHi\nBo says:\n2024-05-04 10:12\nYo")
    drafts = parse_wordpress(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.text) for d in drafts] == [
        ("Ann", "4 May 2024 at 10:12", "Hi"),
        ("Bo", "2024-05-04 10:12", "Yo"),
    ]


def test_says_inside_text_is_not_an_author_line() -> None:
    assert not is_wordpress_start(["My mother says: be kind"], 0, 1)
    assert not is_wordpress_start(["The doctor says:", "take rest"], 0, 2)


def test_blogger_comments_timestamp_after_text() -> None:
    lines, stripped = _stripped(
        "Anonymous said...\nStunning!\nMay 4, 2024 at 10:12 AM\n\n"
        "Carlos said…\n¡Qué bonito!\nSaludos 🇲🇽\nTuesday, May 5, 2024 3:41:00 PM\nReply\nDelete"
    )
    drafts = parse_blogger(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.text) for d in drafts] == [
        ("Anonymous", "May 4, 2024 at 10:12 AM", "Stunning!"),
        ("Carlos", "Tuesday, May 5, 2024 3:41:00 PM", "¡Qué bonito!\nSaludos 🇲🇽"),
    ]


def test_date_line_with_theme_links_appended() -> None:
    lines, stripped = _stripped("Ann says:\nMay 4, 2024 at 10:12 pm Edit\nHi there\nReply")
    drafts = parse_wordpress(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.text) for d in drafts] == [
        ("Ann", "May 4, 2024 at 10:12 pm", "Hi there")
    ]


def test_moderation_notice_is_not_comment_text() -> None:
    lines, stripped = _stripped(
        "Ann says:\nMay 4, 2024\nYour comment is awaiting moderation.\nHi\nReply to Ann"
    )
    assert [d.text for d in parse_wordpress(lines, stripped, 0, len(lines))] == ["Hi"]


def test_says_on_its_own_line() -> None:
    lines, stripped = _stripped(
        "Maria Gonzalez\nsays:\nMarch 3, 2024 at 9:14 pm\nThank you.\nReply\n"
        "Tom\nsays:\nMay 1, 2024\nOk"
    )
    drafts = parse_wordpress(lines, stripped, 0, len(lines))
    assert [(d.author, d.posted, d.text, d.first + 1) for d in drafts] == [
        ("Maria Gonzalez", "March 3, 2024 at 9:14 pm", "Thank you.", 1),
        ("Tom", "May 1, 2024", "Ok", 6),
    ]
    assert stripped[1] == "says:"  # the caller's lines are not modified


def test_blogger_timestamp_after_a_blank_line_leaves_no_blank_edge() -> None:
    lines, stripped = _stripped(
        "Bob said...\nWhat hydration?\n\nMarch 3, 2024 at 10:00 AM\nDelete\n"
        "Ann said...\nNone.\nMarch 4, 2024 at 9:00 AM"
    )
    drafts = parse_blogger(lines, stripped, 0, len(lines))
    assert [(d.author, d.text, d.posted) for d in drafts] == [
        ("Bob", "What hydration?", "March 3, 2024 at 10:00 AM"),
        ("Ann", "None.", "March 4, 2024 at 9:00 AM"),
    ]


def test_pingbacks_are_not_comment_text() -> None:
    lines, stripped = _stripped(
        "Ann says:\nMarch 3, 2024 at 10:00 am\nLovely.\nLog in to Reply\n\n"
        "Pingback: Top 10 travel vlogs of 2024 – Travel Digest\n"
        "Trackback: Another blog"
    )
    drafts = parse_wordpress(lines, stripped, 0, len(lines))
    assert [(d.author, d.text) for d in drafts] == [("Ann", "Lovely.")]


def test_comment_numbers_are_not_part_of_the_author() -> None:
    lines, stripped = _stripped(
        "#1 Painter Pete says:\nMay 2, 2023 at 4:12 pm\nHappy little trees!\nReply\n"
        "#2 Sue says:\nMay 3, 2023 at 9:00 am\nMy favourite."
    )
    drafts = parse_wordpress(lines, stripped, 0, len(lines))
    assert [(d.author, d.text) for d in drafts] == [
        ("Painter Pete", "Happy little trees!"),
        ("Sue", "My favourite."),
    ]
