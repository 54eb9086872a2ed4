"""Canonical names: within a page, across pages, independent of order."""

from __future__ import annotations

import random

import pytest
from entity_pages import page_of
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.entities import EntityBackend
from etl.entities.canonical import canonicalise_page
from etl.entities.names import display_name, fold_latin, name_key
from etl.entities.reference import build_reference, load_reference


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Iran", "IRAN"),
        ("Iran", "Iran's"),
        ("Iran", "Iran’s"),
        ("Erdoğan", "Erdogan"),
        ("U.S.", "US"),
        ("al-Assad", "Al Assad"),
        ("Pezeshkián", "PEZESHKIAN"),
    ],
)
def test_name_key_equates_spelling_variants(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_fold_latin_leaves_other_scripts_alone() -> None:
    assert fold_latin("Kılıçdaroğlu") == "Kilicdaroglu"
    assert fold_latin("Зеленський") == "Зеленський"


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("SMOLENTCEVA", "Smolentceva"),
        ("smolentceva's", "Smolentceva"),
        ("Smolentcéva", "Smolentceva"),
        ("DW", "DW"),
        ("McDonald", "McDonald"),
        ("NATO", "NATO"),
        ("AEMET", "Aemet"),
        ("Ayuntamiento de Paiporta", "Ayuntamiento de Paiporta"),
        ("ayuntamiento de paiporta", "Ayuntamiento De Paiporta"),
        ("NATALIA SMOLENTCEVA’S", "Natalia Smolentceva"),
        ("путин", "Путин"),
        ("  Natalia   Smolentceva ", "Natalia Smolentceva"),
    ],
)
def test_display_name(surface: str, expected: str) -> None:
    assert display_name(surface) == expected


def test_within_page_short_name_links_to_full_name() -> None:
    reference = build_reference([])
    named = canonicalise_page(
        [("PERSON", "Smolentceva"), ("PERSON", "Natalia Smolentceva"), ("GPE", "Smolentceva’s")],
        reference,
    )
    assert [(n.label, n.canonical_name) for n in named] == [
        ("PERSON", "Natalia Smolentceva"),
        ("PERSON", "Natalia Smolentceva"),
        ("PERSON", "Natalia Smolentceva"),
    ]


def test_within_page_link_does_not_relabel_known_places() -> None:
    named = canonicalise_page(
        [("GPE", "Washington"), ("PERSON", "George Washington")], load_reference()
    )
    assert named[0].label == "GPE" and named[0].canonical_name == "Washington"


def test_within_page_most_frequent_full_name_wins_then_alphabetical() -> None:
    reference = build_reference([])
    mentions = [("PERSON", "Ann Lee"), ("PERSON", "Bo Lee"), ("PERSON", "Lee")]
    assert canonicalise_page(mentions, reference)[2].canonical_name == "Ann Lee"
    mentions.append(("PERSON", "Bo Lee"))
    assert canonicalise_page(mentions, reference)[2].canonical_name == "Bo Lee"


def test_alias_seed_gives_canonical_forms() -> None:
    reference = load_reference()
    named = canonicalise_page(
        [("PERSON", "Putin"), ("PERSON", "Erdogan"), ("ORG", "EU"), ("GPE", "IRAN")], reference
    )
    assert [n.canonical_name for n in named] == [
        "Vladimir Putin",
        "Recep Tayyip Erdoğan",
        "European Union",
        "Iran",
    ]


def test_across_pages_one_canonical_form_independent_of_order(
    any_backend: EntityBackend,
) -> None:
    pages = [
        page_of("Sanctions on IRAN and on Smolentcéva"),
        page_of("Iran’s talks with smolentceva"),
        page_of("Iran's envoy met Smolentceva"),
        page_of("Pezeshkian visits Iran"),
    ]
    forward = any_backend.annotate(pages)
    shuffled = list(range(len(pages)))
    random.Random(7).shuffle(shuffled)
    backward = any_backend.annotate([pages[i] for i in shuffled])
    for position, original in enumerate(shuffled):
        assert backward[position] == forward[original]
    iran = {m.canonical_name for ms in forward for m in ms if name_key(m.text) == "iran"}
    assert iran == {"Iran"}


_SURFACES = st.sampled_from(
    ["Putin", "Vladimir Putin", "PUTIN", "Ann Lee", "Bo Lee", "Lee", "Iran's", "IRAN", "Irán"]
)
_LABELS = st.sampled_from(["PERSON", "GPE", "NORP", "HASHTAG"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_LABELS, _SURFACES), max_size=12), st.randoms())
def test_canonicalise_page_is_order_independent(
    mentions: list[tuple[str, str]], rnd: random.Random
) -> None:
    reference = load_reference()
    order = list(range(len(mentions)))
    rnd.shuffle(order)
    direct = canonicalise_page(mentions, reference)
    shuffled = canonicalise_page([mentions[i] for i in order], reference)
    assert [shuffled[k] for k in range(len(order))] == [direct[i] for i in order]
