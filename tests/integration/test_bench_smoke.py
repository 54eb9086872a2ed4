"""The benchmark runs end to end on a tiny corpus and writes the documented JSON (no timing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl import bench


@pytest.mark.slow
@pytest.mark.xdist_group("bench")
def test_bench_runs_on_a_tiny_corpus(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    lines: list[str] = []
    config = bench.BenchConfig(
        pages=30,
        seed=1,
        backends=("rules",),
        spacy_pages=10,
        workers=1,
        batch_size=None,
        work_dir=tmp_path / "work",
        out=out,
        incremental=True,
        keep=False,
    )
    bench.run_bench(config, echo=lines.append)

    result = json.loads(out.read_text())
    assert result["schema_version"] == bench.SCHEMA_VERSION
    assert result["corpus"]["pages"] == 30 and result["corpus"]["bytes"] > 0
    assert result["floor"]["pages"] == 30
    rules = result["pipelines"]["rules"]
    summary = rules["first"]["summary"]
    assert summary["pages_seen"] == 30
    assert summary["pages_published"] + sum(summary["quarantined"].values()) == 30
    for key in ("pages_per_second", "mb_per_second", "ratio_to_floor", "validation_share"):
        assert rules[key] is not None, key
    assert {"read", "parse", "entities", "transform", "validate", "publish"} <= set(
        rules["stage_seconds"]
    )
    assert rules["first"]["peak_rss_mb"] > 0 and rules["first"]["rss_samples"] > 0
    parts = rules["validation_parts"]
    assert {"gx_start_up", "entities", "cross_table", "run_audit"} <= set(parts)
    assert all(0 <= p["share"] <= rules["validation_share"] + 0.01 for p in parts.values())
    incremental = rules["incremental"]
    assert incremental["unchanged"]["summary"]["pages_skipped"] == 30
    assert incremental["changed_pages"] == 1  # every 100th page: page 0 of 30
    changed = incremental["changed_1pct"]["summary"]
    assert changed["pages_skipped"] == 29
    for name in bench.SAMPLE_QUERIES:
        assert rules["queries"][name]["rows"] > 0, name
    assert {t["target"].split(" ")[0] for t in result["targets"]} >= {"rules", "peak", "query"}
    report = "\n".join(lines)
    assert "floor (read bytes)" in report and "pipeline [rules]" in report
    assert "validation by part" in report
    # the corpus is restored after the 1%-changed run, so the next bench reuses it unchanged
    corpus = bench.ensure_corpus(tmp_path / "work", 30, 1)
    assert corpus.generate_seconds is None
    from etl.synth import synth_page

    first = sorted(corpus.path.glob("*.txt"))[0]
    assert first.read_bytes() == synth_page(1, 0).data


def test_report_formats_a_minimal_result() -> None:
    result = {
        "corpus": {"pages": 10, "bytes": 1000, "mean_page_bytes": 100},
        "machine": {"cpu_count": 2},
        "state_before": {"load_average": [0.1, 0.1, 0.1]},
        "floor": {"pages": 10, "seconds": 0.01, "pages_per_second": 1000.0, "mb_per_second": 0.1},
        "pipelines": {},
        "targets": [{"target": "x >= 1", "measured": 0.5, "met": False}],
    }
    text = bench.format_report(result)
    assert "NOT MET" in text and "floor" in text


def test_smaller_corpus_is_a_prefix_of_a_larger_one(tmp_path: Path) -> None:
    larger = bench.ensure_corpus(tmp_path, 12, 5)
    smaller = bench.ensure_corpus(tmp_path, 7, 5)
    names = sorted(p.name for p in smaller.path.glob("*.txt"))
    assert names == sorted(p.name for p in larger.path.glob("*.txt"))[:7]
    assert all((smaller.path / n).read_bytes() == (larger.path / n).read_bytes() for n in names)
    assert smaller.bytes == sum((smaller.path / n).stat().st_size for n in names)
    assert bench.ensure_corpus(tmp_path, 7, 5).generate_seconds is None  # reused
