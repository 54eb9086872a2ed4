"""Validation with Great Expectations: per batch in the workers, per run before publishing.

Every check is a GX expectation generated from schemas/ (see ``etl.validation.specs``):
per-table suites (``videos``, ``comments``, ``links``, ``entities``) run on each batch's frames;
the ``cross_table`` suite asserts on the violating rows DuckDB finds for the foreign keys and the
tables' declared rules. Per run, ``<table>_schema`` checks the staged files' Arrow schemas,
``run_keys`` checks keys across batches, ``drift`` compares the comment-section share with the
published history, and the quarantine/validation_results files get their table suites. Each
failed expectation records the keys, page, source file and line of (up to 20 of) its failing
rows; the run's Data Docs (``write_data_docs``) render all of it.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.config import duckdb_config
from etl.contracts import DATA_TABLES
from etl.validation import specs as sp
from etl.validation import violations as vx
from etl.validation.engine import (
    SAMPLE_SIZE,
    ExpectationRun,
    definition,
    frame,
    release_frames,
    run_suite,
)

if TYPE_CHECKING:
    from etl.publish import Warehouse

log = logging.getLogger(__name__)

# in_set_from_seed sets the pipeline passes in (key: "<seed>.<column>").
_PLATFORM_SEED = "link_platforms.platform"


@dataclass(frozen=True, slots=True)
class ExpectationOutcome:
    """One expectation's result: a row of the ``validation_results`` table (minus run_id/batch)."""

    table_name: str
    expectation: str
    severity: str  # "error" blocks publishing; "warning" is recorded and reported
    success: bool
    observed_value: str | None = None
    unexpected_count: int = 0
    unexpected_sample: str | None = None  # JSON list of failing keys/values with source file/line
    suite: str = ""
    element_count: int = 0


@dataclass(frozen=True, slots=True)
class BatchValidation:
    """Outcomes for one batch, plus the pages to quarantine (page_id -> failed expectation names).

    ``rejects_batch`` is set when an ``error`` expectation failed on rows no page owns (an orphan
    row, an expectation that could not run): every page of the batch is then in ``failing_pages``
    and no row of the batch may be staged.
    """

    outcomes: tuple[ExpectationOutcome, ...] = ()
    failing_pages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    seconds: float = 0.0
    rejects_batch: bool = False
    # Where ``seconds`` went: GX's start-up in this process (first batch only), each table's
    # suite (frame conversion, GX, locating failed rows) and the cross-table rules (DuckDB + GX).
    parts: Mapping[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Batch


@functools.cache
def _table_specs(
    table: str, seeds: tuple[tuple[str, frozenset[str]], ...]
) -> tuple[sp.ExpectationSpec, ...]:
    return tuple(sp.table_suite(table, dict(seeds)))


@functools.cache
def _rule_specs(kind: str) -> tuple[tuple[sp.Rule, ...], tuple[sp.ExpectationSpec, ...]]:
    rules = tuple(sp.batch_rules() if kind == "batch" else sp.run_key_rules())
    return rules, tuple(sp.rule_spec(r) for r in rules)


def prewarm(platforms: frozenset[str] | None = None) -> None:
    """Import GX and build the context and the batch suites now (~3.4 s of CPU, once per process).

    Every process pays this on its first validation. A caller that has idle time before then (a
    worker pool's initializer, a background thread while the batches run) can pay it there.
    """
    seeds = () if platforms is None else ((_PLATFORM_SEED, frozenset(platforms)),)
    for name in DATA_TABLES:
        definition(name, _table_specs(name, seeds))
    definition(sp.CROSS_TABLE_SUITE, _rule_specs("batch")[1])


def validate_batch(tables: Mapping[str, pa.Table], *, platforms: frozenset[str]) -> BatchValidation:
    """Validate one batch's data tables (per-table suites, then the cross-table rules).

    Input: the batch's contract-conformed videos/comments/links/entities tables. Output: one
    outcome per expectation and the pages whose rows failed an ``error`` expectation.
    """
    start = time.perf_counter()
    parts: dict[str, float] = {}
    clock = start

    def lap(part: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        parts[part] = round(now - clock, 4)
        clock = now

    prewarm(platforms)  # GX's import and the suites: paid by a process's first batch only
    lap("gx_start_up")
    seeds = ((_PLATFORM_SEED, frozenset(platforms)),)
    present = {name: tables[name] for name in DATA_TABLES if name in tables}
    collector = _Collector(present.get("videos"))
    con = vx.connect(present)
    try:
        for name, table in present.items():
            runs = run_suite(name, _table_specs(name, seeds), frame(table), row_level=True)
            for run in runs:
                rows = _locate(con, name, table, run)
                collector.add(name, name, run, rows)
            lap(name)
        rules, rule_specs = _rule_specs("batch")
        found = vx.violations(con, rules)
        runs = run_suite(
            sp.CROSS_TABLE_SUITE, rule_specs, found.to_pandas(), locate=False, row_level=True
        )
        for rule, run in zip(rules, runs, strict=True):
            checked = present[rule.table].num_rows if rule.table in present else 0
            rows = _rule_rows(found, rule.name)
            collector.add(
                rule.table, sp.CROSS_TABLE_SUITE, _per_table(run, checked), rows, all_rows=True
            )
        lap(sp.CROSS_TABLE_SUITE)
    finally:
        con.close()
        release_frames()
    return collector.result(time.perf_counter() - start, parts)


def _per_table(run: ExpectationRun, checked: int) -> ExpectationRun:
    """A rule's run restated per checked table: GX counted rows of the violations frame (all
    rules' violations); what a reader wants is how many of the table's rows violate this rule."""
    return replace(
        run,
        element_count=checked,
        observed_value=f"{run.unexpected_count} of {checked} rows violate the rule",
    )


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    ((count,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(count)


def _locate(
    con: duckdb.DuckDBPyConnection, table_name: str, table: pa.Table, run: ExpectationRun
) -> list[dict[str, Any]]:
    """Failing rows of a table expectation with key, page, source file, line and value."""
    if run.success or not run.positions:
        return []
    rows = vx.locate_rows(con, table_name, table.take(pa.array(run.positions, pa.int64())))
    for row, value in zip(rows, run.values, strict=False):
        row["value"] = value
    return rows


def _rule_rows(found: pa.Table, rule: str) -> list[dict[str, Any]]:
    picked = found.filter(pc.equal(found["rule"], rule))
    return [
        {k: v for k, v in r.items() if k not in ("rule", "table_name")} for r in picked.to_pylist()
    ]


class _Collector:
    """Turns expectation runs into outcomes and failing pages (pure bookkeeping)."""

    def __init__(self, videos: pa.Table | None) -> None:
        self._pages = [] if videos is None else videos.column("page_id").to_pylist()
        self._outcomes: list[ExpectationOutcome] = []
        self._failing: dict[str, list[str]] = {}
        self._unowned: list[str] = []

    def add(
        self,
        table: str,
        suite: str,
        run: ExpectationRun,
        rows: Sequence[Mapping[str, Any]],
        *,
        all_rows: bool = False,
    ) -> None:
        """Record a run; ``all_rows`` says ``rows`` are every failing row (rules), not a sample."""
        self._outcomes.append(outcome(table, suite, run, rows))
        if run.success or run.spec.severity != "error":
            return
        pages = {r.get("page_id") for r in rows}
        if not (run.complete or all_rows) or None in pages or not rows:
            self._unowned.append(run.spec.name)
        for page in pages - {None}:
            self._failing.setdefault(str(page), []).append(run.spec.name)

    def result(self, seconds: float, parts: Mapping[str, float]) -> BatchValidation:
        failing = {p: tuple(dict.fromkeys(n)) for p, n in self._failing.items()}
        if self._unowned:
            for page in self._pages:
                failing[page] = tuple(dict.fromkeys([*failing.get(page, ()), *self._unowned]))
        return BatchValidation(
            outcomes=tuple(self._outcomes),
            failing_pages=dict(sorted(failing.items())),
            seconds=round(seconds, 4),
            rejects_batch=bool(self._unowned),
            parts=dict(parts),
        )


def outcome(
    table: str, suite: str, run: ExpectationRun, rows: Sequence[Mapping[str, Any]] = ()
) -> ExpectationOutcome:
    """One ``validation_results`` row for an expectation run; the sample lists failing rows."""
    sample: list[dict[str, Any]] = [dict(r) for r in rows[:SAMPLE_SIZE]]
    if run.exception:
        sample = [{"exception": run.exception}]
    return ExpectationOutcome(
        table_name=table,
        expectation=run.spec.name,
        severity=run.spec.severity,
        success=run.success,
        observed_value=run.observed_value if run.exception is None else f"error: {run.exception}",
        unexpected_count=run.unexpected_count if run.exception is None else 0,
        unexpected_sample=json.dumps(sample, default=str, ensure_ascii=False) if sample else None,
        suite=suite,
        element_count=run.element_count,
    )


# ---------------------------------------------------------------------------------------------
# Run


def audit_run(
    wh: Warehouse, staged: Mapping[str, list[str]], *, run_id: str | None = None
) -> BatchValidation:
    """Run-level checks over all staged files of a run.

    Staged files' schemas against the contracts, keys unique (and foreign keys resolved) across
    batches, the quarantine/validation_results files' table suites, and the comment-section-share
    drift warning against the published history (excluding ``run_id``'s own previous output).
    """
    start = time.perf_counter()
    root = wh.local_root
    outcomes: list[ExpectationOutcome] = []
    audited = tuple(t for t in (*DATA_TABLES, *sp.AUDITED_RUN_TABLES) if staged.get(t))
    outcomes += _schema_outcomes(wh, staged, audited)
    schema_ok = all(o.success for o in outcomes if o.severity == "error")
    if schema_ok:
        con = vx.connect_files(staged, root)
        try:
            rules, rule_specs = _rule_specs("run")
            found = vx.violations_one_by_one(con, rules)
            runs = run_suite(
                sp.RUN_KEYS_SUITE, rule_specs, found.to_pandas(), locate=False, row_level=True
            )
            counts = {t: _count(con, t) for t in DATA_TABLES}
            outcomes += [
                outcome(
                    rule.table,
                    sp.RUN_KEYS_SUITE,
                    _per_table(run, counts[rule.table]),
                    _rule_rows(found, rule.name),
                )
                for rule, run in zip(rules, runs, strict=True)
            ]
            outcomes += _drift_outcomes(con, wh, run_id)
        finally:
            con.close()
        for table in sp.AUDITED_RUN_TABLES:
            if staged.get(table):
                data = pa.concat_tables(_read(wh, f) for f in staged[table])
                runs = run_suite(table, _table_specs(table, ()), frame(data), row_level=True)
                outcomes += [outcome(table, table, r, _plain_rows(data, r)) for r in runs]
    return BatchValidation(outcomes=tuple(outcomes), seconds=round(time.perf_counter() - start, 4))


def _read(wh: Warehouse, rel: str) -> pa.Table:
    with wh.fs.open(wh.layout.join(rel), "rb") as handle:
        return pq.read_table(handle)


def schema_frame(schemas: Mapping[str, Sequence[tuple[str, pa.Schema]]]) -> pa.Table:
    """One row per column of each staged file: table, file, column, type and the file's schema."""
    cols: dict[str, list[Any]] = {
        k: [] for k in ("table_name", "file", "column_name", "column_type", "file_schema")
    }
    for table, files in schemas.items():
        for rel, schema in files:
            signature = sp.schema_signature((f.name, f.type, f.nullable) for f in schema)
            for f in schema:
                cols["table_name"].append(table)
                cols["file"].append(rel)
                cols["column_name"].append(f.name)
                cols["column_type"].append(sp.column_type_label(f.type, f.nullable))
                cols["file_schema"].append(signature)
    return pa.table(cols, schema=pa.schema([(k, pa.string()) for k in cols]))


def _schema_outcomes(
    wh: Warehouse, staged: Mapping[str, list[str]], tables: tuple[str, ...]
) -> list[ExpectationOutcome]:
    """Each staged table's file schemas against its contract (one suite per table)."""
    out = []
    for table in tables:
        files = []
        for rel in staged[table]:
            with wh.fs.open(wh.layout.join(rel), "rb") as handle:
                files.append((rel, pq.read_schema(handle)))
        data = schema_frame({table: files})
        suite = sp.schema_suite_name(table)
        runs = run_suite(suite, tuple(sp.schema_suite(table)), data.to_pandas(), row_level=True)
        columns = ("file", "column_name", "column_type")
        out += [outcome(table, suite, run, _plain_rows(data, run, columns)) for run in runs]
    return out


def _plain_rows(
    data: pa.Table, run: ExpectationRun, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Failing rows of a frame that has no pages (schema rows, quarantine rows)."""
    if run.success or not run.positions:
        return []
    picked = data.take(pa.array(run.positions[:SAMPLE_SIZE], pa.int64()))
    if columns is None:
        key = [
            c
            for c in ("run_id", "page_id", "table_name", "expectation")
            if c in picked.column_names
        ]
        columns = key
    rows: list[dict[str, Any]] = picked.select(list(columns)).to_pylist()
    for row, value in zip(rows, run.values, strict=False):
        row["value"] = value
    return rows


def _drift_outcomes(
    con: duckdb.DuckDBPyConnection, wh: Warehouse, run_id: str | None
) -> list[ExpectationOutcome]:
    """Each drift rule: the run's share of matching pages against the published history's.

    Not evaluated for a run with fewer than the rule's ``min_pages`` pages; against a history
    of fewer pages the floor is 0 (the run's share is recorded, nothing can fail).
    """
    from etl.catalog import view_statements
    from etl.publish import read_manifest

    out: list[ExpectationOutcome] = []
    rules = [r for t in DATA_TABLES for r in sp.table_extras(t).drift_rules]
    if not rules:
        return out
    manifest = read_manifest(wh)
    history = duckdb.connect(config=duckdb_config(wh.local_root))
    try:
        for stmt in view_statements(manifest):
            history.execute(stmt)
        for rule in rules:
            flags = con.sql(
                f"SELECT CAST(({rule.share_sql}) AS INTEGER) AS matches FROM {rule.table}"
            ).to_arrow_table()
            if flags.num_rows < rule.min_pages:  # too few pages for a share to mean anything
                log.info("drift check %s skipped: %d pages in the run", rule.name, flags.num_rows)
                continue
            ((count, past_share),) = history.execute(
                f"SELECT count(*), avg(CAST(({rule.share_sql}) AS DOUBLE)) FROM {rule.table} "
                "WHERE run_id IS DISTINCT FROM ?",
                [run_id],
            ).fetchall()
            past_pages = int(count)
            enough = past_pages >= rule.min_pages
            floor = (
                float(past_share) * (1 - rule.max_drop)
                if enough and past_share is not None
                else 0.0
            )
            spec = sp.drift_spec(rule)
            runs = run_suite(
                sp.DRIFT_SUITE, (spec,), flags.to_pandas(), parameters={sp.DRIFT_PARAMETER: floor}
            )
            base = outcome(rule.table, sp.DRIFT_SUITE, runs[0])
            note = (
                f"; history {past_share:.3f} over {past_pages} pages, floor {floor:.3f}"
                if past_share is not None
                else "; no published history"
            )
            out.append(
                ExpectationOutcome(
                    **{**_asdict(base), "observed_value": f"{base.observed_value}{note}"}
                )
            )
    finally:
        history.close()
    return out


def _asdict(o: ExpectationOutcome) -> dict[str, Any]:
    return {name: getattr(o, name) for name in o.__slots__}


# ---------------------------------------------------------------------------------------------
# Data Docs


@dataclass(frozen=True, slots=True)
class DataDocs:
    """Where a run's Data Docs were written (``index.html``) and how long rendering took."""

    index: str
    seconds: float


def write_data_docs(
    wh: Warehouse,
    run_id: str,
    staged: Mapping[str, list[str]],
    audit: BatchValidation,
    *,
    platforms: frozenset[str] | None = None,
) -> DataDocs:
    """Render GX Data Docs for a run under ``<warehouse>/quality/data_docs/<run_id>/``.

    Input: the run's staged ``validation_results`` files (one row per batch and expectation) and
    the run-level ``audit``. Each suite becomes one validation result summed over the batches.
    The site is written aside and swapped in; it is a report and never part of the publish.
    """
    from etl.validation import docs

    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for rel in staged.get("validation_results", []):
        rows += _read(wh, rel).to_pylist()
    rows += [_asdict(o) for o in audit.outcomes]
    seeds = {_PLATFORM_SEED: platforms} if platforms else None
    registry = docs.spec_registry(seeds)
    aggregates = docs.aggregate(rows)
    for agg in aggregates:  # the run's failures, one line each (warnings are reported, not fatal)
        if not agg.success:
            where = _first_location(agg.sample)
            log.warning(
                "run %s: %s expectation failed: %s / %s: %s%s",
                run_id, agg.severity, agg.table_name, agg.expectation, agg.observed_value, where,
            )  # fmt: skip
    results = docs.suite_results(run_id, aggregates, registry)
    _ = wh.local_root  # like the catalog, the docs need a local warehouse (else UsageError)
    index = docs.write_site(wh.layout.docs_dir, run_id, results, registry)
    seconds = round(time.perf_counter() - start, 4)
    log.info("data docs for run %s: %s (%.2fs)", run_id, index, seconds)
    return DataDocs(index=index, seconds=seconds)


def _first_location(sample: Sequence[Mapping[str, Any]]) -> str:
    """`` (first: <file>:<line> key <key>)`` for a log line, from a failure sample."""
    if not sample:
        return ""
    first = sample[0]
    place = first.get("source_file") or first.get("file") or "?"
    line = f":{first['line']}" if first.get("line") is not None else ""
    key = first.get("key") or first.get("column_name")
    return f" (first: {place}{line}{f' key {key}' if key else ''})"
