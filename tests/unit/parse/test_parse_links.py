"""etl.parse.links: every URL rule of FORMATS.md, one case each."""

from __future__ import annotations

import pytest

from etl.parse.links import clean_url, find_links


def _urls(line: str) -> list[str]:
    return [link.url for link in find_links(line)]


def _pairs(line: str) -> list[tuple[str, str | None]]:
    return [(link.url, link.label) for link in find_links(line)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Subscribe: https://www.youtube.com/user/x?sub_confirmation=1",
            [("https://www.youtube.com/user/x?sub_confirmation=1", "Subscribe")],
        ),
        ("►Facebook: https://www.facebook.com/dw/", [("https://www.facebook.com/dw/", "Facebook")]),
        ("– Twitter: https://twitter.com/dwnews", [("https://twitter.com/dwnews", "Twitter")]),
        ("• Instagram: https://instagram.com/dw", [("https://instagram.com/dw", "Instagram")]),
        (
            "For more news go to: http://www.dw.com/en/",
            [("http://www.dw.com/en/", "For more news go to")],
        ),
        ("Merch ► www.shop.example.com", [("www.shop.example.com", "Merch")]),
        ("Twitter - https://twitter.com/x", [("https://twitter.com/x", "Twitter")]),
        ("https://example.org/a", [("https://example.org/a", None)]),
        ("Read it at https://x.org/a.", [("https://x.org/a", None)]),
    ],
)
def test_labels(line: str, expected: list[tuple[str, str | None]]) -> None:
    assert _pairs(line) == expected


def test_two_urls_on_one_line_get_their_own_labels() -> None:
    line = "X: x.com/KingsGenerals · Instagram: https://www.instagram.com/kg/"
    assert _pairs(line) == [
        ("x.com/KingsGenerals", "X"),
        ("https://www.instagram.com/kg/", "Instagram"),
    ]


def test_glued_urls_are_split() -> None:
    assert _urls("https://a.com/xhttps://b.org/y") == ["https://a.com/x", "https://b.org/y"]


@pytest.mark.parametrize(
    "url",
    [
        "bit.ly/abc",
        "x.com/name",
        "patreon.com/name",
        "pic.twitter.com/Xy12",
        "t.me/chan",
        "youtube.com/@handle",
        "www.example.com",
        "www.bbc.co.uk/news",
        "github.com/a/b",
    ],
)
def test_schemeless_and_www(url: str) -> None:
    assert _urls(f"see {url} now") == [url]


@pytest.mark.parametrize(
    "line",
    [
        "Write to office@example.org or press@dw.com/ now",
        "follow @dwnews and @x.com",
        "Music: all *.mp3 tracks / @KingsGenerals .",
        "Facebook: / dw.ukrainian .",
        "files in src/*.py and docs/index.md",
        "Podcast:",
        "https:// and www. alone",
        "version 1.2/3 and e.g/x",
    ],
)
def test_not_links(line: str) -> None:
    assert _urls(line) == []


def test_query_strings_are_kept() -> None:
    assert _urls("https://www.youtube.com/watch?v=abc&hl=en_GB&t=42s") == [
        "https://www.youtube.com/watch?v=abc&hl=en_GB&t=42s"
    ]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("https://x.org/a.", "https://x.org/a"),
        ("https://x.org/a),", "https://x.org/a"),
        ("https://x.org/a!?;:", "https://x.org/a"),
        ("https://x.org/a'\"", "https://x.org/a"),
        ("https://x.org/a]}", "https://x.org/a"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)).", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ],
)
def test_trailing_punctuation(raw: str, clean: str) -> None:
    assert clean_url(raw) == clean


def test_url_in_parentheses() -> None:
    assert _urls("(source: https://x.org/report)") == ["https://x.org/report"]


def test_url_in_curly_quotes() -> None:
    assert _urls("“https://x.org/a”") == ["https://x.org/a"]


def test_label_without_url_makes_no_link() -> None:
    assert find_links("Instagram:") == ()


def test_transcript_timestamp_is_not_part_of_label() -> None:
    assert _pairs("01:10Sponsored by Brilliant: brilliant.org/RE") == [
        ("brilliant.org/RE", "Sponsored by Brilliant")
    ]


def test_long_line_is_linear() -> None:
    line = "a." * 500_000 + " https://x.org/end"
    assert _urls(line) == ["https://x.org/end"]


@pytest.mark.parametrize(
    "line", ["http://localhost:8080/x", "https://192.168.0.1/admin", "https://x"]
)
def test_hosts_without_letter_tld_are_not_links(line: str) -> None:
    assert _urls(line) == []


def test_every_emitted_url_satisfies_the_links_contract() -> None:
    import re

    contract = re.compile(r"^(?:https?://|www\.)?[^\s/]*[A-Za-z0-9-]\.[A-Za-z]{2,}")
    line = "a https://x.org/a b www.y.co.uk c bit.ly/q d http://ex.am-ple.com/z?x=1 e t.me/p"
    urls = _urls(line)
    assert len(urls) == 5 and all(contract.match(url) for url in urls)
