"""etl.parse.layout: family names and the conservative not-a-video verdict."""

from __future__ import annotations

import pytest

from etl.parse.headers import Header
from etl.parse.layout import classify_layout, is_video_page


def _video(
    title: str = "Plain title",
    description: str = "",
    text: str = "",
    links: tuple[str, ...] = (),
    layout: str = "news",
) -> bool:
    body = "\n".join([title, description, text])
    return is_video_page(
        title=title,
        description=description,
        text=body,
        stripped=[line.strip() for line in body.split("\n")],
        link_urls=links,
        layout=layout,
        style=None,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"title": "VIDEO: floods"},
        {"title": "Full episode 3"},
        {"description": "Please subscribe HERE"},
        {"text": "great vídeo"},
        {"text": "Смотрите видео"},
        {"links": ("https://youtu.be/abc",)},
        {"links": ("vimeo.com/123",)},
        {"description": "0:00 Intro\n1:42 Topic"},
        {"layout": "mirror"},
        {"layout": "transcript"},
    ],
)
def test_video_signals(kwargs: dict[str, object]) -> None:
    assert _video(**kwargs)  # type: ignore[arg-type]


def test_plain_article_is_not_a_video() -> None:
    assert not _video(
        title="Five tomato mistakes",
        description="1. Planting early.\nNewsletter: www.example.com/tomatoes",
        text="Greg says: me too",
    )


@pytest.mark.parametrize(
    ("kwargs", "layout"),
    [
        ({"style": "ordered"}, "ordered_list"),
        ({"style": "substack"}, "discussion"),
        ({"is_mirror": True, "style": "ordered"}, "mirror"),
        ({"is_transcript": True}, "transcript"),
        ({"header": Header(3, "thoughts")}, "wordpress"),
        ({"header": Header(0, "blogger")}, "blogger"),
        ({"footer": "Leave a Reply"}, "wordpress"),
        ({"footer": "Post a Comment"}, "blogger"),
        ({}, "news"),
    ],
)
def test_classify_layout(kwargs: dict[str, object], layout: str) -> None:
    arguments: dict[str, object] = {
        "style": None,
        "is_mirror": False,
        "is_transcript": False,
        "header": None,
        "footer": None,
        "description_lines": [],
    }
    arguments.update(kwargs)
    assert classify_layout(**arguments) == layout  # type: ignore[arg-type]
