"""Promise 1: SIGKILL at every step of a publish leaves the old or the new warehouse, never a mix.

Each test copies a published warehouse, runs `etl run` as a subprocess with
``ETL_FAULT_POINT=<point>`` (the process SIGKILLs itself there), then checks what a reader sees
(the catalog) and what is committed (the manifest), queries every view, and runs `etl run` again:
it must finish the work with no duplicate rows and no leftovers.
"""

from __future__ import annotations

import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest

from etl.publish import FAULT_POINTS
from tests.reliability.support import (
    State,
    catalog_state,
    check,
    duplicate_keys,
    etl,
    leftovers,
    manifest_state,
    matrix,
    query_every_view,
    run_args,
    variant,
    write_corpus,
)

pytestmark = pytest.mark.slow

DATE = "2024-05-01"
# Retired files are deleted by the same run, so the GC steps are really reached.
GC_NOW = {"ETL_GC_GRACE_SECONDS": "0"}

# What a crash at each point leaves: (committed manifest, catalog a reader sees).
BEFORE, AFTER = "before", "after"
EXPECTED = {
    "run_locked": (BEFORE, BEFORE),
    "after_plan": (BEFORE, BEFORE),
    "mid_promotion": (BEFORE, BEFORE),
    "after_files": (BEFORE, BEFORE),
    "catalog_tmp_written": (BEFORE, BEFORE),
    "manifest_tmp_written": (BEFORE, BEFORE),
    "after_manifest": (AFTER, BEFORE),  # committed; the old catalog still reads the old files
    "after_catalog": (AFTER, AFTER),
    "mid_gc": (AFTER, AFTER),
    "after_gc": (AFTER, AFTER),
}


@dataclass(frozen=True)
class Scenario:
    """A warehouse after run 1, the changed input of run 2, and both expected states."""

    base: Path
    input_dir: Path
    before: State
    after: State


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("crash")
    input_dir = root / "landing"
    write_corpus(input_dir)
    base = root / "base"
    first = etl(*run_args(input_dir, base, DATE))
    assert first.returncode == 0, first.stderr
    # Run 2 re-runs the partition with one page changed and two pages added.
    (input_dir / "page_000.txt").write_text(variant(0, title="Russia and Iran, revised"))
    for n in (4, 5):
        (input_dir / f"page_{n:03d}.txt").write_text(variant(n))
    reference = root / "reference"
    shutil.copytree(base, reference)
    second = etl(*run_args(input_dir, reference, DATE), env=GC_NOW)
    assert second.returncode == 0, second.stderr
    before, after = catalog_state(base), catalog_state(reference)
    assert before != after
    assert len(after["videos"]) == 6 and len(after["quarantine"]) == 3
    return Scenario(base, input_dir, before, after)


def test_every_fault_point_has_an_expectation() -> None:
    assert set(EXPECTED) == set(FAULT_POINTS)


# One point per distinct outcome and leftover: promoted orphans, a catalog temp file, a manifest
# temp file, a committed manifest with a lagging catalog, a half-done GC. The other five run with
# RELIABILITY_FULL=1.
CORE_POINTS = {
    "mid_promotion",
    "catalog_tmp_written",
    "manifest_tmp_written",
    "after_manifest",
    "mid_gc",
}


@pytest.mark.parametrize("point", matrix(FAULT_POINTS, CORE_POINTS))
def test_sigkill_leaves_old_or_new_state_and_rerun_completes(
    point: str, scenario: Scenario, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse"
    shutil.copytree(scenario.base, warehouse)
    states = {BEFORE: scenario.before, AFTER: scenario.after}

    crashed = etl(*run_args(scenario.input_dir, warehouse, DATE), env={
        **GC_NOW, "ETL_FAULT_POINT": point
    })  # fmt: skip
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert f"fault injection at {point}" in crashed.stderr

    committed, visible = EXPECTED[point]
    assert manifest_state(warehouse) == states[committed]
    assert catalog_state(warehouse) == states[visible]
    assert all(n >= 0 for n in query_every_view(warehouse).values())
    reader = etl("query", "--warehouse", str(warehouse), "SELECT count(*) AS n FROM videos")
    assert reader.returncode == 0, reader.stderr
    assert f"{len(states[visible]['videos'])}" in reader.stdout

    again = etl(*run_args(scenario.input_dir, warehouse, DATE), env=GC_NOW)
    assert again.returncode == 0, again.stderr
    assert manifest_state(warehouse) == scenario.after
    assert catalog_state(warehouse) == scenario.after
    assert duplicate_keys(warehouse) == dict.fromkeys(duplicate_keys(warehouse), 0)
    result = check(scenario.input_dir, warehouse)
    assert result.ok and result.catalog_current, result
    assert (result.published, result.quarantined) == (6, 3)
    assert leftovers(warehouse) == []


def test_crash_in_one_partition_then_a_run_of_another(scenario: Scenario, tmp_path: Path) -> None:
    """Files a crashed run promoted but never committed stay invisible; the next run of another
    partition publishes every page once (pages already published are skipped, not duplicated)."""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(scenario.base, warehouse)
    crashed = etl(
        *run_args(scenario.input_dir, warehouse, "2024-05-02"),
        env={"ETL_FAULT_POINT": "after_files"},
    )
    assert crashed.returncode == -signal.SIGKILL
    orphans = sorted((warehouse / "tables").glob("*/run_id=2024-05-02/*.parquet"))
    assert orphans, "the crash point is after promotion: promoted files must exist"
    assert catalog_state(warehouse) == scenario.before

    later = etl(*run_args(scenario.input_dir, warehouse, "2024-05-03"))
    assert later.returncode == 0, later.stderr
    result = check(scenario.input_dir, warehouse)
    assert result.ok, result
    assert (result.published, result.quarantined) == (6, 3)
    assert duplicate_keys(warehouse) == dict.fromkeys(duplicate_keys(warehouse), 0)
    state = catalog_state(warehouse)
    assert all("2024-05-02" not in repr(row) for rows in state.values() for row in rows)
