"""The bench's sample queries: each raw question and its dashboard form (read from the summaries
the catalog stores) give the same answer on the hand-made demo warehouse."""

from __future__ import annotations

import pytest

from etl.bench import SAMPLE_QUERIES
from etl.query import run_query
from tests.integration.bi_support import build_demo_warehouse


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("sample") / "warehouse"
    build_demo_warehouse(str(root))
    return str(root)


def test_top_entities_from_the_summary_equals_the_raw_query(demo: str) -> None:
    raw = run_query(demo, SAMPLE_QUERIES["top_entities"])[1]
    stored = run_query(demo, SAMPLE_QUERIES["top_entities_from_summary"])[1]
    assert len(raw) >= 5
    assert stored == raw


def test_comments_per_channel_from_the_summary_equals_the_raw_query(demo: str) -> None:
    raw = run_query(demo, SAMPLE_QUERIES["comments_per_channel"])[1]
    stored = run_query(demo, SAMPLE_QUERIES["comments_per_channel_from_summary"])[1]
    # The raw query names pages without a channel '(none)', channel_summary '(no channel)'.
    renamed = [("(none)" if c == "(no channel)" else c, v, n) for c, v, n in stored]
    assert sorted(renamed) == sorted(raw)
    assert [n for _, _, n in stored] == [n for _, _, n in raw]  # same order by comments
    assert sum(n for _, _, n in raw) > 0
