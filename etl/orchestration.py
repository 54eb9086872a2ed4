"""Airflow-free glue for the DAGs: params -> settings, the partition key, one function per task.

The DAG file only wires these functions together. Each takes and returns small JSON-safe values
(the partition key, settings, references to staged files, counts) -- XCom carries references,
never data -- so every task can be run and tested without Airflow. They call the same
``etl.pipeline`` steps as ``etl run``, so the CLI and the DAG cannot drift apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from etl.config import ENTITY_BACKENDS, Settings, fault_point, settings_from_env
from etl.contracts import DATA_TABLES
from etl.errors import ConfigError, EtlError, ValidationFailed

log = logging.getLogger(__name__)

# Airflow Param name -> Settings field. A param left empty (None or "") means "use the environment
# variable, else the CLI's default" -- the same precedence as ``etl run``'s options.
PARAM_FIELDS: Mapping[str, str] = {
    "landing_url": "input",
    "warehouse_url": "warehouse",
    "batch_size": "batch_size",
    "entity_backend": "entity_backend",
}
PARTITION_PARAM = "partition_key"
# Seconds a task waits for another writer (an `etl run`, a catalog rebuild) to release the
# warehouse lock before failing and leaving the rest to Airflow's retries.
LOCK_WAIT_SECONDS = 300.0


class BatchFailed(EtlError):
    """A whole batch could not be processed (I/O, a bug); names the batch, run and pages."""


class InjectedFault(OSError):
    """Raised by ``ETL_FAULT_POINT=batch:<n>`` so tests can fail one mapped batch for real."""


def published_tables() -> tuple[str, ...]:
    """Every table a run publishes (one Airflow Asset each), in catalog order."""
    return (*DATA_TABLES, "quarantine", "runs", "validation_results")


# ---------------------------------------------------------------------------------------------
# Configuration and identity (pure)


def _blank_to_none(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip() if isinstance(value, str) else value


def _batch_size(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ConfigError(f"param batch_size must be a whole number, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"param batch_size must be a whole number, got {value!r}") from None


def settings_from_params(
    params: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> Settings:
    """Settings of an Airflow run: the run's Params over ``ETL_*`` variables over CLI defaults.

    Batches are parallelised by Airflow's task mapping, so each task uses one worker process.
    """
    overrides = {field: _blank_to_none(params.get(name)) for name, field in PARAM_FIELDS.items()}
    overrides["batch_size"] = _batch_size(overrides["batch_size"])
    backend = overrides["entity_backend"]
    if backend is not None and backend not in ENTITY_BACKENDS:
        raise ConfigError(
            f"param entity_backend must be one of {', '.join(ENTITY_BACKENDS)}, got {backend!r}"
        )
    return settings_from_env(env, orchestrator="airflow", workers=1, **overrides)


def partition_key(
    params: Mapping[str, Any],
    *,
    logical_date: datetime | date | None,
    airflow_run_id: str,
) -> str:
    """The run's partition key: the ``partition_key`` Param, else the logical date, else the run id.

    Airflow 3 runs triggered by hand or by an asset may have no logical date at all; their key then
    comes from the Airflow run id. A logical date at midnight UTC gives ``YYYY-MM-DD``, the same
    key as ``etl run --logical-date YYYY-MM-DD``.
    """
    from etl.pipeline import run_id_for

    return run_id_for(
        explicit=_blank_to_none(params.get(PARTITION_PARAM)),
        logical_date=logical_date,
        fallback=airflow_run_id,
    )


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    """The Settings as a JSON-safe dict, small enough for XCom."""
    return asdict(settings)


def settings_from_dict(body: Mapping[str, Any]) -> Settings:
    """The Settings ``discover`` resolved, so every task of a run uses exactly the same ones."""
    return Settings(**body)


def asset_extra(summary: Mapping[str, Any], table: str) -> dict[str, Any]:
    """The extra of ``table``'s asset event: which run published what, for downstream DAGs (pure).

    ``rows`` is the run's row count for the data tables and its quarantined pages for
    ``quarantine``; other tables carry no count.
    """
    extra: dict[str, Any] = {
        "run_id": summary["run_id"],
        "status": summary["status"],
        "generation": summary["generation"],
    }
    if table in summary.get("rows", {}):
        extra["rows"] = summary["rows"][table]
    elif table == "quarantine":
        extra["rows"] = sum(summary.get("quarantined", {}).values())
    return extra


# ---------------------------------------------------------------------------------------------
# Tasks. Each returns a small JSON-safe dict for XCom and logs one line of numbers.


def discover(
    params: Mapping[str, Any],
    *,
    logical_date: datetime | date | None,
    airflow_run_id: str,
    env: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Resolve settings and partition key, find new or changed pages, cut batches, save the plan.

    Returns the run reference every later task needs: partition key, logical date, settings and
    the batch numbers to map over (the plan itself stays in the warehouse's staging area).
    """
    from etl.pipeline import plan_run

    t0 = time.perf_counter()
    settings = settings_from_params(params, env)
    run_id = partition_key(params, logical_date=logical_date, airflow_run_id=airflow_run_id)
    plan = plan_run(
        settings, run_id=run_id, logical_date=logical_date, started_at=now or datetime.now(UTC)
    )
    log.info(
        "discover %s: %d pages in %s, %d already published (skipped if unchanged), "
        "%d batches of <= %d, backend %s, %.2fs",
        run_id, plan.pages_seen, settings.input, plan.pages_known, plan.batch_count,
        settings.batch_size,
        plan.entity_backend, time.perf_counter() - t0,
    )  # fmt: skip
    for warning in plan.warnings:
        log.warning("%s", warning)
    return {
        "run_id": run_id,
        "logical_date": plan.logical_date,
        "settings": settings_to_dict(settings),
        "pages": plan.pages_seen,
        "batches": list(range(plan.batch_count)),
    }


def extract_transform(run: Mapping[str, Any], batch_no: int) -> dict[str, Any]:
    """Process one batch of the run's plan; its tables are staged as Parquet in the warehouse.

    Any failure of the batch as a whole is re-raised as ``BatchFailed`` naming the batch, the run
    and its pages, so the failing mapped task says in one line what failed.
    """
    from etl.pipeline import batch_refs, load_plan, process_batch
    from etl.publish import Warehouse

    settings = settings_from_dict(run["settings"])
    plan = load_plan(settings, run["run_id"])
    try:
        if fault_point() == f"batch:{batch_no}":
            raise InjectedFault(f"ETL_FAULT_POINT=batch:{batch_no}")
        result = process_batch(settings, plan, batch_no)
    except Exception as exc:
        try:
            pages = batch_refs(Warehouse.at(settings.warehouse), plan.run_id, batch_no)
        except Exception:  # the batch's page list itself is unreadable: say what failed anyway
            pages = []
        first = pages[0][1] if pages else "-"
        raise BatchFailed(
            f"batch {batch_no} of run {plan.run_id} failed ({len(pages)} pages, first {first}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    log.info(
        "extract_transform %s batch %d: %d pages, %d skipped, %d published, %d quarantined, "
        "rows %s, %.2fs",
        plan.run_id, batch_no, result.pages, result.skipped, result.published,
        sum(result.quarantined.values()), _rows_text(result.rows), sum(result.seconds.values()),
    )  # fmt: skip
    return result.to_dict()


def validate(run: Mapping[str, Any], results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Run-level expectations over every staged file of the run.

    When an ``error``-severity expectation fails, no data of the run is published: as ``etl run``
    does, the run's pages are published as quarantine rows (``validation_failed``, the failed
    expectations named) with the run's ``runs`` and ``validation_results`` rows, so the failure
    is visible in the warehouse; then ``ValidationFailed`` is raised and the task fails.
    """
    from etl.pipeline import BatchResult, audit_staged_run, load_plan, publish_audited_run

    t0 = time.perf_counter()
    settings = settings_from_dict(run["settings"])
    plan = load_plan(settings, run["run_id"])
    batches = [BatchResult.from_dict(dict(r)) for r in results]
    audit = audit_staged_run(settings, plan, batches)
    log.info(
        "validate %s: %d batches, %d staged files, %d expectations failed, %.2fs",
        plan.run_id, len(batches), sum(len(f) for b in batches for f in b.staged.values()),
        len(audit.failed), time.perf_counter() - t0,
    )  # fmt: skip
    if audit.failed:
        summary = publish_audited_run(
            settings, plan, batches, audit, lock_wait_seconds=LOCK_WAIT_SECONDS
        )
        log.error(
            "validate %s: run-level expectations failed (%s); no data published, %d pages "
            "quarantined as validation_failed, generation %d",
            plan.run_id, ", ".join(audit.failed), sum(summary.quarantined.values()),
            summary.generation,
        )  # fmt: skip
        raise ValidationFailed(audit.failed)
    return audit.to_dict()


def publish(
    run: Mapping[str, Any], results: Iterable[Mapping[str, Any]], audit: Mapping[str, Any]
) -> dict[str, Any]:
    """Publish the audited run atomically: table files, then the catalog and manifest swap."""
    from etl.pipeline import BatchResult, RunAudit, load_plan, publish_audited_run

    settings = settings_from_dict(run["settings"])
    plan = load_plan(settings, run["run_id"])
    batches = [BatchResult.from_dict(dict(r)) for r in results]
    summary = publish_audited_run(
        settings, plan, batches, RunAudit.from_dict(dict(audit)),
        lock_wait_seconds=LOCK_WAIT_SECONDS,
    )  # fmt: skip
    log.info(
        "publish %s: %s, generation %d, %d pages seen, %d skipped, %d published, "
        "%d quarantined, rows %s, %.2fs",
        summary.run_id, summary.status, summary.generation, summary.pages_seen,
        summary.pages_skipped, summary.pages_published, sum(summary.quarantined.values()),
        _rows_text(summary.rows), sum(summary.seconds.values()),
    )  # fmt: skip
    return summary.to_dict()


def refresh_catalog(run: Mapping[str, Any]) -> dict[str, Any]:
    """Make sure warehouse.duckdb shows the published generation, then report what it holds.

    ``publish`` already swaps in a catalog built before its commit point; this task repairs one
    that lags the manifest (a crash between commit and swap, a deleted file) and logs the row
    counts of every table and of the analyst summary views, the numbers a reader will see.
    """
    settings = settings_from_dict(run["settings"])
    t0 = time.perf_counter()
    generation, rebuilt = ensure_catalog_current(settings)
    counts = table_counts(settings.warehouse)
    log.info(
        "refresh_catalog %s: generation %d (%s), rows %s, %.2fs",
        run["run_id"], generation, "rebuilt" if rebuilt else "already current",
        _rows_text(counts), time.perf_counter() - t0,
    )  # fmt: skip
    return {"run_id": run["run_id"], "generation": generation, "rebuilt": rebuilt, "rows": counts}


def ensure_catalog_current(settings: Settings) -> tuple[int, bool]:
    """Rebuild the catalog if it lags the manifest, under the publish lock.

    Returns the manifest generation and whether the catalog had to be rebuilt.
    """
    from etl.catalog import ensure_catalog
    from etl.publish import Warehouse, publish_lock, read_manifest

    wh = Warehouse.at(settings.warehouse)
    with publish_lock(wh, wait_seconds=LOCK_WAIT_SECONDS):
        rebuilt = ensure_catalog(wh)
        generation = read_manifest(wh).generation
    return generation, rebuilt


def table_counts(warehouse: str) -> dict[str, int]:
    """Rows per published table and per summary view, as a reader of the catalog sees them."""
    from etl.query import run_query

    _, views = run_query(
        warehouse,
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE '%summary' "
        "ORDER BY view_name",
    )
    counts = {}
    for name in (*published_tables(), *(str(v[0]) for v in views)):
        _, rows = run_query(warehouse, f'SELECT count(*) FROM "{name}"')
        counts[name] = int(rows[0][0])
    return counts


def refresh_dashboard(env: Mapping[str, str] | None = None) -> str:
    """Bring the catalog up to date, then rewrite the HTML report; returns the report's path.

    Runs after a publish (scheduled on its assets), possibly before that run's catalog refresh
    finished, so it brings the catalog up to date itself first.
    """
    from etl.report import write_report

    settings = settings_from_env(env, orchestrator="airflow")
    t0 = time.perf_counter()
    generation, _ = ensure_catalog_current(settings)
    path = str(write_report(settings.warehouse))
    log.info(
        "dashboard refresh: generation %d, report %s, %.2fs",
        generation, path, time.perf_counter() - t0,
    )  # fmt: skip
    return path


def _rows_text(rows: Mapping[str, int]) -> str:
    return ", ".join(f"{table} {count}" for table, count in rows.items())
