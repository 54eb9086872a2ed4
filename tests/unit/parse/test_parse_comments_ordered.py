"""Family A ordered-list comments: continuation lines, nested replies, in-comment lists."""

from __future__ import annotations

from etl.parse.comments.ordered import parse_ordered


def _parse(text: str) -> list[tuple[str, int | None, int, int]]:
    lines = text.split("\n")
    drafts = parse_ordered(lines, [line.strip() for line in lines], 0, len(lines))
    return [(d.text, d.parent, d.first + 1, d.last + 1) for d in drafts]


def test_items_with_continuation_lines() -> None:
    page = "  1. first\n    more of first\n\n  2. second\n"
    assert _parse(page) == [("first\nmore of first", None, 1, 2), ("second", None, 4, 4)]


def test_nested_replies_restart_at_one_after_blank_line() -> None:
    page = (
        "  1. parent\n\n    1. @Ann reply one\n      its second line\n\n    2. reply two\n\n"
        "  2. next top\n"
    )
    assert _parse(page) == [
        ("parent", None, 1, 1),
        ("@Ann reply one\nits second line", 0, 3, 4),
        ("reply two", 0, 6, 6),
        ("next top", None, 8, 8),
    ]


def test_reply_starting_with_mention_needs_no_blank_line() -> None:
    page = "  1. parent\n    1. @Bob yes\n  2. other\n"
    assert [p for _, p, _, _ in _parse(page)] == [None, 0, None]


def test_in_comment_list_directly_under_first_line_stays_inside() -> None:
    page = "  1. Three things:\n    1. one\n    2. two\n    3. three\n    Bye\n\n  2. next\n"
    assert _parse(page) == [
        ("Three things:\n1. one\n2. two\n3. three\nBye", None, 1, 5),
        ("next", None, 7, 7),
    ]


def test_parenthesised_list_stays_inside() -> None:
    page = "  1. Steps:\n    1) download\n    2) run it\n"
    assert _parse(page) == [("Steps:\n1) download\n2) run it", None, 1, 3)]


def test_same_indent_wrong_number_without_blank_is_text() -> None:
    page = "  4. My points:\n  1. first\n  2. second\n  5. next comment\n"
    texts = [t for t, _, _, _ in _parse(page)]
    assert texts == ["My points:\n1. first\n2. second", "next comment"]


def test_year_like_number_in_continuation_is_text() -> None:
    assert [t for t, *_ in _parse("  1. It was\n    2024. A year.\n")] == ["It was\n2024. A year."]


def test_paragraph_break_inside_comment_is_kept_once() -> None:
    assert _parse("  1. para one\n\n    para two\n") == [("para one\n\npara two", None, 1, 3)]


def test_lines_before_the_first_item_are_ignored() -> None:
    assert [t for t, *_ in _parse("Sort by\n  1. hello\n")] == ["hello"]


def test_numbering_gap_after_blank_line_is_next_comment() -> None:
    assert [t for t, *_ in _parse("  1. a\n\n  3. c\n")] == ["a", "c"]


def test_right_aligned_two_digit_numbers_stay_siblings() -> None:
    items = "\n\n".join(f"{n:>3}. comment {n}" for n in range(1, 13))
    texts = [t for t, *_ in _parse(items)]
    assert texts == [f"comment {n}" for n in range(1, 13)]


def test_unindented_text_after_a_blank_line_ends_the_list() -> None:
    page = "  1. one\n    more\n\n  2. two\n\n© 2024 Example News | Privacy\n"
    assert [t for t, *_ in _parse(page)] == ["one\nmore", "two"]


def test_unindented_wrapped_line_directly_under_item_is_continuation() -> None:
    assert [t for t, *_ in _parse("  1. one\nwrapped\n")] == ["one\nwrapped"]
