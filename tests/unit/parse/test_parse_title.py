"""etl.parse.title: title line and channel suffix judgement."""

from __future__ import annotations

import pytest

from etl.errors import PageRejected
from etl.parse.title import find_title, looks_like_channel, split_channel


@pytest.mark.parametrize(
    ("raw", "title", "channel"),
    [
        (
            "The increasing ties between Russia and Iran | DW News",
            "The increasing ties between Russia and Iran",
            "DW News",
        ),
        ("A | B | Kings and Generals", "A | B", "Kings and Generals"),
        ("Inside the Arctic town - BBC News", "Inside the Arctic town", "BBC News"),
        ("Ukraine war – Al Jazeera English", "Ukraine war", "Al Jazeera English"),
        ("VIDEO: Floods in Valencia | Euronews", "VIDEO: Floods in Valencia", "Euronews"),
        ("Drone attack on Kyiv | 12 May 2024", "Drone attack on Kyiv | 12 May 2024", None),
        ("Joe Rogan Experience | Ep. 2041", "Joe Rogan Experience | Ep. 2041", None),
        ("Interview | with Jane Smith", "Interview | with Jane Smith", None),
        ("Trailer | Official Trailer", "Trailer | Official Trailer", None),
        ("Putin - Iran talks", "Putin - Iran talks", None),
        (
            "Raspberry Pi NAS – full video walkthrough",
            "Raspberry Pi NAS – full video walkthrough",
            None,
        ),
        ("Why is the sky blue? 🌌🔭 | SciShow", "Why is the sky blue? 🌌🔭", "SciShow"),
        ("No separator here", "No separator here", None),
        ("L’été à Montréal | Vidéo", "L’été à Montréal | Vidéo", None),
    ],
)
def test_split_channel(raw: str, title: str, channel: str | None) -> None:
    assert split_channel(raw, None) == (title, channel)


def test_known_channel_strips_matching_suffix() -> None:
    assert split_channel("Lithium - Real Engineering", "Real Engineering") == (
        "Lithium",
        "Real Engineering",
    )


def test_known_channel_keeps_other_suffix_in_title() -> None:
    assert split_channel("Fusion | Díl 12", "Vědecké kladivo") == (
        "Fusion | Díl 12",
        "Vědecké kladivo",
    )


def test_find_title_skips_navigation_and_blank_lines() -> None:
    found = find_title(["", "Skip to content", "Menu", "Real title", "x"])
    assert (found.index, found.raw) == (3, "Real title")


def test_find_title_drops_host_suffix() -> None:
    assert find_title(["My clip - YouTube"]).raw == "My clip"


@pytest.mark.parametrize("lines", [[], ["", "  "], ["—— ••• ——", "????"], ["x" * 2000]])
def test_no_title(lines: list[str]) -> None:
    with pytest.raises(PageRejected) as caught:
        find_title(lines)
    assert caught.value.reason_code == "no_title"


@pytest.mark.parametrize("name", ["DW News", "Kings and Generals", "@handle", "SciShow"])
def test_looks_like_channel(name: str) -> None:
    assert looks_like_channel(name)


@pytest.mark.parametrize(
    "name",
    [
        "12 May 2024",
        "Part 2",
        "S01E03",
        "with John",
        "what happened?",
        "lowercase words",
        "a very long suffix that has far too many words to be any channel name",
    ],
)
def test_not_a_channel(name: str) -> None:
    assert not looks_like_channel(name)


@pytest.mark.parametrize(
    "raw",
    ["Why Russia will win | Prof. John Mearsheimer", "Hope in Hard Times | Pastor James Okafor"],
)
def test_honorific_suffix_is_a_guest_not_a_channel(raw: str) -> None:
    assert split_channel(raw, None) == (raw, None)


def test_emoji_only_title_is_a_title() -> None:
    assert find_title(["👍 👍 👍", "Posted on May 3, 2024"]).raw == "👍 👍 👍"
