"""The synthetic corpus: deterministic, every family of FORMATS.md, messy variants, a size tail."""

from __future__ import annotations

import functools
import re
import statistics
from pathlib import Path

import pytest

from etl.synth import (
    EXPECTED_LAYOUT,
    EXPECTED_QUARANTINE,
    FAMILY_WEIGHTS,
    SynthPage,
    iter_corpus,
    page_name,
    rewrite_pages,
    synth_page,
    write_corpus,
)

_SAMPLE = 3000


@functools.cache
def _sample() -> tuple[SynthPage, ...]:
    return tuple(iter_corpus(_SAMPLE, seed=7))


def _first_of(family: str, count: int) -> list[SynthPage]:
    pages = [p for p in _sample() if p.family == family][:count]
    assert pages, f"no {family} page in the first {_SAMPLE}"
    return pages


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    assert write_corpus(tmp_path / "a", pages=40, seed=3) == 40
    assert write_corpus(tmp_path / "b", pages=40, seed=3) == 40
    a = sorted((tmp_path / "a").iterdir())
    b = sorted((tmp_path / "b").iterdir())
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))


def test_other_seed_gives_other_pages() -> None:
    assert synth_page(1, 5).data != synth_page(2, 5).data
    assert page_name(1, 5) != page_name(2, 5)


def test_page_is_independent_of_corpus_size() -> None:
    # Page i does not depend on how many pages were generated before it (pages regenerate alone).
    assert list(iter_corpus(12, seed=4))[11] == synth_page(4, 11)


def test_names_look_like_the_real_dumps() -> None:
    assert all(re.fullmatch(r"\d{7}_[0-9a-f]{16}\.txt", p.name) for p in _sample()[:200])
    assert len({p.name for p in _sample()}) == _SAMPLE


def test_revision_changes_content_not_name(tmp_path: Path) -> None:
    write_corpus(tmp_path, pages=10, seed=0)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert rewrite_pages(tmp_path, seed=0, indices=[2, 7]) == 2
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert before.keys() == after.keys()
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == sorted([page_name(0, 2), page_name(0, 7)])


def test_every_family_occurs() -> None:
    assert {p.family for p in _sample()} == set(FAMILY_WEIGHTS)
    assert set(EXPECTED_LAYOUT) | set(EXPECTED_QUARANTINE) == set(FAMILY_WEIGHTS)


def test_sizes_have_a_realistic_middle_and_a_long_tail() -> None:
    sizes = [len(p.data) for p in _sample() if p.family in EXPECTED_LAYOUT]
    assert 2_000 <= statistics.median(sizes) <= 6_000
    assert max(sizes) > 40_000  # pages with hundreds of comments
    bullet = "• @".encode()
    assert any(b"\n  200. " in p.data or p.data.count(bullet) > 200 for p in _sample())


def test_messy_variants_occur() -> None:
    datas = [p.data for p in _sample()]
    assert any(d.startswith(b"\xef\xbb\xbf") for d in datas)  # BOM
    assert any(b"\r\n" in d for d in datas)  # CRLF
    assert any(b"????" in d for d in datas)  # lost emoji
    assert any("Путин".encode() in d for d in datas)  # non-English comments
    assert any(re.search(rb"\n@\S+\d+\d+ days ago", d) for d in datas)  # glued handle + age
    assert any(b"\n    1. @" in d for d in datas)  # nested numbered replies
    assert any(re.search(rb"\n(?:KOMENT|\xd0\x9a\xd0\x9e\xd0\x9c)", d) for d in datas)


@pytest.mark.parametrize("family", sorted(EXPECTED_LAYOUT))
def test_family_pages_parse_with_their_layout(family: str) -> None:
    parse = pytest.importorskip("etl.parse")
    from etl.extract import decode_page

    for page in _first_of(family, 8):
        parsed = parse.parse_page(decode_page(page.data))
        assert parsed.layout == EXPECTED_LAYOUT[family], page.name
        assert parsed.title


@pytest.mark.parametrize("family", sorted(EXPECTED_QUARANTINE))
def test_malformed_pages_are_rejected(family: str) -> None:
    parse = pytest.importorskip("etl.parse")
    from etl.errors import PageRejected
    from etl.extract import decode_page

    for page in _first_of(family, 4):
        with pytest.raises(PageRejected) as caught:
            parse.parse_page(decode_page(page.data))
        assert caught.value.reason_code == EXPECTED_QUARANTINE[family], page.name
