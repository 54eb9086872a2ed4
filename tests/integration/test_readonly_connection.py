"""The locked-down read-only connection (etl.catalog.connect_readonly, etl/sql/bi_lockdown.sql):
it reads the warehouse and nothing else, and every way out is refused by DuckDB itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.catalog import connect_readonly
from etl.cli import EXIT_USAGE, main
from tests.integration.bi_support import build_demo_warehouse

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readonly") / "warehouse"
    build_demo_warehouse(str(root))
    return root


@pytest.fixture
def con(warehouse: Path) -> Any:
    connection = connect_readonly(str(warehouse))
    yield connection
    connection.close()


def live_file(con: duckdb.DuckDBPyConnection, table: str) -> str:
    row = con.execute(
        "SELECT path FROM _catalog_files WHERE path LIKE ? ORDER BY path LIMIT 1",
        [f"tables/{table}/%"],
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_reads_every_view(con: duckdb.DuckDBPyConnection) -> None:
    views = [
        r[0]
        for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    ]
    counts = {v: con.execute(f"SELECT count(*) FROM {v}").fetchone()[0] for v in views}  # type: ignore[index]
    assert counts["videos"] == 4 and counts["comments"] == 7 and counts["link_platforms"] > 30


# Each statement must be refused; {wh} is the warehouse folder, {victim} a live table file.
REFUSED = {
    "read /etc/passwd": "SELECT * FROM read_csv('/etc/passwd')",
    "read /etc/passwd as text": "SELECT * FROM read_text('/etc/passwd')",
    "read the manifest": "SELECT * FROM read_text('{wh}/_manifest.json')",
    "read via .. from a view path": "SELECT * FROM read_text('tables/../../../../etc/passwd')",
    "list the warehouse": "SELECT * FROM glob('{wh}/*')",
    "read over http": "SELECT * FROM read_csv('https://example.com/x.csv')",
    "copy into the warehouse": "COPY (SELECT 1 AS x) TO '{wh}/leak.csv'",
    "copy into tables/": "COPY (SELECT 1 AS x) TO '{wh}/tables/leak.parquet' (FORMAT parquet)",
    "copy over a live file (tmp file)": "COPY (SELECT 1 AS x) TO '{wh}/{victim}' (FORMAT parquet)",
    "copy outside": "COPY (SELECT 1 AS x) TO '{outside}/leak.csv'",
    "export database": "EXPORT DATABASE '{outside}/export'",
    "attach a file": "ATTACH '{outside}/other.duckdb' AS other",
    "create in catalog": "CREATE TABLE t AS SELECT 1 AS x",
    "create view in catalog": "CREATE VIEW v AS SELECT 1 AS x",
    "install extension": "INSTALL httpfs",
    "load extension": "LOAD httpfs",
    "persistent secret": "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'k', SECRET 'v')",
    "re-enable external access": "SET enable_external_access = true",
    "widen allowed paths": "SET allowed_paths = ['/etc/passwd']",
    "widen allowed directories": "SET allowed_directories = ['/']",
    "unlock": "SET lock_configuration = false",
    "reset the lock": "RESET lock_configuration",
    "query log to a file": "SET log_query_path = '{outside}/queries.log'",
    "autoload extensions": "SET autoload_known_extensions = true",
}


@pytest.mark.parametrize("sql", list(REFUSED.values()), ids=list(REFUSED))
def test_refused(con: duckdb.DuckDBPyConnection, warehouse: Path, tmp_path: Path, sql: str) -> None:
    before = sorted(p.relative_to(warehouse) for p in warehouse.rglob("*"))
    statement = sql.format(wh=warehouse, outside=tmp_path, victim=live_file(con, "videos"))
    with pytest.raises(duckdb.Error):
        con.execute(statement).fetchall()
    assert sorted(p.relative_to(warehouse) for p in warehouse.rglob("*")) == before
    assert list(tmp_path.iterdir()) == []
    assert con.execute("SELECT count(*) FROM videos").fetchone() == (4,)


def test_scratch_space_in_memory_is_allowed_and_writes_nothing(
    con: duckdb.DuckDBPyConnection, warehouse: Path
) -> None:
    before = sorted(p.relative_to(warehouse) for p in warehouse.rglob("*"))
    con.execute("CREATE TEMP TABLE picked AS SELECT video_id FROM videos LIMIT 2")
    con.execute("ATTACH ':memory:' AS scratch")
    con.execute("CREATE TABLE scratch.t AS SELECT * FROM picked")
    assert con.execute("SELECT count(*) FROM scratch.t").fetchone() == (2,)
    assert sorted(p.relative_to(warehouse) for p in warehouse.rglob("*")) == before
    databases = {
        r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()
    }
    assert "memory" not in databases and "warehouse" in databases


@pytest.mark.xfail(
    strict=True,
    reason="DuckDB's allowed_paths does not tell reads from writes: a live file can be "
    "overwritten in place; the README (SQL and BI access) says to deny the BI user write access",
)
def test_overwriting_a_live_file_in_place_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "warehouse"
    build_demo_warehouse(str(root))
    con = connect_readonly(str(root))
    try:
        victim = root / live_file(con, "videos")
        with pytest.raises(duckdb.Error):
            con.execute(f"COPY (SELECT 1 AS x) TO '{victim}' (FORMAT parquet, USE_TMP_FILE false)")
    finally:
        con.close()


def test_works_from_any_directory_and_after_the_folder_moves(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved = tmp_path / "elsewhere" / "wh"
    shutil.copytree(warehouse, moved)
    monkeypatch.chdir(tmp_path)
    con = connect_readonly(str(moved))
    try:
        assert con.execute("SELECT count(*) FROM video_overview").fetchone() == (4,)
        with pytest.raises(duckdb.Error):
            con.execute(f"SELECT * FROM read_parquet('{warehouse}/{live_file(con, 'videos')}')")
    finally:
        con.close()


def test_two_connections_in_one_process_are_each_locked(warehouse: Path) -> None:
    first = connect_readonly(str(warehouse))
    second = connect_readonly(str(warehouse))
    try:
        assert second.execute("SELECT count(*) FROM links").fetchone() == (7,)
        with pytest.raises(duckdb.Error):
            first.execute("SELECT * FROM read_text('/etc/hostname')")
        with pytest.raises(duckdb.Error):
            second.execute("SELECT * FROM read_csv('/etc/passwd')")
    finally:
        second.close()
        first.close()


def test_etl_query_reports_a_refusal_as_a_usage_error(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["query", "--warehouse", str(warehouse), "SELECT * FROM read_csv('/etc/passwd')"])
    assert code == EXIT_USAGE
    assert "disabled by configuration" in capsys.readouterr().err


DUCKDB_CLI = Path(sys.executable).with_name("duckdb")


@pytest.mark.skipif(not DUCKDB_CLI.exists(), reason="duckdb CLI not installed (dev extra)")
def test_the_documented_cli_command(warehouse: Path) -> None:
    """README, SQL and BI access: cd <warehouse> && duckdb -readonly -cmd SET.. -cmd .read ..."""
    lockdown = ROOT / "etl" / "sql" / "bi_lockdown.sql"
    args = [
        str(DUCKDB_CLI),
        "-readonly",
        "-csv",
        "-cmd",
        f"SET file_search_path = '{warehouse}'",
        "-cmd",
        f".read {lockdown}",
        "warehouse.duckdb",
    ]
    ok = subprocess.run(
        [*args, "-c", "SELECT count(*) AS n FROM comments"],
        cwd=warehouse, capture_output=True, text=True, timeout=60, env={**os.environ},
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["n", "7"]
    refused = subprocess.run(
        [*args, "-c", "SELECT * FROM read_csv('/etc/passwd')"],
        cwd=warehouse, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "disabled by configuration" in refused.stderr + refused.stdout
