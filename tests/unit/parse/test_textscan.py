"""etl.textscan: the hashtag scanner shared by the parser and the entity backends."""

from __future__ import annotations

import pytest

from etl.textscan import iter_hashtags, unique_hashtags


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("#Russia #Iran #Turkmenistan", ("Russia", "Iran", "Turkmenistan")),
        ("#Russia#Iran glued", ("Russia", "Iran")),
        ("tags inside a sentence #Sequía and #Україна.", ("Sequía", "Україна")),
        ("#हिंदी and #العربية", ("हिंदी", "العربية")),
        ("#1 is not a tag, #2024 neither, #G7 is", ("G7",)),
        ("C# and a#b are not tags", ()),
        ("https://x.org/page#section and x.com/#/app", ()),
        ("&#39;quoted&#39;", ()),
        ("##double and # space", ()),
        ("#tag_ trailing underscore", ("tag",)),
        ("#Iran #iran #IRAN once", ("Iran",)),
    ],
)
def test_unique_hashtags(text: str, tags: tuple[str, ...]) -> None:
    assert unique_hashtags(text) == tags


def test_first_occurrence_order_across_texts() -> None:
    assert unique_hashtags("#b #a", "#A #c") == ("b", "a", "c")


def test_spans_point_at_the_tag() -> None:
    text = "x #Russia#Iran y"
    spans = list(iter_hashtags(text))
    assert [(s.tag, text[s.start_char : s.end_char]) for s in spans] == [
        ("Russia", "#Russia"),
        ("Iran", "#Iran"),
    ]
