"""etl.parse.sections: head metadata, description span, header, comment region, footer."""

from __future__ import annotations

import pytest

from etl.parse.sections import read_body, read_head, trailing_list_start


def _split(text: str) -> tuple[list[str], list[str]]:
    lines = text.split("\n")
    return lines, [line.strip() for line in lines]


def test_head_repeated_title_channel_line_and_mirror_chrome() -> None:
    _, stripped = _split(
        "T | DW\n\nT | DW\nDW\n1.2M subscribers\nShare\nEmbed\n• Published 7 Jul 2021\n    Body"
    )
    head = read_head(stripped)
    assert (head.channel, head.channel_line, head.published, head.body_start) == (
        "DW",
        3,
        "7 Jul 2021",
        8,
    )
    assert head.is_mirror and not head.is_transcript


def test_head_transcript_labels() -> None:
    _, stripped = _split(
        "T\n\nChannel / Source: Times Radio\nPublished: 5 hours ago\n"
        "Source: https://x.org/v\n\n00:00 Hi"
    )
    head = read_head(stripped)
    assert (head.channel, head.published, head.is_transcript) == (
        "Times Radio",
        "5 hours ago",
        True,
    )
    assert head.link_lines == (2, 3, 4) and head.body_start == 6


def test_head_uncorroborated_line_is_description() -> None:
    _, stripped = _split("Title\n\nShort line\n\nMore text.")
    head = read_head(stripped)
    assert head.channel is None and head.body_start == 2


def test_body_header_and_footer() -> None:
    lines, stripped = _split("T\n\nDesc\n\n22 comments\n  1. hi\n\nLeave a Reply\nName *")
    body = read_body(lines, stripped, 1)
    assert (body.desc_end, body.header_line, body.comments_start, body.comments_end) == (4, 4, 5, 7)
    assert body.header is not None and body.header.count == 22


def test_bare_header_upgraded_by_zero_phrase() -> None:
    lines, stripped = _split("T\nDesc\nComments\nThere are no comments yet.")
    body = read_body(lines, stripped, 1)
    assert body.header is not None and body.header.count == 0


def test_headerless_mirror_comments_end_description() -> None:
    lines, stripped = _split("T\nDesc\n• @a\n@a 1 day ago\nhi")
    body = read_body(lines, stripped, 1)
    assert (body.desc_end, body.comments_start, body.header) == (2, 2, None)


def test_related_videos_heading_ends_description_but_not_search_for_header() -> None:
    lines, stripped = _split(
        "T\nDesc\nRelated\nOther post\n3 thoughts on “T”\nA says:\nMay 1, 2024\nx"
    )
    body = read_body(lines, stripped, 1)
    assert (body.desc_end, body.header_line) == (2, 4)


def test_comments_closed_is_a_footer_without_count() -> None:
    lines, stripped = _split("T\nDesc\nComments are closed.")
    body = read_body(lines, stripped, 1)
    assert (body.header, body.footer_line, body.desc_end) == (None, 2, 2)


def test_trailing_list_start() -> None:
    lines, stripped = _split("T\nDesc\n\n  1. a\n    more\n\n  2. b\n    1. @x c")
    assert trailing_list_start(lines, stripped, 1, len(lines)) == 3


def test_description_list_is_not_a_trailing_comment_list() -> None:
    lines, stripped = _split("T\nSteps:\n1. one\n2. two\n")
    assert trailing_list_start(lines, stripped, 1, len(lines)) is None
    lines, stripped = _split("T\nSteps:\n  1. one\n  2. two\nThanks")
    assert trailing_list_start(lines, stripped, 1, len(lines)) is None


def test_headerless_re_subject_thread() -> None:
    lines, stripped = _split(
        "Re: Video thread\nOpening post.\nRe: Video thread\nreply one\nRe: x\nreply two"
    )
    body = read_body(lines, stripped, 1)
    assert (body.desc_end, body.comments_start) == (2, 2)


@pytest.mark.parametrize(
    "footer",
    [
        "Leave a Reply",
        "Leave a comment",
        "Post a Comment",
        "Add a comment",
        "Write a comment",
        "Your email address will not be published. Required fields are marked *",
        "You must be logged in to post a comment.",
        "Comments are closed.",
        "Cancel reply",
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
        "Newer Post",
        "Older Post",
        "Subscribe to: Post Comments (Atom)",
        "Join the discussion",
        "Deja una respuesta",
        "Laisser un commentaire",
        "Schreibe einen Kommentar",
        "Добавить комментарий",
        "Залишити коментар",
        "Напишите комментарий",
    ],
)
def test_every_footer_form_ends_the_comment_region(footer: str) -> None:
    lines, stripped = _split(f"T\nA video.\n\n2 comments\n  1. hi\n{footer}\n  2. not a comment")
    assert read_body(lines, stripped, 1).footer_line == 5


@pytest.mark.parametrize(
    "heading",
    [
        "Related videos",
        "Related",
        "More videos",
        "Up next",
        "You may also like",
        "Recommended",
        "Watch more",
        "Latest videos",
        "Trending",
        "Share this:",
        "Like this:",
        "See also",
        "Схожі відео",
        "Похожие видео",
        "Související videa",
        "Videos relacionados",
        "Vidéos similaires",
        "Ähnliche Videos",
        "Weitere Videos",
        "Tags: a, b",
        "Labels: x",
        "Posted by Ann at 9:30 PM",
        "Filed under: News",
        "Categories: Video",
        "Most watched",
        "Editor's picks",
        "Also on DW",
        "Read next",
    ],
)
def test_every_chrome_heading_ends_the_description(heading: str) -> None:
    lines, stripped = _split(f"T\nA video.\n{heading}\nteaser 02:15")
    assert read_body(lines, stripped, 1).desc_end == 2


def test_subscribe_button_alone_does_not_make_a_mirror() -> None:
    _, stripped = _split("T\nSubscribe\nBody text.")
    head = read_head(stripped)
    assert not head.is_mirror and head.body_start == 2


def test_related_heading_after_blank_line_closes_the_comment_region() -> None:
    lines, stripped = _split(
        "T\nA video.\n\n2 comments\n  1. hi\n\nRelated posts\nOther video 02:15"
    )
    body = read_body(lines, stripped, 1)
    assert (body.comments_start, body.comments_end, body.footer_line) == (4, 6, None)


def test_prose_ending_in_said_is_not_a_headerless_comment_section() -> None:
    lines, stripped = _split("T\nA video.\nAnd then he said…\nthe rest of the story.")
    body = read_body(lines, stripped, 1)
    assert body.comments_start is None and body.desc_end == 4


@pytest.mark.parametrize(
    "counter",
    [
        "412 Tsd. Abonnenten",
        "412.000 Abonnenten",
        "4,5 mi de inscritos",
        "1,2 Mln di iscritti",
        "2,1 M d’abonnés",
        "12,3 tys. subskrybentów",
        "1,2 B abone",
        "348 тис. підписників",
    ],
)
def test_mirror_subscriber_counters_are_chrome_not_channel(counter: str) -> None:
    _, stripped = _split(
        f"T | Kanal\n\nKanal\n{counter}\nTeilen\n• Veröffentlicht 1.2.2024\n    Body"
    )
    head = read_head(stripped)
    assert (head.channel, head.published, head.is_mirror) == ("Kanal", "1.2.2024", True)


def test_lowercase_channel_line_corroborated_by_mirror_chrome() -> None:
    _, stripped = _split(
        "Rente | phoenix vor ort\nphoenix\nTeilen\nEinbetten\n• Veröffentlicht 1.2.2024"
    )
    assert read_head(stripped).channel == "phoenix"
    # Without mirror chrome under it a lowercase line is description, not a channel.
    _, stripped = _split("Rente\n\nphoenix\nMarch 3, 2024\n\nText.")
    assert read_head(stripped).channel is None


def test_channel_line_equal_to_the_titles_dash_suffix() -> None:
    _, stripped = _split("Sunday ragù (full video) - Pasta Grannies\nPasta Grannies\n\nText.")
    head = read_head(stripped)
    assert (head.channel, head.channel_line) == ("Pasta Grannies", 1)
