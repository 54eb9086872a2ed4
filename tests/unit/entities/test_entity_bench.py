"""The throughput harness (``etl.eval.entities_bench``): its digest tells outputs apart, and a
corpus measurement reports the same digest for both rules paths (they give the same mentions)."""

from __future__ import annotations

from etl.entities.rules_backend import RulesBackend
from etl.eval.entities_bench import measure_corpus, mentions_digest, synthetic_pages
from etl.records import Mention


def _mention(start: int, canonical: str = "Iran") -> Mention:
    return Mention("comment", "Iran", "GPE", start, start + 4, canonical, 0)


def test_digest_is_deterministic_and_sensitive() -> None:
    pages = [[_mention(0), _mention(10)], []]
    assert mentions_digest(pages) == mentions_digest([[_mention(0), _mention(10)], []])
    assert mentions_digest(pages) != mentions_digest([[_mention(0), _mention(11)], []])
    assert mentions_digest(pages) != mentions_digest([[_mention(0, "Irán"), _mention(10)], []])
    # Page boundaries count: the same mentions split differently are another output.
    assert mentions_digest(pages) != mentions_digest([[_mention(0)], [_mention(10)]])


def test_both_rules_paths_measure_the_same_digest() -> None:
    pages = synthetic_pages(40, seed=5)
    fast = measure_corpus("fast", RulesBackend(), pages, repeats=1)
    general = measure_corpus("general", RulesBackend(fast=False), pages, repeats=1)
    assert fast.mentions == general.mentions > 0
    assert fast.digest == general.digest
    assert fast.cpu_seconds > 0
