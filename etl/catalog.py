"""The DuckDB catalog: a small database file of views over the published Parquet files.

Built aside from the manifest and swapped in with one rename, so a BI tool connected to the old
file keeps a consistent snapshot and the next connection sees the new one. View paths are relative
to the warehouse root; every connection sets ``file_search_path`` to the root, which is what makes
the catalog work from any working directory and after the warehouse folder is moved.
"""

from __future__ import annotations

import contextlib
import logging
import os
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

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
    """Every CREATE VIEW of the catalog for ``manifest``, in dependency order."""
    tables = [t for t in (*DATA_TABLES, "quarantine", *_HISTORY_TABLES) if t in load_contracts()]
    stmts = [f"CREATE VIEW _{t}_all AS {parquet_select_sql(t, manifest.files(t))}" for t in tables]
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
            PARTITION BY page_id ORDER BY is_retryable, event_at DESC, run_id DESC) = 1"""
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
    stmts.append("CREATE VIEW quarantine_history AS SELECT * FROM _quarantine_all")
    stmts += [f"CREATE VIEW {t} AS SELECT * FROM _{t}_all" for t in tables if t in _HISTORY_TABLES]
    for name, rel in sorted(manifest.seeds.items()):
        stmts.append(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet({quote_sql_string(rel)}, "
            "hive_partitioning = false)"
        )
    stmts += analyst_view_statements()
    return stmts


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
    """COMMENT ON every view and column of the catalog, from schemas/ and schemas/views/.

    BI tools show these as descriptions. A view without a contract is logged, not fatal (the
    catalog test fails on it), so one undocumented view cannot block a publish.
    """
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE NOT internal AND table_name IN (SELECT view_name FROM duckdb_views() "
        "WHERE NOT internal)"
    ).fetchall()
    columns: dict[str, set[str]] = {}
    for view, column in rows:
        columns.setdefault(view, set()).add(column)
    tables, views = load_contracts(), load_view_contracts()
    stmts: list[str] = []
    for name in sorted(columns):
        if name in tables:
            stmts += comment_statements(name)
        elif name in views:
            stmts += view_comment_statements(views[name], columns[name])
        elif name.startswith("_") and name.endswith("_all") and name[1:-4] in tables:
            stmts += _internal_view_comments(name[1:-4], name)
        else:
            log.warning("catalog view %s has no contract in schemas/views/; left uncommented", name)
    return stmts


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


def prepare_catalog(wh: Warehouse, manifest: Manifest) -> Path:
    """Build the catalog for ``manifest`` in a temp file beside ``warehouse.duckdb``; returns it.

    Nothing a reader sees changes here, so a failure (disk full, read-only folder) leaves the
    warehouse as it was; it is raised as PublishError and the temp file is removed.
    """
    root = wh.local_root
    final = Path(wh.layout.catalog_path)
    tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    try:
        tmp.unlink(missing_ok=True)
        # An older storage format on purpose: BI drivers and the standalone DuckDB CLI often lag
        # the Python package by a release or two; the catalog holds only views, nothing is lost.
        con = duckdb.connect(
            str(tmp),
            config={
                "file_search_path": root,
                "storage_compatibility_version": CATALOG_STORAGE_VERSION,
            },
        )
    except (OSError, duckdb.Error) as exc:
        discard_catalog(tmp)
        raise PublishError(f"cannot write the catalog {tmp}: {exc}") from exc
    try:
        for stmt in view_statements(manifest):
            con.execute(stmt)
        for stmt in _comment_statements(con):
            con.execute(stmt)
        record_catalog_files(con, manifest)
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
    return tmp


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
