"""Family B mirror comments: bullet + age line + text, replies, glued handles, likes."""

from __future__ import annotations

import pytest

from etl.parse.comments.mirror import is_mirror_start, parse_mirror, split_age, split_glued_handle

PAGE = """• @olena_kyiv
@olena_kyiv 1 рік тому +214
Дуже дякую! 🇺🇦
    • @petro.m
    @petro.m 1 рік тому +12
    @@olena_kyiv згоден
• @name4410
@name441012 days ago
Glued handle
second line
Reply
• @x
@x 2 years ago (edited) +1.2K
Edited one"""


def _parse(text: str) -> list[tuple[str | None, str | None, int | None, int | None, str]]:
    lines = text.split("\n")
    drafts = parse_mirror(lines, [line.strip() for line in lines], 0, len(lines))
    return [(d.author, d.posted, d.like_count, d.parent, d.text) for d in drafts]


def test_mirror_comments() -> None:
    assert _parse(PAGE) == [
        ("@olena_kyiv", "1 рік тому", 214, None, "Дуже дякую! 🇺🇦"),
        ("@petro.m", "1 рік тому", 12, 0, "@@olena_kyiv згоден"),
        ("@name4410", "12 days ago", None, None, "Glued handle\nsecond line"),
        ("@x", "2 years ago", 1200, None, "Edited one"),
    ]


def test_line_spans() -> None:
    lines = PAGE.split("\n")
    drafts = parse_mirror(lines, [line.strip() for line in lines], 0, len(lines))
    assert [(d.first + 1, d.last + 1) for d in drafts] == [(1, 3), (4, 6), (7, 11), (12, 14)]


def test_without_bullet_lines_age_lines_start_comments() -> None:
    page = "@anna 3 days ago +5\nNice\n@bob 1 week ago\nAgreed"
    assert _parse(page) == [
        ("@anna", "3 days ago", 5, None, "Nice"),
        ("@bob", "1 week ago", None, None, "Agreed"),
    ]


def test_is_mirror_start_needs_matching_age_line() -> None:
    assert is_mirror_start(["• @a", "@a 1 day ago"], 0)
    assert not is_mirror_start(["• @a", "something else"], 0)
    assert not is_mirror_start(["• Published 7 Jul 2021", "x"], 0)


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        (" 1 year ago +214", ("1 year ago", 214)),
        (" před 2 lety", ("před 2 lety", None)),
        ("", (None, None)),
        (" 5 hours ago (edited)", ("5 hours ago", None)),
    ],
)
def test_split_age(rest: str, expected: tuple[str | None, int | None]) -> None:
    assert split_age(rest) == expected


def test_split_glued_handle_needs_an_age() -> None:
    assert split_glued_handle("@bob 2 hours ago") == ("@bob", "2 hours ago")
    assert split_glued_handle("@bob thanks for this") is None


def test_display_name_bullets_need_an_age_line() -> None:
    page = (
        "• Anna Petrova\nAnna Petrova 2 years ago +4\nДякую!\n• Not a comment\nNot a comment line"
    )
    assert _parse(page) == [
        ("Anna Petrova", "2 years ago", 4, None, "Дякую!\n• Not a comment\nNot a comment line")
    ]


def test_pinned_badge_between_bullet_and_age_line_keeps_the_comment() -> None:
    page = (
        "• @ENDEVR\nPinned by ENDEVR\n@ENDEVR 1 year ago\nWould you eat it?\n"
        "• @max\n@max 1 year ago +3\nTranslated\nDas ist die Zukunft.\n12 replies"
    )
    assert _parse(page) == [
        ("@ENDEVR", "1 year ago", None, None, "Would you eat it?"),
        ("@max", "1 year ago", 3, None, "Das ist die Zukunft."),
    ]


def test_display_name_behind_the_at_sign_needs_an_age_line() -> None:
    page = (
        "• @ivan_k\n@ivan_k 8 місяців тому +3\nГероям слава!\n"
        "• @Мирослав Коваль\n@Мирослав Коваль 7 місяців тому\nДякую за репортаж.\n"
        "• @not a handle\n@not a handle said this without an age"
    )
    assert _parse(page) == [
        ("@ivan_k", "8 місяців тому", 3, None, "Героям слава!"),
        (
            "@Мирослав Коваль",
            "7 місяців тому",
            None,
            None,
            "Дякую за репортаж.\n• @not a handle\n@not a handle said this without an age",
        ),
    ]
