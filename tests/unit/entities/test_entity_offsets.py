"""Offsets invariant and ordering, for every backend, on the dev set and on generated text."""

from __future__ import annotations

from entity_pages import assert_invariants, page_of, seed_page
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.entities import EntityBackend
from etl.eval.entities import default_devset_dir, load_devset


def test_offsets_on_seed_and_devset(any_backend: EntityBackend) -> None:
    holdout = load_devset(default_devset_dir() / "holdout")
    pages = [seed_page(), *(dev.page for dev in (*load_devset(), *holdout))]
    for page, mentions in zip(pages, any_backend.annotate(pages), strict=True):
        assert_invariants(page, mentions)


def test_one_list_per_page_in_input_order(any_backend: EntityBackend) -> None:
    pages = [page_of("Putin in Moscow"), page_of(""), page_of("Merkel in Berlin")]
    result = any_backend.annotate(pages)
    assert [[m.text for m in ms] for ms in result] == [
        ["Putin", "Moscow"],
        [],
        ["Merkel", "Berlin"],
    ]
    assert any_backend.annotate([]) == []


def test_hashtag_offsets_exclude_the_hash(rules_backend: EntityBackend) -> None:
    page = page_of("Dürre #Sequía y #1 en #Niger_")
    (mentions,) = rules_backend.annotate([page])
    tags = [(m.text, m.start_char, m.end_char) for m in mentions if m.label == "HASHTAG"]
    assert tags == [("Sequía", 7, 13), ("Niger", 23, 28)]


_WORDS = st.sampled_from(
    [
        "Iran", "iran", "Tiran", "Iran's", "IRAN", "Russia’s", "President", "Putin", "Dr.",
        "#Iran", "#1", "the", "The", "Kremlin", "DW", "’s", "-", "(", ")", ".", "\n", "Ünal",
        "Natalia", "Smolentceva", "correspondent", "Mr.", "São", "Paulo", "🇺🇦", "\u00a0",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=25), st.sampled_from(["", " ", ", "]))
def test_rules_invariants_on_generated_text(words: list[str], glue: str) -> None:
    from etl.entities import make_backend

    text = glue.join(words) if glue else " ".join(words).replace(" .", ".")
    page = page_of(text, text, channel="DW")
    (mentions,) = make_backend("rules").annotate([page])
    assert_invariants(page, mentions)


def test_long_texts_are_cut_into_pieces_without_losing_offsets() -> None:
    from etl.entities.spacy_backend import text_pieces

    text = "Putin met Pezeshkian in Moscow. " * 40 + "x" * 300
    pieces = list(text_pieces(text, 100))
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 100 for _, piece in pieces)
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)


def test_spacy_offsets_survive_piece_cuts(spacy_backend: EntityBackend) -> None:
    from dataclasses import replace

    text = "Vladimir Putin met Masoud Pezeshkian in Moscow. " * 12
    page = page_of(text)
    small = replace(spacy_backend, max_piece_chars=120)  # type: ignore[type-var]
    (whole,) = spacy_backend.annotate([page])
    (cut,) = small.annotate([page])
    assert_invariants(page, cut)
    assert [(m.text, m.start_char) for m in cut] == [(m.text, m.start_char) for m in whole]
