"""DAG integrity: every DAG in dags/ imports, has no cycle, and is set up on purpose.

Airflow's own DagBag parses dags/ in a subprocess (so Airflow's logging setup stays out of the
test process) and reports each DAG's structure as JSON; the assertions run here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from etl.orchestration import published_tables
from tests.dags.airflow_support import DAGS_FOLDER, airflow_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("airflow")]  # one DagBag subprocess

_DESCRIBE = """
import json, sys
from airflow.dag_processing.dagbag import DagBag

bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
out = {"import_errors": {str(k): str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    dag.check_cycle()  # raises on a cycle (DagBag checks too; explicit on purpose)
    out["dags"][dag_id] = {
        "fileloc": dag.fileloc,
        "tags": sorted(dag.tags),
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "doc_md": dag.doc_md or "",
        "schedule": str(dag.schedule),
        "params": sorted(dag.params.keys()),
        "tasks": {
            t.task_id: {
                "owner": t.owner,
                "retries": t.retries,
                "backoff": t.retry_exponential_backoff,
                "trigger_rule": getattr(t.trigger_rule, "value", str(t.trigger_rule)),
                "upstream": sorted(t.upstream_task_ids),
                "outlets": sorted(getattr(o, "name", str(o)) for o in t.outlets),
                "mapped": type(t).__name__.startswith("Mapped") or hasattr(t, "expand_input"),
            }
            for t in dag.tasks
        },
    }
print("DAGS_JSON=" + json.dumps(out))
"""


@pytest.fixture(scope="session")
def dags(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("airflow_home_parse")
    proc = subprocess.run(
        [sys.executable, "-c", _DESCRIBE, str(DAGS_FOLDER)],
        env=airflow_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("DAGS_JSON="))
    parsed: dict[str, Any] = json.loads(line.removeprefix("DAGS_JSON="))
    return parsed


def test_every_dag_file_imports_without_errors(dags: dict[str, Any]) -> None:
    assert dags["import_errors"] == {}
    dag_files = {Path(d["fileloc"]).name for d in dags["dags"].values()}
    expected = {p.name for p in DAGS_FOLDER.glob("*.py") if not p.name.startswith("_")}
    assert dag_files == expected  # every file in dags/ defines a DAG that was found
    assert set(dags["dags"]) == {"video_pages_etl", "video_pages_dashboard_refresh"}


def test_every_dag_has_owner_retries_tags_and_docs(dags: dict[str, Any]) -> None:
    for dag_id, dag in dags["dags"].items():
        assert dag["tags"], dag_id
        assert dag["catchup"] is False, dag_id
        assert dag["max_active_runs"] == 1, dag_id
        assert len(dag["doc_md"]) > 200, dag_id
        for task_id, task in dag["tasks"].items():
            assert task["owner"] not in ("", "airflow"), (dag_id, task_id)
            assert task["retries"] >= 1, (dag_id, task_id)
            assert task["backoff"] > 1, (dag_id, task_id)


def test_etl_dag_shape_and_trigger_rules(dags: dict[str, Any]) -> None:
    dag = dags["dags"]["video_pages_etl"]
    tasks = dag["tasks"]
    assert set(tasks) == {"discover", "extract_transform", "validate", "publish", "refresh_catalog"}
    assert dag["schedule"] == "@hourly"
    assert tasks["extract_transform"]["mapped"] is True
    assert tasks["discover"]["mapped"] is False
    assert tasks["extract_transform"]["upstream"] == ["discover"]
    assert tasks["validate"]["upstream"] == ["discover", "extract_transform"]
    assert "validate" in tasks["publish"]["upstream"]
    assert "publish" in tasks["refresh_catalog"]["upstream"]
    # none_failed: a failed batch or validation stops publish; zero batches (skipped) does not.
    assert tasks["validate"]["trigger_rule"] == "none_failed"
    assert tasks["publish"]["trigger_rule"] == "none_failed"
    assert set(dag["params"]) == {
        "partition_key",
        "landing_url",
        "warehouse_url",
        "batch_size",
        "entity_backend",
    }


def test_publish_emits_one_asset_per_published_table(dags: dict[str, Any]) -> None:
    tasks = dags["dags"]["video_pages_etl"]["tasks"]
    expected = sorted(f"video_pages.{t}" for t in published_tables())
    assert tasks["publish"]["outlets"] == expected
    assert all(not t["outlets"] for name, t in tasks.items() if name != "publish")


def test_dashboard_dag_is_scheduled_on_the_videos_asset(dags: dict[str, Any]) -> None:
    dag = dags["dags"]["video_pages_dashboard_refresh"]
    assert "video_pages.videos" in dag["schedule"]
    assert "video_pages.videos" in dags["dags"]["video_pages_etl"]["tasks"]["publish"]["outlets"]
