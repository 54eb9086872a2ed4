"""End to end with real Airflow: `airflow dags test video_pages_etl` on a SQLite AIRFLOW_HOME.

The DAG's warehouse must equal the one `etl run` builds from the same landing folder; a second
run of the same logical date must change nothing; a failing batch must fail only its own mapped
task and keep publish from running.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etl.cli import main
from etl.contracts import DATA_TABLES
from etl.orchestration import published_tables
from etl.query import run_query
from tests.dags.airflow_support import (
    asset_events,
    dag_run_of,
    dags_test,
    task_states,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("airflow")]  # each about 20-40 s

COMPARED = (*DATA_TABLES, "quarantine")
BATCH_SIZE = 5


def table_rows(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data tables and quarantine, in a canonical order."""
    return {t: run_query(str(warehouse), f"SELECT * FROM {t} ORDER BY ALL")[1] for t in COMPARED}


def table_files(warehouse: Path) -> set[str]:
    """The published files of the compared tables (content-addressed: same data, same names)."""
    return {
        str(p.relative_to(warehouse))
        for table in COMPARED
        for p in (warehouse / "tables" / table).rglob("*.parquet")
    }


def test_dag_run_equals_etl_run_and_a_rerun_changes_nothing(
    airflow_home: Path, landing: Path, tmp_path: Path
) -> None:
    """One scenario, one test: three steps share the first run's warehouse, and pytest-xdist's
    grouping cannot be relied on to keep separate tests on one worker (pytest-xdist#1386)."""
    warehouse = tmp_path / "wh_dag"
    etl_env = {"ETL_INPUT": str(landing), "ETL_WAREHOUSE": str(warehouse)}
    pages = len(list(landing.glob("*.txt")))
    batches = -(-pages // BATCH_SIZE)
    assert batches >= 3

    # 1. The DAG run: every mapped batch and every task succeeds, each table's asset is emitted.
    proc = dags_test(airflow_home, "2024-05-01", conf={"batch_size": BATCH_SIZE}, env=etl_env)
    assert proc.returncode == 0, proc.stdout[-4000:]
    run_id, state = dag_run_of(airflow_home, "2024-05-01")
    assert state == "success"
    states = task_states(airflow_home, run_id)
    assert {k: v for k, v in states.items() if k[0] == "extract_transform"} == {
        ("extract_transform", n): "success" for n in range(batches)
    }
    for task in ("discover", "validate", "publish", "refresh_catalog"):
        assert states[(task, -1)] == "success", task
    rows, files = table_rows(warehouse), table_files(warehouse)
    assert rows["videos"] and rows["quarantine"]  # the empty page at least is quarantined
    events = asset_events(airflow_home, run_id)
    assert set(events) == {f"video_pages.{t}" for t in published_tables()}
    assert events["video_pages.videos"] == {
        "run_id": "2024-05-01",
        "status": "published",
        "generation": 1,
        "rows": len(rows["videos"]),
    }
    log = proc.stdout + proc.stderr  # task logs say what happened, in numbers
    assert f"discover 2024-05-01: {pages} pages in {landing}" in log
    assert "publish 2024-05-01: published, generation 1" in log

    # 2. `etl run` on the same input and date (default batch size: one batch, not three).
    cli_wh = tmp_path / "wh_cli"
    args = ["run", "--input", str(landing), "--warehouse", str(cli_wh), "--entities", "rules"]
    assert main([*args, "--logical-date", "2024-05-01", "--no-progress", "--workers", "1"]) == 0
    cli_rows = table_rows(cli_wh)
    for table in COMPARED:
        assert rows[table] == cli_rows[table], table

    # 3. The same date again: same rows, same files, one runs row (attempt 2), no duplicates.
    proc = dags_test(airflow_home, "2024-05-01", conf={"batch_size": BATCH_SIZE}, env=etl_env)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert table_rows(warehouse) == rows
    assert table_files(warehouse) == files
    _, runs = run_query(str(warehouse), "SELECT run_id, attempt, status FROM runs ORDER BY ALL")
    assert runs == [("2024-05-01", 2, "published")]

    # 4. A later date with nothing new (the hourly case): every file matches the size + mtime
    # record, so the plan has no batch at all; the empty mapping must not fail the run.
    proc = dags_test(airflow_home, "2024-05-02", conf={"batch_size": BATCH_SIZE}, env=etl_env)
    assert proc.returncode == 0, proc.stdout[-4000:]
    run_id, state = dag_run_of(airflow_home, "2024-05-02")
    assert state == "success", task_states(airflow_home, run_id)
    assert table_rows(warehouse) == rows
    _, runs = run_query(
        str(warehouse), "SELECT run_id, status, pages_skipped FROM runs ORDER BY ALL"
    )
    assert runs == [("2024-05-01", "published", 0), ("2024-05-02", "nothing_to_do", pages)]


def test_failing_batch_fails_alone_and_nothing_is_published(
    airflow_home: Path, landing: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "wh_fault"
    proc = dags_test(
        airflow_home,
        "2024-05-02",
        conf={"batch_size": BATCH_SIZE},
        env={
            "ETL_INPUT": str(landing),
            "ETL_WAREHOUSE": str(warehouse),
            "ETL_FAULT_POINT": "batch:1",
            "AIRFLOW__VIDEO_PAGES_ETL__RETRIES": "0",  # fail now instead of after backoff
        },
    )
    run_id, state = dag_run_of(airflow_home, "2024-05-02")
    assert state == "failed"
    states = task_states(airflow_home, run_id)
    mapped = {k[1]: v for k, v in states.items() if k[0] == "extract_transform"}
    assert mapped[1] == "failed"
    assert len(mapped) >= 3
    assert all(v == "success" for n, v in mapped.items() if n != 1)
    for task in ("validate", "publish", "refresh_catalog"):
        assert states[(task, -1)] == "upstream_failed", task
    assert not (warehouse / "_manifest.json").exists()
    assert not (warehouse / "warehouse.duckdb").exists()
    assert asset_events(airflow_home, run_id) == {}
    log = proc.stdout + proc.stderr
    assert f"batch 1 of run 2024-05-02 failed ({BATCH_SIZE} pages, first " in log
