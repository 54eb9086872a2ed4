"""Write-audit-publish with Great Expectations, end to end: clean runs publish with Data Docs;
corrupted batches and corrupted staged files are caught and never published."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl import ids, pipeline
from etl.cli import format_run_summary
from etl.config import settings_from_env
from etl.contracts import DATA_TABLES
from etl.query import run_query
from etl.validation import specs as sp
from etl.validation.docs import spec_registry

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gx")]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
PAGES = ("A_dw_russia_iran_seed", "A_rome_nested_replies", "C_wordpress_sermon")


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    for name in PAGES:
        shutil.copy(FIXTURES / f"{name}.txt", folder / f"{name}.txt")
    return folder


def _settings(landing: Path, warehouse: Path) -> Any:
    return settings_from_env(
        {}, input=str(landing), warehouse=str(warehouse), entity_backend="rules", workers=1
    )


def _run(landing: Path, warehouse: Path, day: int) -> pipeline.RunSummary:
    logical = date(2024, 5, day)
    run_id = pipeline.run_id_for(logical_date=logical)
    return pipeline.run(_settings(landing, warehouse), run_id=run_id, logical_date=logical)


def _rows(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    return run_query(str(warehouse), sql)[1]


def _touch_pages(landing: Path) -> None:
    """Change every page's bytes so the next run reprocesses them instead of skipping them."""
    for page in landing.glob("*.txt"):
        page.write_bytes(page.read_bytes() + b"\n")


def _data_files(warehouse: Path) -> dict[str, str]:
    return {
        p.relative_to(warehouse).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((warehouse / "tables").rglob("*.parquet"))
        if p.parts[-3] in ("videos", "comments", "links", "entities")
    }


def _corrupt_build(
    monkeypatch: pytest.MonkeyPatch, edit: Callable[[dict[str, pa.Table]], dict[str, pa.Table]]
) -> None:
    """Make the pipeline's transform step return corrupted tables (as a buggy transform would)."""
    real = pipeline.build_tables

    def corrupted(*args: Any, **kwargs: Any) -> dict[str, pa.Table]:
        return edit(real(*args, **kwargs))

    monkeypatch.setattr(pipeline, "build_tables", corrupted)


def test_clean_run_publishes_with_results_and_data_docs(landing: Path, warehouse_dir: Path) -> None:
    summary = _run(landing, warehouse_dir, 1)
    assert summary.status == "published" and summary.pages_published == len(PAGES)
    suites = {s for (s,) in _rows(warehouse_dir, "SELECT DISTINCT suite FROM validation_results")}
    expected = {suite for suite, _ in spec_registry()}
    # Nothing was quarantined, and 3 pages are too few for the comment-section drift check.
    not_run = {"quarantine", sp.schema_suite_name("quarantine"), sp.DRIFT_SUITE}
    assert suites == expected - not_run
    failed_errors = _rows(
        warehouse_dir,
        "SELECT expectation FROM validation_results WHERE NOT success AND severity = 'error'",
    )
    assert failed_errors == []
    assert summary.data_docs == str(
        warehouse_dir / "quality" / "data_docs" / summary.run_id / "index.html"
    )
    index = Path(summary.data_docs).read_text(encoding="utf-8")
    for suite in expected:
        assert re.search(rf"\b{re.escape(suite)}\b", index), suite
    text = format_run_summary(summary)
    assert f"data docs  {summary.data_docs}" in text and "validation " in text
    assert summary.seconds["validate"] > 0
    # Where validation went: GX start-up, each table's suite, the cross-table rules, the run
    # audit and its Data Docs, adding up to the validate stage (rounding aside).
    parts = summary.validation
    assert set(parts) == {
        "gx_start_up",
        *DATA_TABLES,
        sp.CROSS_TABLE_SUITE,
        "run_audit",
        "data_docs",
    }
    assert sum(parts.values()) == pytest.approx(summary.seconds["validate"], rel=0.05, abs=0.05)
    assert all(f"{part} " in text for part in parts)
    # Data Docs are a report beside the warehouse, never part of the manifest.
    manifest = (warehouse_dir / "_manifest.json").read_text(encoding="utf-8")
    assert "data_docs" not in manifest


def test_bad_label_quarantines_only_that_page(
    landing: Path,
    warehouse_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    victim = ids.video_id(PAGES[1])

    def bad_label(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        entities = tables["entities"]
        labels = [
            "ALIEN" if v == victim else label
            for v, label in zip(
                entities["video_id"].to_pylist(), entities["label"].to_pylist(), strict=True
            )
        ]
        idx = entities.column_names.index("label")
        return {
            **tables,
            "entities": entities.set_column(idx, entities.schema.field(idx), pa.array(labels)),
        }

    _corrupt_build(monkeypatch, bad_label)
    summary = _run(landing, warehouse_dir, 1)
    assert summary.status == "published"
    assert summary.quarantined == {"validation_failed": 1}
    assert {p for (p,) in _rows(warehouse_dir, "SELECT page_id FROM videos")} == {
        PAGES[0],
        PAGES[2],
    }
    assert _rows(
        warehouse_dir, f"SELECT count(*) FROM _entities_all WHERE video_id = '{victim}'"
    ) == [(0,)]
    ((reason, message),) = _rows(warehouse_dir, "SELECT reason_code, message FROM quarantine")
    assert reason == "validation_failed" and "expect_column_values_to_be_in_set(label)" in message
    ((count, sample),) = _rows(
        warehouse_dir,
        "SELECT unexpected_count, unexpected_sample FROM validation_results "
        "WHERE expectation = 'expect_column_values_to_be_in_set(label)' AND NOT success",
    )
    assert count > 0 and PAGES[1] in sample and "ALIEN" in sample and str(landing) in sample
    reported = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(
        "error expectation failed: entities / expect_column_values_to_be_in_set(label)" in m
        and PAGES[1] in m
        for m in reported
    ), reported


def test_duplicate_key_and_orphan_are_not_published(
    landing: Path, warehouse_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _run(landing, warehouse_dir, 1)
    assert first.status == "published"
    before = _data_files(warehouse_dir)

    def duplicate_and_orphan(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        comments = tables["comments"]
        orphan = comments.slice(0, 1)
        idx = orphan.column_names.index("video_id")
        orphan = orphan.set_column(idx, orphan.schema.field(idx), pa.array([ids.video_id("gone")]))
        return {**tables, "comments": pa.concat_tables([comments, comments.slice(0, 1), orphan])}

    _corrupt_build(monkeypatch, duplicate_and_orphan)
    _touch_pages(landing)
    second = _run(landing, warehouse_dir, 2)
    assert second.quarantined == {"validation_failed": len(PAGES)} and second.pages_published == 0
    assert _data_files(warehouse_dir) == before  # nothing of the corrupted batch was written
    failed = {
        e
        for (e,) in _rows(
            warehouse_dir,
            "SELECT expectation FROM validation_results "
            f"WHERE run_id = '{second.run_id}' AND NOT success",
        )
    }
    assert "expect_column_values_to_be_unique(comment_id)" in failed
    assert (
        "expect_column_values_to_not_be_in_set(rule=comments.video_id -> videos.video_id)" in failed
    )


def test_corrupted_staged_file_fails_the_run_audit(landing: Path, warehouse_dir: Path) -> None:
    first = _run(landing, warehouse_dir, 1)
    before = _data_files(warehouse_dir)
    _touch_pages(landing)
    settings = _settings(landing, warehouse_dir)
    logical = date(2024, 5, 2)
    plan = pipeline.plan_run(
        settings,
        run_id=pipeline.run_id_for(logical_date=logical),
        logical_date=logical,
        started_at=datetime(2024, 5, 2, tzinfo=UTC),
    )
    results = [pipeline.process_batch(settings, plan, n) for n in range(plan.batch_count)]
    (videos_file,) = results[0].staged["videos"]
    path = warehouse_dir / videos_file
    table = pq.read_table(path)
    pq.write_table(pa.concat_tables([table, table.slice(0, 1)]), path)  # a duplicate key, staged

    summary = pipeline.finalize_run(settings, plan, results)
    assert summary.status == "validation_failed" and summary.pages_published == 0
    assert _data_files(warehouse_dir) == before
    rule = "expect_column_values_to_not_be_in_set(rule=videos.video_id unique across the run)"
    ((suite, sample),) = _rows(
        warehouse_dir,
        f"SELECT suite, unexpected_sample FROM validation_results WHERE expectation = '{rule}' "
        f"AND run_id = '{plan.run_id}' AND NOT success",
    )
    assert suite == sp.RUN_KEYS_SUITE and "appears 2 times" in sample
    messages = {
        m
        for (m,) in _rows(
            warehouse_dir, f"SELECT message FROM quarantine_history WHERE run_id = '{plan.run_id}'"
        )
    }
    assert messages and all(rule in m for m in messages)
    assert Path(summary.data_docs or "").exists() and first.data_docs != summary.data_docs
