"""The one entry point composing the stages: plan -> process batches -> finalize (audit, publish).

The CLI calls ``run``; the Airflow DAG calls ``plan_run``, ``process_batch`` and ``finalize_run``
as separate tasks; tests call any of them. Nothing here knows about Airflow.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa

from etl import page_stats, validate
from etl.catalog import (
    RETRYABLE_REASONS,
    discard_catalog,
    ensure_catalog,
    install_catalog,
    prepare_catalog,
    view_statements,
)
from etl.config import Settings, duckdb_config, project_root
from etl.contracts import DATA_TABLES, conform, contract, seed_contracts
from etl.errors import PageRejected, PublishError, UsageError
from etl.publish import (
    Manifest,
    Warehouse,
    clean_leftovers,
    clear_staging,
    collect_garbage,
    fault_hook,
    publish_lock,
    publish_run,
    read_manifest,
    write_staged_table,
)
from etl.records import EntityText, PageEntityInput, PageSource, ParsedPage
from etl.storage import discover_pages, display_name, iter_chunks, read_page_bytes
from etl.transform import (
    PageResult,
    RunContext,
    build_tables,
    combine_tables,
    quarantine_table,
)

log = logging.getLogger(__name__)

_RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


# ---------------------------------------------------------------------------------------------
# Run identity


def run_id_for(
    *,
    explicit: str | None = None,
    logical_date: datetime | date | None = None,
    fallback: str | None = None,
) -> str:
    """The partition key of a run: an explicit key, else the logical date, else ``fallback``.

    A logical date at midnight UTC gives ``YYYY-MM-DD`` (so the CLI's ``--logical-date`` and a
    daily Airflow run agree); other times ``YYYY-MM-DDTHHMMSSZ``. Anything else is sanitised to
    the path-safe alphabet ``[A-Za-z0-9._-]``.
    """
    if explicit:
        candidate = explicit
    elif logical_date is not None:
        candidate = _date_key(logical_date)
    elif fallback:
        candidate = fallback
    else:
        raise UsageError("a run needs an explicit run id, a logical date or a fallback id")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", candidate).strip("-.")[:100]
    if not _RUN_ID_RE.match(cleaned):
        raise UsageError(f"cannot derive a valid run id from {candidate!r}")
    return cleaned


def _date_key(value: datetime | date) -> str:
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo else value
        if (utc.hour, utc.minute, utc.second, utc.microsecond) == (0, 0, 0, 0):
            return utc.strftime("%Y-%m-%d")
        return utc.strftime("%Y-%m-%dT%H%M%SZ")
    return value.strftime("%Y-%m-%d")


def logical_timestamp(logical_date: datetime | date | None, started_at: datetime) -> datetime:
    """Naive-UTC timestamp stamped on rows: the logical date when there is one (so re-runs of a
    partition write identical bytes), else the run's start."""
    if logical_date is None:
        value = started_at
    elif isinstance(logical_date, datetime):
        value = logical_date
    else:
        value = datetime(logical_date.year, logical_date.month, logical_date.day, tzinfo=UTC)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


# ---------------------------------------------------------------------------------------------
# Plan


class PlannedPage(NamedTuple):
    """One page of a batch, as the plan saw it."""

    page_id: str
    path: str
    known_sha: str | None  # content hash another run published for this page, if any
    size_bytes: int | None = None  # local files: size and mtime when planned, recorded with
    mtime_ns: int | None = None  # the hash after the read (etl.page_stats)


@dataclass(frozen=True, slots=True)
class RunPlan:
    """What a run will do; serialised to the run's staging dir so Airflow tasks can share it.

    The plan itself is small whatever the run's size: the pages of each batch are saved in a
    file of their own (``batch_refs`` reads one), so neither the main process nor a task
    holds every page of a 1,000,000-page run while the batches are processed.
    """

    run_id: str
    logical_date: str | None
    ingested_at: str
    started_at: str
    entity_backend: str
    pages_seen: int
    pages_known: int  # pages already published (skipped in the batches if unchanged)
    pages_unchanged: int  # skipped at planning: same size and mtime as when last read
    batch_sizes: list[int]
    warnings: list[str] = field(default_factory=list)

    @property
    def batch_count(self) -> int:
        return len(self.batch_sizes)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> RunPlan:
        return cls(**json.loads(data))


def _batch_path(wh: Warehouse, run_id: str, batch_no: int) -> str:
    return wh.layout.join("_staging", run_id, "batches", f"b{batch_no:05d}.json")


def save_batch_refs(wh: Warehouse, run_id: str, batch_no: int, refs: Sequence[PlannedPage]) -> None:
    path = _batch_path(wh, run_id, batch_no)
    wh.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    wh.fs.pipe_file(path, json.dumps(refs).encode())


def batch_refs(wh: Warehouse, run_id: str, batch_no: int) -> list[PlannedPage]:
    """The pages of one batch of a saved plan."""
    try:
        with wh.fs.open(_batch_path(wh, run_id, batch_no), "rb") as handle:
            return [PlannedPage(*r) for r in json.loads(handle.read())]
    except FileNotFoundError:
        raise UsageError(
            f"no batch {batch_no} in the plan of run {run_id!r}; run the discover step first"
        ) from None


def snapshot_connection(wh: Warehouse, manifest: Manifest) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the catalog's views over ``manifest``'s files."""
    con = duckdb.connect(config=duckdb_config(wh.local_root))
    for stmt in view_statements(manifest):
        con.execute(stmt)
    return con


def published_hashes(wh: Warehouse, manifest: Manifest, run_id: str) -> dict[str, str]:
    """page_id -> content sha256 of pages another run already settled (published, or quarantined
    for a reason that retrying an unchanged file cannot fix). Pages settled by ``run_id`` itself
    are not listed: re-running a partition reprocesses and replaces its own pages."""
    if not manifest.partitions:
        return {}
    con = snapshot_connection(wh, manifest)
    try:
        rows = con.execute(
            """SELECT s.page_id, s.content_sha256 FROM page_states s
               LEFT JOIN _quarantine_all q ON q.page_id = s.page_id AND q.run_id = s.run_id
               WHERE s.run_id <> ? AND s.content_sha256 IS NOT NULL
                 AND (s.status = 'published' OR q.reason_code NOT IN (SELECT unnest(?)))""",
            [run_id, sorted(RETRYABLE_REASONS)],
        ).fetchall()
    finally:
        con.close()
    return {page_id: sha for page_id, sha in rows}


def resolve_entity_backend(settings: Settings) -> tuple[str, str | None]:
    """The backend to use and a warning when the default had to fall back to ``rules``."""
    from etl.entities import resolve_backend_name

    return resolve_backend_name(settings.entity_backend, explicit=settings.entity_backend_explicit)


def plan_run(
    settings: Settings,
    *,
    run_id: str,
    logical_date: datetime | date | None,
    started_at: datetime,
) -> RunPlan:
    """Discover input pages, decide which are new or changed, cut them into batches, and save the
    plan in the run's (freshly cleared) staging dir."""
    wh = Warehouse.at(settings.warehouse)
    refs = discover_pages(settings.input)
    manifest = read_manifest(wh)
    known = published_hashes(wh, manifest, run_id)
    backend, warning = resolve_entity_backend(settings)
    records = {} if settings.rehash else page_stats.load(wh)
    clear_staging(wh, run_id)
    wh.fs.makedirs(wh.layout.staging_dir(run_id), exist_ok=True)
    todo: list[PlannedPage] = []
    unchanged: list[page_stats.Row] = []
    for ref in refs:
        stat = page_stats.local_stat(ref.path)
        sha = known.get(ref.page_id)
        if page_stats.is_unchanged(records.get(ref.page_id), ref.path, stat, sha):
            unchanged.append((ref.page_id, *records[ref.page_id]))
        else:
            todo.append(PlannedPage(ref.page_id, ref.path, sha, *(stat or (None, None))))
    if todo or len(unchanged) != len(records):
        page_stats.stage_part(wh, run_id, "unchanged", unchanged)
    # else: the record stays exactly as it is (no part staged, nothing to commit)
    del records
    batch_sizes = []
    for batch_no, chunk in enumerate(iter_chunks(todo, _batch_size(len(todo), settings))):
        save_batch_refs(wh, run_id, batch_no, chunk)
        batch_sizes.append(len(chunk))
    plan = RunPlan(
        run_id=run_id,
        logical_date=None if logical_date is None else logical_date.isoformat(),
        ingested_at=logical_timestamp(logical_date, started_at).isoformat(),
        started_at=started_at.isoformat(),
        entity_backend=backend,
        pages_seen=len(refs),
        pages_known=sum(1 for r in refs if r.page_id in known),
        pages_unchanged=len(unchanged),
        batch_sizes=batch_sizes,
        warnings=[warning] if warning else [],
    )
    # plan.json last: a plan is only loadable once every batch file it names exists.
    wh.fs.pipe_file(wh.layout.join("_staging", run_id, "plan.json"), plan.to_json())
    log.info(
        "plan %s: %d pages found, %d already published elsewhere, %d unchanged since read "
        "(size and mtime), %d batches, backend %s",
        run_id,
        plan.pages_seen,
        plan.pages_known,
        plan.pages_unchanged,
        plan.batch_count,
        backend,
    )
    return plan


# Below this many pages per batch, a second worker costs more (spawn, imports) than it saves.
_MIN_SPLIT_BATCH = 200


def _batch_size(pages: int, settings: Settings) -> int:
    """``settings.batch_size``, or less when that would leave a worker idle.

    1,000 pages in batches of 2,000 made one batch: one core worked while the other idled (the
    spaCy backend runs ~30 pages/s per core, so that halved a model run's speed). Batches are
    cut so each worker gets one, but never below ``_MIN_SPLIT_BATCH`` pages.
    """
    per_worker = -(-pages // settings.workers)  # ceiling
    return min(settings.batch_size, max(_MIN_SPLIT_BATCH, per_worker))


def load_plan(settings: Settings, run_id: str) -> RunPlan:
    wh = Warehouse.at(settings.warehouse)
    try:
        with wh.fs.open(wh.layout.join("_staging", run_id, "plan.json"), "rb") as handle:
            return RunPlan.from_json(handle.read())
    except FileNotFoundError:
        raise UsageError(f"no plan for run {run_id!r}; run the discover step first") from None


# ---------------------------------------------------------------------------------------------
# Batches

# Pages parsed, annotated and turned into tables at a time inside a batch (see _process_batch).
_SUB_BATCH_PAGES = 1_000


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Small, JSON-safe summary of one processed batch (this is what XCom carries)."""

    batch_no: int
    staged: dict[str, list[str]]
    pages: int
    skipped: int
    published: int
    quarantined: dict[str, int]
    rows: dict[str, int]
    seconds: dict[str, float]
    # The "validate" seconds by part: GX start-up, each table's suite, the cross-table rules.
    validation: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> BatchResult:
        return cls(**body)


@functools.cache
def _entity_backend(name: str) -> Any:
    from etl.entities import make_backend

    return make_backend(name)


@functools.cache
def link_platforms() -> dict[str, str]:
    """domain -> platform from the link_platforms seed."""
    return {
        row["domain"].strip().lower(): row["platform"].strip()
        for row in seed_rows("link_platforms")
    }


def seed_rows(name: str) -> list[dict[str, str]]:
    """The rows of one reference CSV in seeds/reference (its path comes from its contract)."""
    seed = contract(name).seed
    assert seed is not None
    with open(project_root() / seed, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _quarantine_row(
    ref: tuple[str, str, str | None] | PlannedPage,
    sha: str | None,
    reason: str,
    message: str,
    line: int | None,
    ctx: RunContext,
) -> dict[str, Any]:
    return {
        "page_id": ref[0],
        "source_file": display_name(ref[1]),
        "content_sha256": sha,
        "reason_code": reason,
        "message": message,
        "line_number": line,
        "run_id": ctx.run_id,
        "quarantined_at": ctx.ingested_at,
    }


def entity_inputs(page: ParsedPage) -> PageEntityInput:
    """A parsed page's texts in attribution order: title, description, then each comment."""
    texts = [EntityText("title", page.title)]
    if page.description:
        texts.append(EntityText("description", page.description))
    texts += [EntityText("comment", c.text, c.index) for c in page.comments]
    return PageEntityInput(texts=tuple(texts), channel=page.channel)


# Allocations between two collections of the GC's youngest generation while a batch runs.
_BATCH_GC_THRESHOLD = 50_000


def process_batch(settings: Settings, plan: RunPlan, batch_no: int) -> BatchResult:
    """Read, decode, parse, annotate, transform and validate one batch; stage its Parquet files.

    A page that fails any step becomes a quarantine row with a reason; the batch never stops for
    one page. Deterministic: the same input and plan stage the same bytes.

    The batch allocates millions of small objects that live until it ends; with the default GC
    threshold (700) the collector re-scanned them ~800 times per batch, 15% of the entity stage.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(_BATCH_GC_THRESHOLD, *thresholds[1:])
    try:
        return _process_batch(settings, plan, batch_no)
    finally:
        gc.set_threshold(*thresholds)
        _return_freed_memory()


def _return_freed_memory() -> None:
    """Give the memory a finished batch freed back to the OS before the next batch starts.

    Arrow's allocator and glibc's malloc both keep freed memory for reuse; between batches that
    is ~60 MB per worker of resident memory nothing uses, counted against the run's peak.
    """
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _libc() -> Any:
    """glibc, for ``malloc_trim``; None elsewhere (macOS, musl): the trim is then skipped."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def _process_batch(settings: Settings, plan: RunPlan, batch_no: int) -> BatchResult:
    wh = Warehouse.at(settings.warehouse)
    ctx = RunContext(plan.run_id, datetime.fromisoformat(plan.ingested_at), plan.entity_backend)
    timer = _StageTimer()
    quarantined: list[dict[str, Any]] = []
    read: list[page_stats.Row] = []  # for the page stats record: what each file was when read
    refs = batch_refs(wh, plan.run_id, batch_no)
    skipped = 0
    parts: list[dict[str, pa.Table]] = []
    sources: dict[str, PageSource] = {}
    # Pages become tables a sub-batch at a time: as Python objects a parsed page and its
    # mentions take several times the room of its rows in Arrow, so only one sub-batch of them
    # is alive at once, while validation (whose cost is mostly per call, not per row) runs once
    # over the whole batch.
    for chunk in iter_chunks(refs, _SUB_BATCH_PAGES):
        parsed, chunk_skipped = _read_and_parse(settings, ctx, chunk, timer, quarantined, read)
        skipped += chunk_skipped
        if parsed:
            part, part_sources = _pages_to_tables(ctx, parsed, timer, quarantined)
            parts.append(part)
            sources.update(part_sources)
        del parsed

    page_stats.stage_part(wh, plan.run_id, f"b{batch_no:05d}", read)
    if not parts and not quarantined:
        return _unchanged_batch(plan, batch_no, len(refs), skipped, timer)
    with timer("transform"):
        tables = combine_tables(parts) if parts else build_tables([], ctx, link_platforms())
    del parts
    with timer("validate"):
        report = validate.validate_batch(
            tables, platforms=frozenset(link_platforms().values()) | {"web"}
        )
    if report.failing_pages:
        tables = _drop_pages(tables, set(report.failing_pages))
        if report.rejects_batch:  # rows no page owns (an orphan) must not be staged either
            tables = {name: table.slice(0, 0) for name, table in tables.items()}
        for page_id, failed in sorted(report.failing_pages.items()):
            src = sources[page_id]
            quarantined.append(
                _quarantine_row(
                    (page_id, src.source_file, None),
                    src.content_sha256,
                    "validation_failed",
                    "failed expectations: " + ", ".join(failed),
                    None,
                    ctx,
                )
            )
    tables["quarantine"] = quarantine_table(quarantined)
    tables["validation_results"] = validation_table(report.outcomes, ctx.run_id, batch_no)
    with timer("stage"):
        staged = {
            name: [write_staged_table(wh, plan.run_id, f"{name}-b{batch_no:05d}", table)]
            for name, table in tables.items()
            if table.num_rows
        }
    reasons = Counter(str(r["reason_code"]) for r in quarantined)
    result = BatchResult(
        batch_no=batch_no,
        staged=staged,
        pages=len(refs),
        skipped=skipped,
        published=tables["videos"].num_rows,
        quarantined=dict(sorted(reasons.items())),
        rows={name: t.num_rows for name, t in tables.items()},
        seconds=timer.totals(),
        validation=dict(report.parts),
    )
    log.info(
        "batch %d of run %s: %d pages, %d skipped, %d published, %d quarantined, %.2fs",
        batch_no,
        plan.run_id,
        result.pages,
        skipped,
        result.published,
        sum(reasons.values()),
        sum(result.seconds.values()),
    )
    return result


def _read_and_parse(
    settings: Settings,
    ctx: RunContext,
    refs: Sequence[PlannedPage],
    timer: _StageTimer,
    quarantined: list[dict[str, Any]],
    read: list[page_stats.Row],
) -> tuple[list[tuple[PageSource, ParsedPage]], int]:
    """Read, hash and parse pages; unchanged ones are skipped (their count is returned) and
    rejected ones become quarantine rows. Never raises for one page."""
    from etl.extract import decode_page
    from etl.parse import parse_page

    parsed: list[tuple[PageSource, ParsedPage]] = []
    skipped = 0
    for ref in refs:
        page_id, path, known_sha = ref.page_id, ref.path, ref.known_sha
        with timer("read"):
            try:
                raw = read_page_bytes(path, settings.max_page_bytes)
            except OSError as exc:
                quarantined.append(
                    _quarantine_row(
                        ref, None, "unreadable", f"cannot read {path}: {exc}", None, ctx
                    )
                )
                continue
        if ref.size_bytes == raw.size_bytes and ref.mtime_ns is not None:
            read.append((page_id, path, ref.size_bytes, ref.mtime_ns, raw.sha256))
        if known_sha == raw.sha256:
            skipped += 1
            continue
        with timer("parse"):
            try:
                if raw.size_bytes > settings.max_page_bytes:
                    raise PageRejected(
                        "too_large",
                        f"{raw.size_bytes} bytes exceeds the {settings.max_page_bytes}-byte "
                        "page limit (ETL_MAX_PAGE_BYTES)",
                    )
                page = parse_page(decode_page(raw.data, max_bytes=settings.max_page_bytes))
            except PageRejected as rej:
                quarantined.append(
                    _quarantine_row(ref, raw.sha256, rej.reason_code, rej.message, rej.line, ctx)
                )
                continue
            except Exception as exc:  # a parser bug must not stop the batch: quarantine the page
                log.warning("parser error on %s: %r", path, exc)
                quarantined.append(
                    _quarantine_row(
                        ref, raw.sha256, "parse_error", f"parser error: {exc!r}", None, ctx
                    )
                )
                continue
        parsed.append((PageSource(page_id, display_name(path), raw.sha256, raw.size_bytes), page))
    return parsed, skipped


def _pages_to_tables(
    ctx: RunContext,
    parsed: list[tuple[PageSource, ParsedPage]],
    timer: _StageTimer,
    quarantined: list[dict[str, Any]],
) -> tuple[dict[str, pa.Table], dict[str, PageSource]]:
    """Entities and tables (unsorted: ``combine_tables`` sorts the batch once) of parsed pages;
    a page the entity backend fails on is quarantined. Returns the tables and the pages' sources."""
    with timer("entities"):
        mentions, entity_failures = _annotate(ctx.entity_backend, parsed)
    results = []
    for (src, page), page_mentions in zip(parsed, mentions, strict=True):
        if src.page_id in entity_failures:
            quarantined.append(
                _quarantine_row(
                    (src.page_id, src.source_file, None),
                    src.content_sha256,
                    "entity_error",
                    entity_failures[src.page_id],
                    None,
                    ctx,
                )
            )
        else:
            results.append(PageResult(src, page, tuple(page_mentions)))
    with timer("transform"):
        tables = build_tables(results, ctx, link_platforms(), sort=False)
    return tables, {r.source.page_id: r.source for r in results}


def _unchanged_batch(
    plan: RunPlan, batch_no: int, pages: int, skipped: int, timer: _StageTimer
) -> BatchResult:
    """The result of a batch whose pages were all skipped as unchanged (a re-run).

    Nothing is annotated, built, validated or staged: with no rows there is nothing to check,
    and doing it anyway (backend load, GX suites on empty frames) was most of a re-run's time.
    """
    log.info("batch %d of run %s: all %d pages unchanged", batch_no, plan.run_id, skipped)
    return BatchResult(
        batch_no=batch_no,
        staged={},
        pages=pages,
        skipped=skipped,
        published=0,
        quarantined={},
        rows={name: 0 for name in (*DATA_TABLES, "quarantine", "validation_results")},
        seconds=timer.totals(),
    )


def _annotate(
    backend_name: str, pages: Sequence[tuple[PageSource, ParsedPage]]
) -> tuple[list[list[Any]], dict[str, str]]:
    """Mentions per page; if the batch call fails, retry page by page to isolate the culprit.

    Returns the mentions (one list per page) and page_id -> message for pages that still fail.
    """
    if not pages:  # a batch of unchanged pages: loading a backend (seconds for spaCy) buys nothing
        return [], {}
    backend = _entity_backend(backend_name)
    inputs = [entity_inputs(p) for _, p in pages]
    try:
        return backend.annotate(inputs), {}
    except Exception:
        log.warning("entity backend failed on a batch; retrying page by page")
    mentions: list[list[Any]] = []
    failures: dict[str, str] = {}
    for (src, _), one in zip(pages, inputs, strict=True):
        try:
            mentions.append(backend.annotate([one])[0])
        except Exception as exc:
            mentions.append([])
            failures[src.page_id] = f"entity backend error: {exc!r}"
    return mentions, failures


def _drop_pages(tables: dict[str, pa.Table], page_ids: set[str]) -> dict[str, pa.Table]:
    """Remove every row of the given pages from all data tables (pages go to quarantine whole)."""
    import pyarrow.compute as pc

    videos = tables["videos"]
    bad_videos = videos.filter(pc.is_in(videos["page_id"], pa.array(sorted(page_ids))))["video_id"]
    out = {}
    for name, table in tables.items():
        mask = pc.invert(pc.is_in(table["video_id"], bad_videos))
        out[name] = table.filter(mask)
    return out


def validation_table(
    outcomes: Iterable[validate.ExpectationOutcome], run_id: str, batch_no: int | None
) -> pa.Table:
    rows = [{**asdict(o), "run_id": run_id, "batch_no": batch_no} for o in outcomes]
    schema = contract("validation_results").arrow_schema
    return conform("validation_results", pa.Table.from_pylist(rows, schema=schema))


# ---------------------------------------------------------------------------------------------
# Finalize


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did, for the CLI summary and the task logs."""

    run_id: str
    status: str
    pages_seen: int
    pages_skipped: int
    pages_published: int
    quarantined: dict[str, int]
    rows: dict[str, int]
    seconds: dict[str, float]
    warnings: list[str]
    catalog: str
    generation: int
    data_docs: str | None = None  # Great Expectations Data Docs index of the run
    # seconds["validate"] by part, summed over batches: GX start-up (once per worker process),
    # each table's suite, the cross-table rules, then the run-level audit and its Data Docs.
    validation: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def seed_tables() -> dict[str, pa.Table]:
    """The reference CSVs of seeds/reference as contract-conformed tables."""
    out = {}
    for c in seed_contracts():
        table = pa.Table.from_pylist(seed_rows(c.name), schema=c.arrow_schema)
        out[c.name] = conform(c.name, table.sort_by([(k, "ascending") for k in c.primary_key]))
    return out


@dataclass(frozen=True, slots=True)
class RunAudit:
    """The run-level audit of a staged run, JSON-safe so an orchestrator can pass it on.

    ``failed`` names the ``error``-severity expectations that failed (empty: the run may publish);
    ``staged`` is the staged validation_results file of the audit's outcomes, if any.
    """

    failed: list[str]
    staged: list[str]
    seconds: float
    data_docs: str | None = None
    validation: dict[str, float] = field(default_factory=dict)  # run_audit and data_docs seconds

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> RunAudit:
        return cls(**body)


def _staged_files(results: Sequence[BatchResult]) -> dict[str, list[str]]:
    staged: dict[str, list[str]] = {}
    for result in sorted(results, key=lambda r: r.batch_no):
        for table, rels in result.staged.items():
            files = staged.setdefault(table, [])
            # A result reported twice (a retried task's XCom, say) names the same files: one
            # file is published once (it is content-addressed: same name, same rows).
            files.extend(rel for rel in rels if rel not in files)
    return staged


def audit_staged_run(settings: Settings, plan: RunPlan, results: Sequence[BatchResult]) -> RunAudit:
    """Run the run-level expectations over every staged file; stage their outcomes."""
    wh = Warehouse.at(settings.warehouse)
    batch_files = _staged_files(results)
    if not any(batch_files.values()):
        # Nothing new was staged (every page unchanged): there is nothing to audit or document,
        # and GX's start-up would dominate an incremental re-run.
        return RunAudit(failed=[], staged=[], seconds=0.0, data_docs=None)
    audit = validate.audit_run(wh, batch_files, run_id=plan.run_id)
    docs = validate.write_data_docs(
        wh,
        plan.run_id,
        batch_files,
        audit,
        platforms=frozenset(link_platforms().values()) | {"web"},
    )
    failed = {o.expectation for o in audit.outcomes if not o.success and o.severity == "error"}
    audit_table = validation_table(audit.outcomes, plan.run_id, None)
    staged = []
    if audit_table.num_rows:
        staged.append(write_staged_table(wh, plan.run_id, "validation_results-run", audit_table))
    return RunAudit(
        failed=sorted(failed),
        staged=staged,
        seconds=round(audit.seconds + docs.seconds, 4),
        data_docs=docs.index,
        validation={"run_audit": audit.seconds, "data_docs": docs.seconds},
    )


def finalize_run(
    settings: Settings,
    plan: RunPlan,
    results: Sequence[BatchResult],
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    lock_wait_seconds: float = 0,
    hold_lock: bool = True,
) -> RunSummary:
    """Audit the staged run, then publish it atomically and rebuild the catalog.

    Run-level expectations that fail with ``error`` severity block publishing: the run's pages
    are quarantined with ``validation_failed`` instead and the previous warehouse stays as it was.
    (The Airflow DAG calls the two halves as separate tasks and stops after a failed audit.)
    """
    audit = audit_staged_run(settings, plan, results)
    return publish_audited_run(
        settings, plan, results, audit,
        now=now, lock_wait_seconds=lock_wait_seconds, hold_lock=hold_lock,
    )  # fmt: skip


def publish_audited_run(
    settings: Settings,
    plan: RunPlan,
    results: Sequence[BatchResult],
    audit: RunAudit,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    lock_wait_seconds: float = 0,
    hold_lock: bool = True,
) -> RunSummary:
    """Publish an audited run atomically with its catalog (a failed audit publishes quarantine)."""
    wh = Warehouse.at(settings.warehouse)
    t0 = time.perf_counter()
    staged = _staged_files(results)
    status = "validation_failed" if audit.failed else "published"
    validation_seconds = sum(r.seconds.get("validate", 0.0) for r in results) + audit.seconds

    finished = now()
    quarantined = Counter[str]()
    rows = Counter[str]()
    for r in results:
        quarantined.update(r.quarantined)
        rows.update(r.rows)
    pages_published = sum(r.published for r in results)
    pages_skipped = plan.pages_unchanged + sum(r.skipped for r in results)
    if status == "validation_failed":
        staged = _quarantine_whole_run(wh, plan, staged, audit.failed)
        quarantined = Counter({"validation_failed": pages_published, **quarantined})
        pages_published = 0
        rows = Counter({k: 0 for k in DATA_TABLES})
    elif pages_published == 0 and not quarantined and pages_skipped == plan.pages_seen:
        status = "nothing_to_do"

    runs_row = {
        "run_id": plan.run_id,
        "logical_date": None
        if plan.logical_date is None
        else logical_timestamp(datetime.fromisoformat(plan.logical_date), finished),
        "started_at": _naive(datetime.fromisoformat(plan.started_at)),
        "finished_at": _naive(finished),
        "status": status,
        "entity_backend": plan.entity_backend,
        "orchestrator": settings.orchestrator,
        "pages_seen": plan.pages_seen,
        "pages_skipped": pages_skipped,
        "pages_published": pages_published,
        "pages_quarantined": sum(quarantined.values()),
        **{f"{t}_rows": rows.get(t, 0) for t in DATA_TABLES},
        "validation_seconds": round(validation_seconds, 3),
        "total_seconds": round(
            time.perf_counter() - t0 + sum(sum(r.seconds.values()) for r in results), 3
        ),
        "attempt": _previous_attempts(wh, plan.run_id) + 1,
    }
    if audit.staged:
        staged.setdefault("validation_results", []).extend(audit.staged)
    runs_table = conform(
        "runs", pa.Table.from_pylist([runs_row], schema=contract("runs").arrow_schema)
    )
    staged["runs"] = [write_staged_table(wh, plan.run_id, "runs", runs_table)]

    def _publish() -> Manifest:
        grace = timedelta(seconds=settings.gc_grace_seconds)
        prepared: list[Path] = []
        try:
            manifest = publish_run(
                wh,
                plan.run_id,
                staged,
                seed_tables(),
                now=finished,
                grace=grace,
                # The new catalog is written before the commit point: if the disk is full, the
                # run fails with the previous manifest and catalog untouched; a rename follows.
                before_commit=lambda m: prepared.append(prepare_catalog(wh, m)),
            )
        except BaseException:
            for path in prepared:
                discard_catalog(path)
            raise
        install_catalog(wh, prepared[0])
        _commit_page_stats(wh, plan.run_id)
        _tidy_up(wh, manifest, plan.run_id, now=finished, grace=grace)
        return manifest

    if hold_lock:
        with publish_lock(wh, wait_seconds=lock_wait_seconds):
            manifest = _publish()
    else:
        manifest = _publish()
    stage_seconds = _stage_seconds(results, time.perf_counter() - t0)
    # Validation = the batches' suites plus the run-level audit and its Data Docs.
    stage_seconds["validate"] = round(stage_seconds.get("validate", 0.0) + audit.seconds, 3)
    summary = RunSummary(
        run_id=plan.run_id,
        status=status,
        pages_seen=plan.pages_seen,
        pages_skipped=pages_skipped,
        pages_published=pages_published,
        quarantined=dict(sorted(quarantined.items())),
        rows={t: rows.get(t, 0) for t in DATA_TABLES},
        seconds=stage_seconds,
        warnings=list(plan.warnings),
        catalog=wh.layout.catalog_path,
        generation=manifest.generation,
        data_docs=audit.data_docs,
        validation=_validation_parts(results, audit),
    )
    for table in DATA_TABLES:
        log.info("run %s table %s: %d rows", plan.run_id, table, summary.rows[table])
    return summary


def _commit_page_stats(wh: Warehouse, run_id: str) -> None:
    """Keep the run's page stats record; failing to is not a failed run (the next one hashes)."""
    try:
        page_stats.commit(wh, run_id)
    except (OSError, pa.ArrowException) as exc:
        log.warning(
            "could not update the page stats record (%s): the next run hashes every file", exc
        )


def _tidy_up(
    wh: Warehouse, manifest: Manifest, run_id: str, *, now: datetime, grace: timedelta
) -> None:
    """Collect garbage and clear the run's staging after a commit; failures here only leak files
    (the next run retries), so they are logged, not raised: the run itself has succeeded."""
    try:
        collect_garbage(wh, manifest, now=now, grace=grace)
        clear_staging(wh, run_id)
    except OSError as exc:
        log.warning(
            "run %s is published, but tidying up failed (retried next run): %s", run_id, exc
        )


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _previous_attempts(wh: Warehouse, run_id: str) -> int:
    manifest = read_manifest(wh)
    files = manifest.partitions.get(run_id, {}).get("runs", [])
    if not files:
        return 0
    con = duckdb.connect(config=duckdb_config(wh.local_root))
    try:
        row = con.execute(
            "SELECT max(attempt) FROM read_parquet(?, hive_partitioning = false)", [files]
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row and row[0] is not None else 0


def _quarantine_whole_run(
    wh: Warehouse, plan: RunPlan, staged: dict[str, list[str]], failed: Sequence[str]
) -> dict[str, list[str]]:
    """Replace the run's data files by quarantine rows for every page it would have published."""
    con = duckdb.connect(config=duckdb_config(wh.local_root))
    try:
        videos = staged.get("videos", [])
        rows = (
            con.execute(
                "SELECT page_id, source_file, content_sha256, ingested_at "
                "FROM read_parquet(?, hive_partitioning = false)",
                [videos],
            ).fetchall()
            if videos
            else []
        )
    finally:
        con.close()
    quarantine_rows = [
        {
            "page_id": page_id,
            "source_file": source_file,
            "content_sha256": sha,
            "reason_code": "validation_failed",
            "message": "run-level expectations failed: " + ", ".join(failed),
            "line_number": None,
            "run_id": plan.run_id,
            "quarantined_at": ingested_at,
        }
        for page_id, source_file, sha, ingested_at in rows
    ]
    kept = {k: v for k, v in staged.items() if k not in DATA_TABLES}
    if quarantine_rows:
        kept.setdefault("quarantine", []).append(
            write_staged_table(
                wh, plan.run_id, "quarantine-validation", quarantine_table(quarantine_rows)
            )
        )
    return kept


def _validation_parts(results: Sequence[BatchResult], audit: RunAudit) -> dict[str, float]:
    """Validation seconds by part: the batches' parts summed, then the run audit's."""
    return _summed([*(r.validation for r in results), audit.validation])


def _stage_seconds(results: Sequence[BatchResult], finalize_seconds: float) -> dict[str, float]:
    return _summed([*(r.seconds for r in results), {"publish": finalize_seconds}])


def _summed(seconds: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Seconds per key summed over ``seconds``, in first-seen key order, rounded to ms."""
    totals: dict[str, float] = {}
    for part in seconds:
        for key, value in part.items():
            totals[key] = totals.get(key, 0.0) + value
    return {key: round(value, 3) for key, value in totals.items()}


class _StageTimer:
    """Accumulates wall seconds per named stage."""

    def __init__(self) -> None:
        self._totals: dict[str, float] = {}

    def __call__(self, stage: str) -> _StageTimer:
        self._stage = stage
        return self

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self._start
        self._totals[self._stage] = self._totals.get(self._stage, 0.0) + elapsed

    def totals(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self._totals.items()}


# ---------------------------------------------------------------------------------------------
# The whole run


def run(
    settings: Settings,
    *,
    run_id: str,
    logical_date: datetime | date | None,
    started_at: datetime | None = None,
    lock_wait_seconds: float = 0,
    on_batch: Callable[[BatchResult], None] | None = None,
) -> RunSummary:
    """Run the whole pipeline for one partition: plan, process every batch, finalize.

    Holds the warehouse's publish lock from start to end, so two runs never interleave.
    Batches run in a pool of ``settings.workers`` processes when there is more than one batch.
    """
    started_at = started_at or datetime.now(UTC)
    wh = Warehouse.at(settings.warehouse)
    with publish_lock(wh, wait_seconds=lock_wait_seconds):
        fault_hook("run_locked")
        try:
            clean_leftovers(wh, now=started_at, grace=timedelta(seconds=settings.gc_grace_seconds))
            if read_manifest(wh).generation:
                # repair a catalog left behind by a crash between manifest and catalog
                ensure_catalog(wh)
            plan = plan_run(
                settings, run_id=run_id, logical_date=logical_date, started_at=started_at
            )
            fault_hook("after_plan")
            _return_freed_memory()  # the listing of every input file is garbage now
            results = list(_run_batches(settings, plan, on_batch))
            return finalize_run(settings, plan, results, hold_lock=False)
        except OSError as exc:
            # Input errors are per page (quarantined); an OSError here is a warehouse write
            # (disk full, permission denied, read-only), and nothing was committed.
            raise PublishError(f"run {run_id} could not write to {wh.url}: {exc}") from exc
        finally:
            # A failed run leaves no staged files (a published one has cleared them already).
            with contextlib.suppress(OSError):
                clear_staging(wh, run_id)


def _run_batches(
    settings: Settings, plan: RunPlan, on_batch: Callable[[BatchResult], None] | None
) -> Iterable[BatchResult]:
    if plan.batch_count <= 1 or settings.workers == 1:
        for n in range(plan.batch_count):
            result = process_batch(settings, plan, n)
            if on_batch:
                on_batch(result)
            yield result
        return
    with ProcessPoolExecutor(max_workers=settings.workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(process_batch, settings, plan, n) for n in range(plan.batch_count)]
        for future in futures:
            result = future.result()
            if on_batch:
                on_batch(result)
            yield result
