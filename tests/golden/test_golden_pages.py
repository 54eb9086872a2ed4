"""Golden pages: each fixture page parses exactly to its JSON in ``tests/golden/pages``.

``tests/fixtures/pages/<stem>.txt`` is compared with ``tests/golden/pages/<stem>.json``.
The JSON is the whole ``ParsedPage`` (``dataclasses.asdict``) or ``{"rejected": <reason_code>}``.
After an intended parser change, regenerate with

    UPDATE_GOLDEN=1 python -m pytest tests/golden/test_golden_pages.py

and review every changed file by hand (``git diff tests/golden``) against FORMATS.md before
committing: a golden file that pins a wrong answer is worse than none.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

from etl.errors import PageRejected
from etl.extract import decode_page
from etl.parse import parse_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
GOLDEN = Path(__file__).resolve().parent / "pages"
PAGES = sorted(FIXTURES.glob("*.txt"))


def _observed(raw: bytes) -> dict[str, Any]:
    """What the pipeline's first two stages make of one page, as JSON-ready data."""
    try:
        return dataclasses.asdict(parse_page(decode_page(raw)))
    except PageRejected as rejected:
        return {"rejected": rejected.reason_code}


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_page_matches_golden(page: Path) -> None:
    observed = _observed(page.read_bytes())
    golden = GOLDEN / f"{page.stem}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(_dump(observed), encoding="utf-8")
    assert golden.exists(), f"no golden file for {page.name}; run with UPDATE_GOLDEN=1 and review"
    assert _dump(observed) == golden.read_text(encoding="utf-8")


def test_every_golden_has_a_fixture() -> None:
    stems = {page.stem for page in PAGES}
    orphans = sorted(path.name for path in GOLDEN.glob("*.json") if path.stem not in stems)
    assert orphans == []


def test_fixtures_cover_every_family() -> None:
    families = {page.name.split("_", 1)[0] for page in PAGES}
    assert {"A", "B", "C", "D", "E", "F", "X", "enc"} <= families


def test_demo_seed_pages_are_reviewed_fixtures() -> None:
    """seeds/pages (the demo input) holds only pages whose parse is pinned here."""
    seeds = Path(__file__).resolve().parents[2] / "seeds" / "pages"
    fixture_bytes = {page.read_bytes() for page in PAGES}
    strays = sorted(p.name for p in seeds.glob("*.txt") if p.read_bytes() not in fixture_bytes)
    assert strays == []
