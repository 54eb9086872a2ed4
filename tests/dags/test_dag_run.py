"""End to end with real Airflow: `airflow dags test video_pages_etl` on a SQLite AIRFLOW_HOME.

The DAG's warehouse must equal the one `etl run` builds from the same landing folder; a second
run of the same logical date must change nothing; a failing batch must fail only its own mapped
task and keep publish from running.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
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

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("airflow")]

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


@dataclass(frozen=True)
class FirstRun:
    warehouse: Path
    proc: subprocess.CompletedProcess[str]
    airflow_run_id: str
    state: str
    rows: dict[str, list[tuple[Any, ...]]]
    files: set[str]


@pytest.fixture(scope="module")
def first_run(
    airflow_home: Path, landing: Path, tmp_path_factory: pytest.TempPathFactory
) -> FirstRun:
    warehouse = tmp_path_factory.mktemp("wh_dag")
    proc = dags_test(
        airflow_home,
        "2024-05-01",
        conf={"batch_size": BATCH_SIZE},
        env={"ETL_INPUT": str(landing), "ETL_WAREHOUSE": str(warehouse)},
    )
    run_id, state = dag_run_of(airflow_home, "2024-05-01")
    return FirstRun(warehouse, proc, run_id, state, table_rows(warehouse), table_files(warehouse))


def test_dag_run_maps_batches_publishes_and_emits_assets(
    first_run: FirstRun, airflow_home: Path, landing: Path
) -> None:
    assert first_run.proc.returncode == 0, first_run.proc.stdout[-4000:]
    assert first_run.state == "success"
    states = task_states(airflow_home, first_run.airflow_run_id)
    pages = len(list(landing.glob("*.txt")))
    batches = -(-pages // BATCH_SIZE)
    assert batches >= 3
    assert {k: v for k, v in states.items() if k[0] == "extract_transform"} == {
        ("extract_transform", n): "success" for n in range(batches)
    }
    for task in ("discover", "validate", "publish", "refresh_catalog"):
        assert states[(task, -1)] == "success", task
    events = asset_events(airflow_home, first_run.airflow_run_id)
    assert set(events) == {f"video_pages.{t}" for t in published_tables()}
    videos = len(first_run.rows["videos"])
    assert events["video_pages.videos"] == {
        "run_id": "2024-05-01",
        "status": "published",
        "generation": 1,
        "rows": videos,
    }
    assert videos > 0 and first_run.rows["quarantine"]  # the empty page at least
    # Task logs say what happened in numbers.
    log = first_run.proc.stdout + first_run.proc.stderr
    assert f"discover 2024-05-01: {pages} pages in {landing}" in log
    assert "publish 2024-05-01: published, generation 1" in log


def test_dag_warehouse_equals_etl_run(first_run: FirstRun, landing: Path, tmp_path: Path) -> None:
    cli_wh = tmp_path / "wh_cli"
    # `etl run` itself, in-process (default batch size: one batch instead of the DAG's three).
    args = ["run", "--input", str(landing), "--warehouse", str(cli_wh), "--entities", "rules"]
    assert main([*args, "--logical-date", "2024-05-01", "--no-progress", "--workers", "1"]) == 0
    cli_rows = table_rows(cli_wh)
    for table in COMPARED:
        assert first_run.rows[table] == cli_rows[table], table
    assert sum(len(r) for r in cli_rows.values()) > 0


def test_second_run_of_the_same_date_changes_nothing(
    first_run: FirstRun, airflow_home: Path, landing: Path
) -> None:
    proc = dags_test(
        airflow_home,
        "2024-05-01",
        conf={"batch_size": BATCH_SIZE},
        env={"ETL_INPUT": str(landing), "ETL_WAREHOUSE": str(first_run.warehouse)},
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert table_rows(first_run.warehouse) == first_run.rows
    assert table_files(first_run.warehouse) == first_run.files
    _, runs = run_query(
        str(first_run.warehouse), "SELECT run_id, attempt, status FROM runs ORDER BY ALL"
    )
    assert runs == [("2024-05-01", 2, "published")]


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
