"""Both backends survive the shared awkward values (unicode, empty and huge texts)."""

from __future__ import annotations

from entity_pages import assert_invariants, page_of

from etl.entities import EntityBackend
from tests.awkward import EMPTY_TEXTS, HUGE_TEXT, UNICODE_TEXTS


def test_unicode_and_empty_texts(any_backend: EntityBackend) -> None:
    pages = [page_of(text, text, channel="DW") for text in (*UNICODE_TEXTS, *EMPTY_TEXTS)]
    for page, mentions in zip(pages, any_backend.annotate(pages), strict=True):
        assert_invariants(page, mentions)
    (empty,) = any_backend.annotate([page_of(*EMPTY_TEXTS)])
    assert empty == []


def test_huge_text_with_the_rules_backend(rules_backend: EntityBackend) -> None:
    text = HUGE_TEXT + "Putin met Pezeshkian in Tehran."
    page = page_of(text)
    (mentions,) = rules_backend.annotate([page])
    assert_invariants(page, mentions)
    assert [m.text for m in mentions] == ["Putin", "Pezeshkian", "Tehran"]
