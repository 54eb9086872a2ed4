"""Helpers for the Airflow tests: subprocess environment, `airflow dags test`, metadata reads.

Airflow runs in subprocesses only (``airflow db migrate``, ``airflow dags test``), so its
logging and configuration never leak into the pytest process or other tests. The metadata
database is SQLite; results are read from it with ``sqlite3``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAGS_FOLDER = PROJECT_ROOT / "dags"
BIN = Path(sys.executable).parent
SEED_PAGES = PROJECT_ROOT / "seeds" / "pages"
DAG_ID = "video_pages_etl"


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an Airflow subprocess: no developer ETL_*/AIRFLOW* settings leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ETL_", "AIRFLOW"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_FOLDER),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        ETL_ENTITIES="rules",
    )
    env.update(extra)
    return env


def dags_test(
    home: Path,
    logical_date: str,
    *,
    conf: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``airflow dags test video_pages_etl <logical_date>`` as a subprocess."""
    cmd = [str(BIN / "airflow"), "dags", "test", DAG_ID, logical_date]
    if conf is not None:
        cmd += ["--conf", json.dumps(conf)]
    return subprocess.run(
        cmd,
        env=airflow_env(home, **(env or {})),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=home,
    )


def dag_run_of(home: Path, logical_date: str) -> tuple[str, str]:
    """(Airflow run id, state) of the DAG run for ``logical_date`` (YYYY-MM-DD)."""
    with sqlite3.connect(home / "airflow.db") as con:
        rows = con.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? AND logical_date LIKE ?",
            [DAG_ID, f"{logical_date}%"],
        ).fetchall()
    assert len(rows) == 1, rows
    return rows[0][0], rows[0][1]


def task_states(home: Path, run_id: str) -> dict[tuple[str, int], str]:
    """(task_id, map_index) -> state of every task instance of one DAG run."""
    with sqlite3.connect(home / "airflow.db") as con:
        rows = con.execute(
            "SELECT task_id, map_index, state FROM task_instance WHERE dag_id = ? AND run_id = ?",
            [DAG_ID, run_id],
        ).fetchall()
    return {(task, index): state for task, index, state in rows}


def asset_events(home: Path, run_id: str) -> dict[str, dict[str, Any]]:
    """Asset name -> extra of the asset events one DAG run emitted."""
    with sqlite3.connect(home / "airflow.db") as con:
        rows = con.execute(
            "SELECT a.name, e.extra FROM asset_event e JOIN asset a ON a.id = e.asset_id "
            "WHERE e.source_dag_id = ? AND e.source_run_id = ?",
            [DAG_ID, run_id],
        ).fetchall()
    return {name: json.loads(extra) for name, extra in rows}
