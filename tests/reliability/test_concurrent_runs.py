"""Promise 2: two runs on one warehouse never interleave; the second waits or exits clearly.

Run A is held at a step by ``ETL_FAULT_POINT=<point>:pause=<seconds>`` (it holds the warehouse
lock while it sleeps there); run B starts while A is provably inside (A's pid is in the lock's
holder file). B is a second `etl run` or an Airflow-style ``finalize_run`` in this process.
"""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl import pipeline
from etl.config import settings_from_env
from etl.errors import WarehouseBusy
from etl.publish import Warehouse, read_manifest
from tests.conftest import PROJECT_ROOT
from tests.reliability.support import (
    check,
    duplicate_keys,
    etl,
    etl_command,
    etl_env,
    leftovers,
    query_every_view,
    run_args,
    write_corpus,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_concurrency")]


def start_held_run(
    input_dir: Path, warehouse: Path, date_: str, point: str, seconds: float
) -> subprocess.Popen[str]:
    """Start `etl run` that pauses at ``point`` and wait until it holds the warehouse lock."""
    proc = subprocess.Popen(
        etl_command(*run_args(input_dir, warehouse, date_)),
        env=etl_env({"ETL_FAULT_POINT": f"{point}:pause={seconds}"}),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    holder = warehouse / ".publish.lock.holder"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if holder.exists() and f"pid {proc.pid} " in holder.read_text():
            return proc
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("run A never took the lock")


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    write_corpus(folder)
    return folder


def test_second_cli_run_exits_busy_with_a_clear_message(landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    a = start_held_run(landing, warehouse, "2024-05-01", "after_files", 4)
    b = etl(*run_args(landing, warehouse, "2024-05-02"))
    _, a_err = a.communicate(timeout=120)

    assert b.returncode == 3
    message = b.stderr.strip()
    assert message.count("\n") == 0, message
    assert f"another run is writing to {warehouse}" in message
    assert f"pid {a.pid}" in message and "--wait" in message
    assert a.returncode == 0, a_err
    manifest = read_manifest(Warehouse.at(str(warehouse), create=False))
    assert manifest.generation == 1 and list(manifest.partitions) == ["2024-05-01"]
    assert check(landing, warehouse).ok
    assert leftovers(warehouse) == []


def test_second_cli_run_with_wait_runs_after_the_first(landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    a = start_held_run(landing, warehouse, "2024-05-01", "after_manifest", 3)
    b = etl(*run_args(landing, warehouse, "2024-05-02"), "--wait", "90", "--json")
    a.communicate(timeout=120)

    assert (a.returncode, b.returncode) == (0, 0), b.stderr
    assert json.loads(b.stdout)["generation"] == 2
    (a_id, _, a_finished), (b_id, b_started, b_finished) = _runs(warehouse)
    assert (a_id, b_id) == ("2024-05-01", "2024-05-02")
    assert b_started < a_finished, "B did not overlap A, so the test proved nothing"
    assert b_finished > a_finished
    result = check(landing, warehouse)
    assert result.ok and result.catalog_current, result
    assert duplicate_keys(warehouse) == dict.fromkeys(duplicate_keys(warehouse), 0)
    assert all(n >= 0 for n in query_every_view(warehouse).values())


def _runs(warehouse: Path) -> list[tuple[str, datetime, datetime]]:
    """(run_id, started_at, finished_at) of every run, in commit order."""
    from etl.query import run_query

    _, rows = run_query(
        str(warehouse), "SELECT run_id, started_at, finished_at FROM runs ORDER BY finished_at"
    )
    return [(str(r), s, f) for r, s, f in rows]


def test_airflow_style_finalize_waits_for_a_cli_run(landing: Path, tmp_path: Path) -> None:
    """A DAG run stages batches without the lock and takes it to publish: it gets WarehouseBusy
    while a CLI run holds the warehouse, and publishes cleanly once it may wait."""
    warehouse = tmp_path / "warehouse"
    settings = settings_from_env(
        {}, input=str(landing), warehouse=str(warehouse), entity_backend="rules", workers=1
    )
    a = start_held_run(landing, warehouse, "2024-05-01", "after_plan", 4)
    plan = pipeline.plan_run(
        settings, run_id="dag-run", logical_date=date(2024, 5, 2), started_at=datetime.now(UTC)
    )
    results = [pipeline.process_batch(settings, plan, n) for n in range(plan.batch_count)]
    with pytest.raises(WarehouseBusy, match="another run is writing"):
        pipeline.finalize_run(settings, plan, results, lock_wait_seconds=0)
    summary = pipeline.finalize_run(settings, plan, results, lock_wait_seconds=90)
    a.communicate(timeout=120)

    assert a.returncode == 0
    assert summary.status in {"published", "nothing_to_do"}
    manifest = read_manifest(Warehouse.at(str(warehouse), create=False))
    assert sorted(manifest.partitions) == ["2024-05-01", "dag-run"]
    assert manifest.generation == 2
    result = check(landing, warehouse)
    assert result.ok and result.catalog_current, result
    assert duplicate_keys(warehouse) == dict.fromkeys(duplicate_keys(warehouse), 0)
