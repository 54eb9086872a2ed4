"""etl.orchestration without Airflow: params, partition keys, and the task functions in a row."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from etl import orchestration, pipeline
from etl.config import settings_from_env
from etl.contracts import DATA_TABLES
from etl.errors import ConfigError, ValidationFailed
from etl.query import run_query
from tests.dags.airflow_support import SEED_PAGES

BATCH_SIZE = 6

# ---------------------------------------------------------------------------------------------
# Partition key


def test_partition_key_prefers_the_param() -> None:
    key = orchestration.partition_key(
        {"partition_key": "2024-05-01"},
        logical_date=datetime(2024, 6, 1, tzinfo=UTC),
        airflow_run_id="manual__x",
    )
    assert key == "2024-05-01"


def test_partition_key_of_a_daily_logical_date_matches_the_cli() -> None:
    key = orchestration.partition_key(
        {"partition_key": None},
        logical_date=datetime(2024, 5, 1, tzinfo=UTC),
        airflow_run_id="scheduled__2024-05-01T00:00:00+00:00",
    )
    assert key == pipeline.run_id_for(logical_date=date(2024, 5, 1)) == "2024-05-01"


def test_partition_key_of_an_hourly_run() -> None:
    key = orchestration.partition_key(
        {}, logical_date=datetime(2024, 5, 1, 13, tzinfo=UTC), airflow_run_id="scheduled__x"
    )
    assert key == "2024-05-01T130000Z"


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_partition_key_without_logical_date_falls_back_to_the_run_id(blank: str | None) -> None:
    key = orchestration.partition_key(
        {"partition_key": blank},
        logical_date=None,
        airflow_run_id="manual__2024-05-01T10:00:00.123+00:00",
    )
    assert key == "manual__2024-05-01T10-00-00.123-00-00"


# ---------------------------------------------------------------------------------------------
# Settings


def test_settings_default_to_the_cli_defaults() -> None:
    got = orchestration.settings_from_params({k: None for k in orchestration.PARAM_FIELDS}, env={})
    cli = settings_from_env({})
    assert got == replace(cli, orchestrator="airflow", workers=1)


def test_environment_fills_params_left_empty() -> None:
    env = {"ETL_INPUT": "/land", "ETL_WAREHOUSE": "/wh", "ETL_ENTITIES": "rules"}
    env["ETL_BATCH_SIZE"] = "50"
    got = orchestration.settings_from_params({"landing_url": "", "batch_size": None}, env=env)
    assert (got.input, got.warehouse, got.entity_backend, got.batch_size) == (
        "/land",
        "/wh",
        "rules",
        50,
    )
    assert got.entity_backend_explicit is True


def test_params_override_the_environment() -> None:
    env = {"ETL_INPUT": "/land", "ETL_WAREHOUSE": "/wh", "ETL_BATCH_SIZE": "50"}
    params = {
        "landing_url": " s3://bucket/landing ",
        "warehouse_url": "/other",
        "batch_size": "7",
        "entity_backend": "rules",
    }
    got = orchestration.settings_from_params(params, env=env)
    assert (got.input, got.warehouse, got.batch_size, got.entity_backend) == (
        "s3://bucket/landing",
        "/other",
        7,
        "rules",
    )


@pytest.mark.parametrize(
    "params",
    [{"batch_size": "many"}, {"batch_size": 0}, {"batch_size": True}, {"entity_backend": "gpt"}],
)
def test_bad_params_are_config_errors(params: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        orchestration.settings_from_params(params, env={})


def test_settings_survive_the_xcom_round_trip() -> None:
    settings = orchestration.settings_from_params({"batch_size": 3}, env={"ETL_ENTITIES": "rules"})
    body = orchestration.settings_to_dict(settings)
    assert orchestration.settings_from_dict(body) == settings


def test_asset_extra_carries_the_runs_numbers() -> None:
    summary = {
        "run_id": "2024-05-01",
        "status": "published",
        "generation": 4,
        "rows": {"videos": 3, "comments": 9, "links": 2, "entities": 20},
        "quarantined": {"empty": 1, "too_large": 1},
    }
    assert orchestration.asset_extra(summary, "videos") == {
        "run_id": "2024-05-01",
        "status": "published",
        "generation": 4,
        "rows": 3,
    }
    assert orchestration.asset_extra(summary, "quarantine")["rows"] == 2
    assert "rows" not in orchestration.asset_extra(summary, "runs")


# ---------------------------------------------------------------------------------------------
# The task functions, called the way the DAG calls them


@pytest.fixture
def small_landing(tmp_path: Path) -> Path:
    """The demo pages (every family, some quarantined) and an empty file: 14 files."""
    folder = tmp_path / "landing"
    folder.mkdir()
    for page in SEED_PAGES.glob("*.txt"):
        (folder / page.name).write_bytes(page.read_bytes())
    (folder / "zz_empty.txt").write_bytes(b"")
    return folder


def _params(landing: Path, warehouse: Path) -> dict[str, Any]:
    return {
        "landing_url": str(landing),
        "warehouse_url": str(warehouse),
        "batch_size": BATCH_SIZE,
        "entity_backend": "rules",
    }


def _tables(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {
        t: run_query(str(warehouse), f"SELECT * FROM {t} ORDER BY ALL")[1]
        for t in (*DATA_TABLES, "quarantine")
    }


@pytest.mark.slow  # a pipeline run with the Great Expectations suites (5-10 s)
def test_task_functions_in_a_row_publish_the_partition(small_landing: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh_tasks"
    logical = datetime(2024, 5, 1, tzinfo=UTC)
    run = orchestration.discover(
        _params(small_landing, wh), logical_date=logical, airflow_run_id="manual__x", env={}
    )
    pages = len(list(small_landing.glob("*.txt")))
    assert run["run_id"] == "2024-05-01"
    assert run["pages"] == pages and run["batches"] == list(range(-(-pages // BATCH_SIZE)))
    assert run["settings"]["orchestrator"] == "airflow"
    results = [orchestration.extract_transform(run, n) for n in run["batches"]]
    audit = orchestration.validate(run, results)
    summary = orchestration.publish(run, results, audit)
    assert summary["status"] == "published"
    published, quarantined = summary["pages_published"], sum(summary["quarantined"].values())
    assert published + quarantined == pages and quarantined >= 1  # the empty file at least
    refreshed = orchestration.refresh_catalog(run)
    assert refreshed["generation"] == summary["generation"] == 1
    rows = refreshed["rows"]
    assert (rows["videos"], rows["quarantine"]) == (published, quarantined)
    _, runs = run_query(str(wh), "SELECT run_id, orchestrator, pages_seen FROM runs")
    assert runs == [("2024-05-01", "airflow", pages)]
    # What the asset-scheduled dashboard DAG does next.
    report = Path(orchestration.refresh_dashboard(env={"ETL_WAREHOUSE": str(wh)}))
    assert report == wh / "report" / "index.html" and report.stat().st_size > 0


def test_a_failing_batch_names_itself_and_the_others_still_run(
    small_landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = orchestration.discover(
        _params(small_landing, tmp_path / "wh"),
        logical_date=None,
        airflow_run_id="manual__fault",
        env={},
    )
    monkeypatch.setenv("ETL_FAULT_POINT", "batch:1")
    with pytest.raises(orchestration.BatchFailed) as caught:
        orchestration.extract_transform(run, 1)
    message = str(caught.value)
    assert message.startswith(f"batch 1 of run manual__fault failed ({BATCH_SIZE} pages, first ")
    assert "InjectedFault" in message
    assert orchestration.extract_transform(run, 0)["pages"] == BATCH_SIZE
    assert orchestration.extract_transform(run, 2)["pages"] == 14 - 2 * BATCH_SIZE


@pytest.mark.slow  # one pipeline run's batches plus the run-level Great Expectations audit
def test_a_clean_audit_passes(small_landing: Path, tmp_path: Path) -> None:
    run = orchestration.discover(
        _params(small_landing, tmp_path / "wh"), logical_date=None, airflow_run_id="m", env={}
    )
    results = [orchestration.extract_transform(run, n) for n in run["batches"]]
    assert orchestration.validate(run, results)["failed"] == []


def test_a_failed_audit_raises_and_publishes_only_quarantine(
    small_landing: Path, tmp_path: Path
) -> None:
    import duckdb

    wh = tmp_path / "wh"
    run = orchestration.discover(
        _params(small_landing, wh), logical_date=None, airflow_run_id="manual__dup", env={}
    )
    results = [orchestration.extract_transform(run, n) for n in run["batches"]]
    # A batch's rows staged twice under other file names (say, by a buggy retry writing a copy)
    # put every key of it in the run twice.
    copy = {**results[0], "batch_no": len(results), "staged": {}}
    for table, rels in results[0]["staged"].items():
        copy["staged"][table] = [rel.replace(".parquet", "-copy.parquet") for rel in rels]
        for rel, new in zip(rels, copy["staged"][table], strict=True):
            shutil.copyfile(wh / rel, wh / new)
    with pytest.raises(ValidationFailed) as caught:
        orchestration.validate(run, [*results, copy])
    assert "unique" in str(caught.value)
    # As `etl run` does: no data, the run's pages in quarantine naming the failed expectation.
    con = duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True)
    con.execute(f"SET file_search_path = '{wh}'")
    assert con.execute("SELECT count(*) FROM videos").fetchone() == (0,)
    failed = con.execute(
        "SELECT count(DISTINCT page_id), bool_and(message LIKE '%unique across the run%') "
        "FROM quarantine_history WHERE reason_code = 'validation_failed'"
    ).fetchone()
    assert failed == (sum(r["published"] for r in results), True)
    assert con.execute("SELECT status FROM runs").fetchall() == [("validation_failed",)]
