"""The real seed page yields the names a reader expects, with both backends."""

from __future__ import annotations

from entity_pages import seed_page

from etl.entities import EntityBackend

EXPECTED = {
    ("Vladimir Putin", "PERSON"),
    ("Masoud Pezeshkian", "PERSON"),
    ("Ibrahim Raisi", "PERSON"),
    ("Natalia Smolentceva", "PERSON"),
    ("Russia", "GPE"),
    ("Iran", "GPE"),
    ("Turkmenistan", "GPE"),
    ("Israel", "GPE"),
    ("Ukraine", "GPE"),
    ("Moscow", "GPE"),
    ("Riga", "GPE"),
    ("Tehran", "GPE"),
    ("Hezbollah", "ORG"),
    ("Kremlin", "ORG"),
    ("DW", "ORG"),
}


def test_seed_page_expected_mentions(any_backend: EntityBackend) -> None:
    (mentions,) = any_backend.annotate([seed_page()])
    found = {(m.text, m.label) for m in mentions}
    assert found >= EXPECTED, EXPECTED - found


def test_natalia_smolentceva_is_one_person_everywhere(any_backend: EntityBackend) -> None:
    (mentions,) = any_backend.annotate([seed_page()])
    pieces = [m for m in mentions if m.text in {"Natalia", "Smolentceva"}]
    assert pieces == []
    full = [m for m in mentions if m.text == "Natalia Smolentceva"]
    assert len(full) == 2
    assert {m.label for m in full} == {"PERSON"}


def test_seed_page_canonical_links_short_names(any_backend: EntityBackend) -> None:
    (mentions,) = any_backend.annotate([seed_page()])
    canon = {m.text: m.canonical_name for m in mentions if m.label == "PERSON"}
    assert canon["Putin"] == "Vladimir Putin"
    assert canon["Pezeshkian"] == "Masoud Pezeshkian"


def test_seed_page_hashtags_and_no_junk(any_backend: EntityBackend) -> None:
    (mentions,) = any_backend.annotate([seed_page()])
    tags = [m.text for m in mentions if m.label == "HASHTAG"]
    assert tags == ["Russia", "Iran", "Turkmenistan"]
    surfaces = {m.text for m in mentions}
    assert not surfaces & {"thou", "he", "first", "2022", "22"}
    assert all(any(ch.isalpha() for ch in m.text) for m in mentions)
