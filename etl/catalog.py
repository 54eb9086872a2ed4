"""The DuckDB catalog: a database file of views over the published Parquet files, plus the
summaries dashboards read, stored as tables at each publish (see ``prepare_catalog``).

Built aside from the manifest and swapped in with one rename, so a BI tool connected to the old
file keeps a consistent snapshot and the next connection sees the new one. View paths are relative
to the warehouse root; every connection sets ``file_search_path`` to the root, which is what makes
the catalog work from any working directory and after the warehouse folder is moved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from etl.config import duckdb_config
from etl.contracts import (
    DATA_TABLES,
    comment_statements,
    load_contracts,
    load_view_contracts,
    parquet_select_sql,
    quote_sql_string,
    view_comment_statements,
)
from etl.errors import PublishError, UsageError
from etl.publish import Manifest, Warehouse, fault_hook, read_manifest

log = logging.getLogger(__name__)

CATALOG_STORAGE_VERSION = "v1.0.0"
# Quarantine reasons whose cause may pass (a later run retries the unchanged file).
RETRYABLE_REASONS = frozenset({"validation_failed", "unreadable", "entity_error"})

# Tables written per run whose raw union is exposed under the same name (history, not state).
_HISTORY_TABLES = ("runs", "validation_results")


def view_statements(manifest: Manifest) -> list[str]:
    """Every CREATE VIEW of the catalog for ``manifest``, in dependency order.

    The logical definitions, needing nothing but the files: what in-memory snapshots (the
    pipeline, ``etl check``, the audit) run. The catalog file itself is built by
    ``prepare_catalog`` with the same results from faster definitions (``catalog_statements``).
    """
    tables = _file_tables()
    stmts = _all_view_statements(manifest)
    # Current state: each page's latest event (published or quarantined) wins.
    stmts.append(
        # A quarantine for a passing cause (validation_failed, unreadable, ...) must not hide a
        # version published earlier: the previous good data stays visible until replaced.
        f"""CREATE VIEW page_states AS
        SELECT page_id, source_file, content_sha256, run_id, event_at, status FROM (
            SELECT page_id, source_file, content_sha256, run_id, ingested_at AS event_at,
                   'published' AS status, false AS is_retryable FROM _videos_all
            UNION ALL
            SELECT page_id, source_file, content_sha256, run_id, quarantined_at AS event_at,
                   'quarantined' AS status,
                   reason_code IN ({_retryable_list()}) AS is_retryable FROM _quarantine_all
        )
        QUALIFY row_number() OVER (
            PARTITION BY page_id ORDER BY {_EVENT_ORDER}) = 1"""
    )
    stmts.append(
        """CREATE VIEW videos AS SELECT v.* FROM _videos_all v
        SEMI JOIN page_states s
            ON v.page_id = s.page_id AND v.run_id = s.run_id AND s.status = 'published'"""
    )
    for child in DATA_TABLES[1:]:
        stmts.append(
            f"""CREATE VIEW {child} AS SELECT x.* FROM _{child}_all x
            SEMI JOIN videos v ON x.video_id = v.video_id AND x.run_id = v.run_id"""
        )
    stmts.append(
        """CREATE VIEW quarantine AS SELECT q.* FROM _quarantine_all q
        SEMI JOIN page_states s
            ON q.page_id = s.page_id AND q.run_id = s.run_id AND s.status = 'quarantined'"""
    )
    stmts += _history_and_seed_statements(manifest, tables)
    stmts += analyst_view_statements()
    return stmts


# Order of a page's events, current first (page_states and _superseded_versions share it).
_EVENT_ORDER = "is_retryable, event_at DESC, run_id DESC"


def _file_tables() -> list[str]:
    return [t for t in (*DATA_TABLES, "quarantine", *_HISTORY_TABLES) if t in load_contracts()]


def _all_view_statements(manifest: Manifest) -> list[str]:
    """``_<table>_all``: every row of every live file of each table (all versions)."""
    return [
        f"CREATE VIEW _{t}_all AS {parquet_select_sql(t, manifest.files(t))}"
        for t in _file_tables()
    ]


def _history_and_seed_statements(manifest: Manifest, tables: Sequence[str]) -> list[str]:
    stmts = ["CREATE VIEW quarantine_history AS SELECT * FROM _quarantine_all"]
    stmts += [f"CREATE VIEW {t} AS SELECT * FROM _{t}_all" for t in tables if t in _HISTORY_TABLES]
    for name, rel in sorted(manifest.seeds.items()):
        stmts.append(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet({quote_sql_string(rel)}, "
            "hive_partitioning = false)"
        )
    return stmts


# ---------------------------------------------------------------------------------------------
# The catalog file: the same relations as view_statements, answered faster.
#
# page_states is a window over every event of every page; filtering 50 M entity rows through it
# (and through a semi join) at every query is what made the sample queries take seconds at
# 1,000,000 pages. The catalog instead stores, once per publish, the few events that are NOT
# current (_superseded_versions: every version a later event replaced); a run none of whose rows
# is superseded is read as plain files, and only the runs with superseded rows pay an anti join
# against that small table. The summaries dashboards read are stored as tables, computed from
# those views at build time, and reused as they are while the files they derive from are the
# same (files are immutable and content-addressed: the same list is the same data).

# Bump when the catalog's stored tables or the definitions they are computed from change: a
# catalog of another format is never reused, it is rebuilt whole.
CATALOG_FORMAT = 2

# Analyst views (etl/sql/views) stored as tables in the catalog file.
MATERIALIZED_VIEWS = (
    "entity_summary",
    "channel_summary",
    "video_overview",
    "link_platform_summary",
)

SUPERSEDED_TABLE = "_superseded_versions"
_DERIVED_META = "_catalog_derived"
_VIEW_RE = re.compile(r"^\s*CREATE\s+VIEW\s+([a-z_][a-z0-9_]*)\s+AS\s+(.*)$", re.S | re.I)


@dataclass(frozen=True, slots=True)
class Derived:
    """A table the catalog stores: its SELECT and the tables whose files it is computed from."""

    name: str
    select_sql: str
    sources: tuple[str, ...]

    def inputs_digest(self, manifest: Manifest) -> str:
        """SHA-256 of everything the table's rows depend on: its SQL, the SELECT (columns and
        file list) of every source table, how the current versions are chosen, and the
        catalog format."""
        body = {
            "format": CATALOG_FORMAT,
            "sql": self.select_sql,
            "current_state": superseded_sql(),
            "sources": {
                t: (
                    manifest.seeds.get(t)
                    if t in manifest.seeds
                    else parquet_select_sql(t, manifest.files(t))
                )
                for t in self.sources
            },
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def superseded_sql() -> str:
    """Every published or quarantined event that is not its page's current state.

    Only pages with more than one event can have one, so the window runs over those alone.
    """
    return f"""WITH events AS (
        SELECT page_id, video_id, run_id, ingested_at AS event_at, 'published' AS status,
               false AS is_retryable FROM _videos_all
        UNION ALL
        SELECT page_id, NULL AS video_id, run_id, quarantined_at AS event_at,
               'quarantined' AS status,
               reason_code IN ({_retryable_list()}) AS is_retryable FROM _quarantine_all
    ),
    repeated AS (SELECT page_id FROM events GROUP BY page_id HAVING count(*) > 1)
    SELECT page_id, video_id, run_id, status FROM events SEMI JOIN repeated USING (page_id)
    QUALIFY row_number() OVER (PARTITION BY page_id ORDER BY {_EVENT_ORDER}) > 1"""


def derived_tables(manifest: Manifest) -> list[Derived]:
    """The tables the catalog stores, in build order: _superseded_versions, then the summaries.

    A summary's sources are the tables and seeds its SQL names (a word match: naming one more
    than needed only rebuilds it more often) plus videos and quarantine, which decide the
    current version of every page.
    """
    state = ("quarantine", "videos")
    out = [Derived(SUPERSEDED_TABLE, superseded_sql(), state)]
    candidates = {*_file_tables(), *manifest.seeds}
    for stmt in analyst_view_statements():
        name, select = _split_view(stmt)
        if name not in MATERIALIZED_VIEWS:
            continue
        named = {t for t in candidates if re.search(rf"\b{t}\b", select)}
        out.append(Derived(name, select, tuple(sorted(named | set(state)))))
    return out


def _split_view(stmt: str) -> tuple[str, str]:
    """(name, SELECT) of a ``CREATE VIEW name AS SELECT ...`` statement (leading comments too)."""
    body = "\n".join(line for line in stmt.splitlines() if not line.lstrip().startswith("--"))
    match = _VIEW_RE.match(body)
    if match is None:
        raise PublishError(f"not a CREATE VIEW statement: {stmt[:80]!r}")
    return match.group(1).lower(), match.group(2)


def superseded_runs(con: duckdb.DuckDBPyConnection) -> dict[str, frozenset[str]]:
    """status -> run ids with at least one superseded event of that status."""
    rows = con.execute(
        f"SELECT status, list(DISTINCT run_id) FROM {SUPERSEDED_TABLE} GROUP BY status"
    ).fetchall()
    return {str(status): frozenset(runs) for status, runs in rows}


def catalog_statements(manifest: Manifest, superseded: dict[str, frozenset[str]]) -> list[str]:
    """The public views of the catalog file, given ``_superseded_versions`` (and which runs have
    superseded events, by status). The same rows as view_statements' definitions."""
    published = superseded.get("published", frozenset())
    stmts = [
        f"CREATE VIEW videos AS {_current_rows_sql(manifest, 'videos', 'video_id', published)}"
    ]
    for child in DATA_TABLES[1:]:
        current = _current_rows_sql(manifest, child, "video_id", published)
        stmts.append(f"CREATE VIEW {child} AS {current}")
    quarantined = superseded.get("quarantined", frozenset())
    stmts.append(
        "CREATE VIEW quarantine AS "
        + _current_rows_sql(manifest, "quarantine", "page_id", quarantined, "quarantined")
    )
    # Each page's current event is its row in videos or in quarantine, never both.
    stmts.append(
        """CREATE VIEW page_states AS
        SELECT page_id, source_file, content_sha256, run_id, ingested_at AS event_at,
               'published' AS status FROM videos
        UNION ALL
        SELECT page_id, source_file, content_sha256, run_id, quarantined_at AS event_at,
               'quarantined' AS status FROM quarantine"""
    )
    stmts += _history_and_seed_statements(manifest, _file_tables())
    return stmts


def _current_rows_sql(
    manifest: Manifest,
    table: str,
    key: str,
    dirty_runs: frozenset[str],
    status: str = "published",
) -> str:
    """``table``'s current rows: files of runs without superseded events as they are, the
    other runs' files without the superseded (key, run_id) pairs."""
    clean: list[str] = []
    dirty: list[str] = []
    for run in sorted(manifest.partitions):
        (dirty if run in dirty_runs else clean).extend(manifest.partitions[run].get(table, []))
    parts = [parquet_select_sql(table, clean)] if clean else []
    if dirty:
        parts.append(
            f"SELECT x.* FROM ({parquet_select_sql(table, dirty)}) x ANTI JOIN ("
            f"SELECT {key}, run_id FROM {SUPERSEDED_TABLE} WHERE status = "
            f"{quote_sql_string(status)}) s ON x.{key} = s.{key} AND x.run_id = s.run_id"
        )
    return " UNION ALL ".join(parts) if parts else parquet_select_sql(table, [])


def _retryable_list() -> str:
    return ", ".join(quote_sql_string(r) for r in sorted(RETRYABLE_REASONS))


def analyst_view_statements() -> list[str]:
    """The analyst-ready views in etl/sql/views/*.sql, in file-name order."""
    folder = resources.files("etl") / "sql" / "views"
    return [
        f.read_text(encoding="utf-8").strip().rstrip(";")
        for f in sorted(folder.iterdir(), key=lambda p: p.name)
        if f.name.endswith(".sql")
    ]


def _comment_statements(con: duckdb.DuckDBPyConnection) -> list[str]:
    """COMMENT ON every view, stored table and column of the catalog, from schemas/ and
    schemas/views/ (a stored summary carries its view contract's comments).

    BI tools show these as descriptions. A view without a contract is logged, not fatal (the
    catalog test fails on it), so one undocumented view cannot block a publish.
    """
    rows = con.execute(
        """SELECT c.table_name, c.column_name, v.view_name IS NULL AS is_table
           FROM duckdb_columns() c
           LEFT JOIN duckdb_views() v
               ON v.view_name = c.table_name AND v.database_name = c.database_name
           WHERE NOT c.internal AND c.database_name = current_database()
             AND (v.view_name IS NULL OR NOT v.internal)"""
    ).fetchall()
    columns: dict[str, set[str]] = {}
    stored: set[str] = set()
    for relation, column, is_table in rows:
        columns.setdefault(relation, set()).add(column)
        if is_table:
            stored.add(relation)
    tables, views = load_contracts(), load_view_contracts()
    stmts: list[str] = []
    for name in sorted(columns):
        if name == SUPERSEDED_TABLE:
            stmts += _superseded_comments()
        elif name in stored and name in views:
            first, *rest = view_comment_statements(views[name], columns[name])
            stmts += [first.replace("COMMENT ON VIEW ", "COMMENT ON TABLE ", 1), *rest]
        elif name in stored:
            continue  # bookkeeping tables (_catalog_*) are commented where they are created
        elif name in tables:
            stmts += comment_statements(name)
        elif name in views:
            stmts += view_comment_statements(views[name], columns[name])
        elif name.startswith("_") and name.endswith("_all") and name[1:-4] in tables:
            stmts += _internal_view_comments(name[1:-4], name)
        else:
            log.warning("catalog view %s has no contract in schemas/views/; left uncommented", name)
    return stmts


def _superseded_comments() -> list[str]:
    texts = {
        "": "Internal: every published or quarantined version of a page that a later event "
        "replaced (the pages' other events are their current state, see page_states); the "
        "current-state views leave these rows out. Grain: one row per replaced event.",
        "page_id": "Page whose version was replaced.",
        "video_id": "video_id of a replaced published version; NULL for a quarantine event.",
        "run_id": "Run that published or quarantined the replaced version.",
        "status": "published or quarantined: which table holds the replaced version.",
    }
    rel = SUPERSEDED_TABLE
    return [
        f"COMMENT ON {'TABLE ' + rel if not c else 'COLUMN ' + rel + '.' + c} "
        f"IS {quote_sql_string(t)}"
        for c, t in texts.items()
    ]


def _internal_view_comments(table: str, relation: str) -> list[str]:
    """Comments for ``_<table>_all``: every published version, the public view's building block."""
    text = (
        f"Internal: every row of every published version of {table} (all runs). "
        f"Query {table} instead, which keeps the current version of each page."
    )
    stmts = comment_statements(table, relation)
    return [f"COMMENT ON VIEW {relation} IS {quote_sql_string(text)}", *stmts[1:]]


def build_catalog(wh: Warehouse, manifest: Manifest | None = None) -> Path:
    """(Re)build ``warehouse.duckdb`` for ``manifest`` aside and swap it in; returns its path."""
    manifest = read_manifest(wh) if manifest is None else manifest
    return install_catalog(wh, prepare_catalog(wh, manifest))


@dataclass(frozen=True, slots=True)
class DerivedRecord:
    """One row of ``_catalog_derived``: a stored table, what it was computed from, and when."""

    name: str
    inputs_sha256: str
    generation: int
    row_count: int
    build_seconds: float


def prepare_catalog(wh: Warehouse, manifest: Manifest) -> Path:
    """Build the catalog for ``manifest`` in a temp file beside ``warehouse.duckdb``; returns it.

    Stored tables whose inputs are unchanged are taken from the current catalog instead of being
    computed again: when all of them are (a run that published no page), the current file is
    copied and only its views and bookkeeping are rewritten; otherwise a new file is written and
    the unchanged tables are copied into it.

    Nothing a reader sees changes here, so a failure (disk full, read-only folder) leaves the
    warehouse as it was; it is raised as PublishError and the temp file is removed.
    """
    root = wh.local_root
    final = Path(wh.layout.catalog_path)
    tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    derived = derived_tables(manifest)
    wanted = {d.name: d.inputs_digest(manifest) for d in derived}
    previous = {r.name: r for r in stored_derived(final) if wanted.get(r.name) == r.inputs_sha256}
    clone = bool(wanted) and set(previous) == set(wanted)
    try:
        tmp.unlink(missing_ok=True)
        if clone:
            shutil.copyfile(final, tmp)
        # An older storage format on purpose: BI drivers and the standalone DuckDB CLI often lag
        # the Python package by a release or two. A copied catalog keeps the format it was
        # written with (this same one: only catalogs of CATALOG_FORMAT are reused).
        con = duckdb.connect(
            str(tmp),
            config={
                **duckdb_config(root),
                "preserve_insertion_order": False,
                "storage_compatibility_version": CATALOG_STORAGE_VERSION,
            },
        )
    except (OSError, duckdb.Error) as exc:
        discard_catalog(tmp)
        raise PublishError(f"cannot write the catalog {tmp}: {exc}") from exc
    try:
        if clone:
            _clear_copied_catalog(con, keep=set(previous))
        elif previous:
            _copy_stored_tables(con, final, sorted(previous))
        records = _write_catalog(con, manifest, derived, wanted, previous)
        for stmt in _comment_statements(con):
            con.execute(stmt)
        record_catalog_files(con, manifest)
        _record_derived(con, records)
        con.execute(
            "CREATE TABLE _catalog_meta AS SELECT ? AS generation, ? AS published_at",
            [manifest.generation, manifest.published_at],
        )
        con.execute("CHECKPOINT")
        con.close()
        fault_hook("catalog_tmp_written")
    except (OSError, duckdb.Error) as exc:
        con.close()
        discard_catalog(tmp)
        raise PublishError(f"cannot write the catalog {tmp}: {exc}") from exc
    except BaseException:
        con.close()
        discard_catalog(tmp)
        raise
    built = [r for r in records if r.name not in previous]
    log.info(
        "catalog generation %d: %s; computed %s",
        manifest.generation,
        "copied the current catalog" if clone else f"reused {sorted(previous) or 'nothing'}",
        ", ".join(f"{r.name} {r.build_seconds:.2f}s" for r in built) or "nothing",
    )
    return tmp


def _write_catalog(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    derived: Sequence[Derived],
    wanted: dict[str, str],
    kept: dict[str, DerivedRecord],
) -> list[DerivedRecord]:
    """Create every view, and every stored table not in ``kept``; returns all stored tables."""
    records: list[DerivedRecord] = []

    def store(d: Derived) -> None:
        if d.name in kept:
            records.append(kept[d.name])
            return
        start = time.perf_counter()
        con.execute(f"CREATE TABLE {d.name} AS {d.select_sql}")
        seconds = time.perf_counter() - start
        row = con.execute(f"SELECT count(*) FROM {d.name}").fetchone()
        count = 0 if row is None else int(row[0])
        records.append(
            DerivedRecord(d.name, wanted[d.name], manifest.generation, count, round(seconds, 3))
        )

    by_name = {d.name: d for d in derived}
    for stmt in _all_view_statements(manifest):
        con.execute(stmt)
    store(by_name[SUPERSEDED_TABLE])
    for stmt in catalog_statements(manifest, superseded_runs(con)):
        con.execute(stmt)
    for stmt in analyst_view_statements():
        name, _ = _split_view(stmt)
        if name in by_name:
            store(by_name[name])
        else:
            con.execute(stmt)
    return records


def stored_derived(catalog: Path) -> list[DerivedRecord]:
    """The stored tables recorded in the catalog file ``catalog``; [] when it has none or
    cannot be read (a missing, older or damaged catalog is simply not reused)."""
    if not catalog.exists():
        return []
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH {quote_sql_string(str(catalog))} AS previous (READ_ONLY)")
        rows = con.execute(
            "SELECT name, inputs_sha256, generation, row_count, build_seconds "
            f"FROM previous.{_DERIVED_META}"
        ).fetchall()
    except duckdb.Error:
        return []
    finally:
        con.close()
    return [DerivedRecord(str(n), str(d), int(g), int(c), float(s)) for n, d, g, c, s in rows]


def _clear_copied_catalog(con: duckdb.DuckDBPyConnection, keep: set[str]) -> None:
    """Drop every view and every table but ``keep`` from a copied catalog."""
    for kind, relation in con.execute(
        """SELECT 'VIEW', view_name FROM duckdb_views()
           WHERE NOT internal AND database_name = current_database()
           UNION ALL
           SELECT 'TABLE', table_name FROM duckdb_tables()
           WHERE database_name = current_database()"""
    ).fetchall():
        if relation not in keep:
            con.execute(f'DROP {kind} "{relation}"')


def _copy_stored_tables(con: duckdb.DuckDBPyConnection, catalog: Path, names: list[str]) -> None:
    """Copy the stored tables ``names`` from the catalog file ``catalog`` into ``con``."""
    con.execute(f"ATTACH {quote_sql_string(str(catalog))} AS previous (READ_ONLY)")
    try:
        for name in names:
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM previous.{name}")
    finally:
        con.execute("DETACH previous")


def _record_derived(con: duckdb.DuckDBPyConnection, records: Sequence[DerivedRecord]) -> None:
    con.execute(
        f"""CREATE TABLE {_DERIVED_META} (name VARCHAR NOT NULL, inputs_sha256 VARCHAR NOT NULL,
        generation BIGINT NOT NULL, row_count BIGINT NOT NULL, build_seconds DOUBLE NOT NULL)"""
    )
    con.executemany(
        f"INSERT INTO {_DERIVED_META} VALUES (?, ?, ?, ?, ?)",
        [[r.name, r.inputs_sha256, r.generation, r.row_count, r.build_seconds] for r in records],
    )
    comments = {
        "": "Internal: the tables this catalog stores (summaries and the superseded versions), "
        "what they were computed from and when; a publish reuses a table whose inputs_sha256 is "
        "unchanged.",
        "name": "Stored table.",
        "inputs_sha256": "SHA-256 of its SQL, the catalog format and the files it reads.",
        "generation": "Manifest generation whose publish computed it.",
        "row_count": "Rows in the table.",
        "build_seconds": "Wall seconds it took to compute (when it was computed).",
    }
    for column, text in comments.items():
        target = f"TABLE {_DERIVED_META}" if not column else f"COLUMN {_DERIVED_META}.{column}"
        con.execute(f"COMMENT ON {target} IS {quote_sql_string(text)}")


def install_catalog(wh: Warehouse, prepared: Path) -> Path:
    """Swap a catalog from ``prepare_catalog`` in with one rename; returns the catalog's path."""
    final = Path(wh.layout.catalog_path)
    try:
        os.replace(prepared, final)
    except OSError as exc:
        discard_catalog(prepared)
        raise PublishError(f"cannot swap in the catalog {final}: {exc}") from exc
    fault_hook("after_catalog")
    return final


def discard_catalog(tmp: Path) -> None:
    """Remove a prepared catalog that will not be installed (and its WAL, if any)."""
    for path in (tmp, Path(f"{tmp}.wal")):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def catalog_generation(wh: Warehouse) -> int | None:
    """Generation the current catalog was built for; None when there is no usable catalog."""
    path = wh.layout.catalog_path
    if not os.path.exists(path):
        return None
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("SELECT generation FROM _catalog_meta").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return None if row is None else int(row[0])


def ensure_catalog(wh: Warehouse) -> bool:
    """Rebuild the catalog when it lags behind the manifest (after a crash); True if rebuilt."""
    manifest = read_manifest(wh)
    if catalog_generation(wh) == manifest.generation and os.path.exists(wh.layout.catalog_path):
        return False
    build_catalog(wh, manifest)
    return True


def record_catalog_files(con: duckdb.DuckDBPyConnection, manifest: Manifest) -> None:
    """Store the files the views read (relative to the root) as ``_catalog_files``.

    The lockdown (etl/sql/bi_lockdown.sql) allows exactly these files, read from the catalog the
    connection opened, so a connection on an older catalog keeps reading its own snapshot.
    """
    files = sorted(
        {f for run in manifest.partitions.values() for fs_ in run.values() for f in fs_}
        | set(manifest.seeds.values())
    )
    con.execute("CREATE TABLE _catalog_files (path VARCHAR NOT NULL)")
    con.execute(
        "COMMENT ON TABLE _catalog_files IS 'Internal: the Parquet files the views of this catalog "
        "read, relative to the warehouse root; the read-only lockdown allows exactly these.'"
    )
    con.execute(
        "COMMENT ON COLUMN _catalog_files.path IS 'File path relative to the warehouse root.'"
    )
    if files:
        con.execute("INSERT INTO _catalog_files SELECT unnest(?::VARCHAR[])", [files])


def readonly_config(warehouse_dir: str) -> dict[str, str | bool | int | float | list[str]]:
    """The DuckDB config a BI connection opens the catalog with (then it runs the lockdown)."""
    return {
        "file_search_path": os.path.abspath(warehouse_dir),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }


def connect_readonly(warehouse_dir: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection that can read the warehouse's live table files and nothing else.

    No other file can be read, no file can be created or attached, extensions cannot be installed
    or loaded, and the configuration is locked so a query cannot loosen any of this (see
    etl/sql/bi_lockdown.sql and the README's "SQL and BI access" for the one write DuckDB cannot
    refuse). Raises UsageError when there is no catalog.

    The catalog is attached to a private in-memory database rather than opened directly: DuckDB
    shares one instance between all connections of a process that open the same file, so while
    any of them stays open, a "new" connection would get the old instance and never see the next
    publish (and would fail once the grace period deletes the old files). Attaching opens the
    catalog file itself, so every call sees the catalog current at that moment.
    """
    root = os.path.abspath(warehouse_dir)
    catalog = os.path.join(root, "warehouse.duckdb")
    if not os.path.exists(catalog):
        raise UsageError(
            f"no warehouse catalog at {catalog}; run `etl run --warehouse {warehouse_dir}` first"
        )
    con = duckdb.connect(":memory:", config=readonly_config(root))
    try:
        for stmt in attach_statements(catalog):
            con.execute(stmt)
    except duckdb.Error as exc:
        con.close()
        raise UsageError(f"cannot open warehouse catalog {catalog}: {exc}") from exc
    try:
        lock_down(con)
    except BaseException:
        con.close()
        raise
    return con


def attach_statements(catalog: str) -> list[str]:
    """Attach the catalog read-only as ``warehouse``, make it the default, drop the scratch db.

    Run on a fresh in-memory connection before the lockdown (the README's "SQL and BI access"
    does the same for SQLAlchemy and Metabase).
    """
    return [
        f"ATTACH {quote_sql_string(catalog)} AS warehouse (READ_ONLY)",
        "USE warehouse",
        "DETACH memory",
    ]


def lock_down(con: Any) -> None:
    """Run the lockdown on a connection whose default database is the catalog; idempotent.

    ``con`` is a DuckDB connection or anything with its ``execute`` (a duckdb-engine DBAPI
    connection in a SQLAlchemy ``connect`` event). Settings are per DuckDB instance, and a
    connection that opened the catalog file directly may share an instance another connection
    already locked: verify that instead of failing on the locked SETs.
    """
    locked = con.execute(
        "SELECT current_setting('lock_configuration'), current_setting('enable_external_access')"
    ).fetchone()
    if locked is not None and locked[0] is True:
        if locked[1] is not False:
            raise UsageError("the catalog is open in this process with external access enabled")
        return
    for stmt in lockdown_statements():
        con.execute(stmt)


def lockdown_statements() -> list[str]:
    """The statements of etl/sql/bi_lockdown.sql (the file BI tools and the DuckDB CLI run)."""
    return split_sql(lockdown_sql())


def lockdown_sql() -> str:
    """The text of etl/sql/bi_lockdown.sql, the lockdown every read-only connection runs."""
    return (resources.files("etl") / "sql" / "bi_lockdown.sql").read_text(encoding="utf-8")


def split_sql(text: str) -> list[str]:
    """Statements of a SQL script whose statements end with ``;`` at the end of a line."""
    stmts: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("--") and not current:
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            stmts.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if "".join(current).strip():
        stmts.append("\n".join(current))
    return stmts
