"""
### video_pages_etl

Turns the page files of the landing location into the analytics warehouse, one partition per run:

`discover` → `extract_transform` (one mapped task per batch of pages) → `validate` → `publish`
→ `refresh_catalog`.

* **discover** resolves the settings and the run's **partition key** (the `partition_key` param,
  else the logical date, else the Airflow run id: manual and asset-triggered runs may have no
  logical date), lists new or changed page files (a file whose content hash is already published
  by another run is skipped) and cuts them into batches of `batch_size` pages.
* **extract_transform** parses, annotates and transforms one batch and stages its tables as
  Parquet in the warehouse; XCom carries only file references and counts. A failing batch fails
  its own task; the other batches still run, and nothing of the run is published.
* **validate** runs the run-level expectations; a failure stops the run before `publish`.
* **publish** swaps the run's files, catalog and manifest in atomically (re-running a partition
  replaces its output) and emits one Airflow Asset per table (`video_pages.<table>`), which
  `video_pages_dashboard_refresh` is scheduled on.
* **refresh_catalog** makes sure `warehouse.duckdb` shows the new generation and logs row counts.

Configuration: params below, else `ETL_INPUT`, `ETL_WAREHOUSE`, `ETL_ENTITIES`, `ETL_BATCH_SIZE`,
else the defaults of `etl run`. Schedule and retries: `[video_pages_etl] schedule` (default
`@hourly`, `none` for manual/backfill only) and `retries` (default 2) in Airflow's config, e.g.
`AIRFLOW__VIDEO_PAGES_ETL__SCHEDULE=@daily`. All logic lives in `etl.orchestration`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, Param, TriggerRule, conf, dag, get_current_context, task

# The tables a run publishes; tests/dags checks this equals etl.orchestration.published_tables().
TABLES = ("videos", "comments", "links", "entities", "quarantine", "runs", "validation_results")
TABLE_ASSETS = {
    table: Asset(name=f"video_pages.{table}", uri=f"video-pages://warehouse/{table}")
    for table in TABLES
}

_schedule = conf.get("video_pages_etl", "schedule", fallback="@hourly").strip()
SCHEDULE = None if _schedule.lower() in ("", "none") else _schedule

# I/O tasks retry with exponential backoff: 30 s, 60 s, 120 s ... capped at 10 minutes.
IO_RETRIES = {
    "retries": conf.getint("video_pages_etl", "retries", fallback=2),
    "retry_delay": pendulum.duration(seconds=30),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": pendulum.duration(minutes=10),
}

PARAMS = {
    "partition_key": Param(
        None,
        type=["null", "string"],
        title="Partition key",
        description="Replace this partition (e.g. 2024-05-01). Empty: the logical date, else the "
        "run id.",
    ),
    "landing_url": Param(
        None,
        type=["null", "string"],
        description="Page folder, glob or fsspec URL. Empty: $ETL_INPUT, else seeds/pages.",
    ),
    "warehouse_url": Param(
        None,
        type=["null", "string"],
        description="Warehouse directory. Empty: $ETL_WAREHOUSE, else ./warehouse.",
    ),
    "batch_size": Param(
        None,
        type=["null", "integer"],
        minimum=1,
        description="Pages per mapped extract_transform task. "
        "Empty: $ETL_BATCH_SIZE, else 2000 (etl.config.DEFAULT_BATCH_SIZE).",
    ),
    "entity_backend": Param(
        None,
        type=["null", "string"],
        enum=[None, "spacy", "rules"],
        description="Entity backend. Empty: $ETL_ENTITIES, else spacy (rules if no model).",
    ),
}


@task(multiple_outputs=False, **IO_RETRIES)
def discover() -> list:
    """Plan the run; returns the batch numbers to map over, pushes the run reference as "run"."""
    from etl import orchestration

    ctx = get_current_context()
    run = orchestration.discover(
        ctx["params"], logical_date=ctx.get("logical_date"), airflow_run_id=ctx["run_id"]
    )
    ctx["ti"].xcom_push(key="run", value=run)
    return run["batches"]


@task(multiple_outputs=False, **IO_RETRIES)
def extract_transform(run: dict, batch_no: int) -> dict:
    """One batch: parse, annotate, transform, stage Parquet; returns file references and counts."""
    from etl import orchestration

    return orchestration.extract_transform(run, batch_no)


# none_failed, not all_success, on validate and publish: a run with no pages maps zero batches
# (skipped) and still records itself, as `etl run` does. A failed or upstream-failed batch or
# validation still stops both: publish never runs after a failure.
@task(trigger_rule=TriggerRule.NONE_FAILED, multiple_outputs=False, **IO_RETRIES)
def validate(run: dict, results: list) -> dict:
    """Run-level expectations over all staged files; a failure is final (no retry): the run's
    pages are published as quarantine rows only, and publish does not run."""
    from airflow.sdk.exceptions import AirflowFailException

    from etl import orchestration
    from etl.errors import ValidationFailed

    try:
        return orchestration.validate(run, results[:])  # [:] pulls all batch results at once
    except ValidationFailed as exc:
        raise AirflowFailException(str(exc)) from exc


@task(
    trigger_rule=TriggerRule.NONE_FAILED,
    outlets=list(TABLE_ASSETS.values()),
    multiple_outputs=False,
    **IO_RETRIES,
)
def publish(run: dict, results: list, audit: dict) -> dict:
    """Atomic publish of the run; each table's asset event carries the run's numbers."""
    from etl import orchestration

    summary = orchestration.publish(run, results[:], audit)
    outlet_events = get_current_context()["outlet_events"]
    for table, asset in TABLE_ASSETS.items():
        outlet_events[asset].extra = orchestration.asset_extra(summary, table)
    return summary


@task(multiple_outputs=False, **IO_RETRIES)
def refresh_catalog(run: dict) -> dict:
    """Catalog shows the new generation (rebuilt if it lags); logs rows per table and summary."""
    from etl import orchestration

    return orchestration.refresh_catalog(run)


@dag(
    dag_id="video_pages_etl",
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,  # backfill on purpose: `airflow backfill create --dag-id video_pages_etl ...`
    max_active_runs=1,  # one publisher at a time, also where file locks are weak (shared mounts)
    dagrun_timeout=pendulum.duration(hours=6),
    default_args={"owner": "data-platform"},
    params=PARAMS,
    tags=["video-pages", "etl", "warehouse"],
    doc_md=__doc__,
)
def video_pages_etl() -> None:
    batches = discover()
    run = batches["run"]  # the run reference: partition key, settings (an XCom of discover)
    results = extract_transform.partial(run=run).expand(batch_no=batches)
    audit = validate(run, results)
    publish(run, results, audit) >> refresh_catalog(run)


video_pages_etl()
