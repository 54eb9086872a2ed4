"""The catalog's views: documented (COMMENT ON every view and column), matching their contracts,
and giving the numbers the hand-made demo warehouse implies (see tests/integration/bi_support.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.catalog import MATERIALIZED_VIEWS, analyst_view_statements, build_catalog, connect_readonly
from etl.contracts import load_contracts, load_view_contracts
from etl.publish import Warehouse, read_manifest
from tests.integration.bi_support import build_demo_warehouse

ANALYST_VIEWS = {
    "entity_summary",
    "channel_summary",
    "video_overview",
    "link_platform_summary",
    "quarantine_summary",
    "validation_summary",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("catalog") / "warehouse"
    build_demo_warehouse(str(root))
    return str(root)


@pytest.fixture
def con(warehouse: str) -> Any:
    connection = connect_readonly(warehouse)
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


# Every relation a BI tool lists: the views, and the tables the catalog stores (the summaries
# and _superseded_versions; the _catalog_* bookkeeping tables are left out).
RELATIONS = """
    SELECT view_name AS name, comment FROM duckdb_views()
    WHERE NOT internal AND database_name = current_database()
    UNION ALL
    SELECT table_name, comment FROM duckdb_tables()
    WHERE database_name = current_database() AND NOT starts_with(table_name, '_catalog_')
"""


def test_every_view_and_every_column_has_a_comment(con: duckdb.DuckDBPyConnection) -> None:
    relations = rows(con, RELATIONS)
    assert {name for name, _ in relations} >= ANALYST_VIEWS | {"videos", "link_platforms"}
    assert [name for name, comment in relations if not (comment or "").strip()] == []
    columns = rows(
        con,
        f"""SELECT c.table_name, c.column_name, c.comment FROM duckdb_columns() c
           JOIN ({RELATIONS}) r ON r.name = c.table_name
           WHERE c.database_name = current_database()""",
    )
    assert len(columns) > 100
    assert [(t, c) for t, c, comment in columns if not (comment or "").strip()] == []


def test_summaries_are_stored_tables(con: duckdb.DuckDBPyConnection) -> None:
    tables = {name for (name,) in rows(con, "SELECT table_name FROM duckdb_tables()")}
    assert tables >= set(MATERIALIZED_VIEWS) | {"_superseded_versions", "_catalog_derived"}
    derived = rows(con, "SELECT name, row_count FROM _catalog_derived ORDER BY name")
    assert [name for name, _ in derived] == sorted({*MATERIALIZED_VIEWS, "_superseded_versions"})
    for name, count in derived:
        assert rows(con, f"SELECT count(*) FROM {name}") == [(count,)], name


def test_view_contracts_list_exactly_the_view_columns(con: duckdb.DuckDBPyConnection) -> None:
    actual: dict[str, list[str]] = {}
    for view, column in rows(
        con,
        f"""SELECT table_name, column_name FROM duckdb_columns()
           WHERE table_name IN (SELECT name FROM ({RELATIONS}))
             AND database_name = current_database()
           ORDER BY table_name, column_index""",
    ):
        actual.setdefault(view, []).append(column)
    contracts = load_view_contracts()
    assert set(contracts) >= ANALYST_VIEWS
    for name, view in contracts.items():
        assert actual.get(name) == list(view.column_names), name
    undocumented = set(actual) - set(contracts) - set(load_contracts())
    assert undocumented == {v for v in undocumented if v.startswith("_") and v.endswith("_all")} | {
        "_superseded_versions"
    }


def test_every_sql_view_file_has_a_contract() -> None:
    created = {stmt.split("CREATE VIEW", 1)[1].split()[0] for stmt in analyst_view_statements()}
    assert created >= ANALYST_VIEWS
    assert created <= set(load_view_contracts())


def test_catalog_files_are_exactly_the_manifest_files(
    con: duckdb.DuckDBPyConnection, warehouse: str
) -> None:
    manifest = json.loads(Path(warehouse, "_manifest.json").read_text())
    expected = {f for run in manifest["partitions"].values() for fs in run.values() for f in fs}
    expected |= set(manifest["seeds"].values())
    assert {p for (p,) in rows(con, "SELECT path FROM _catalog_files")} == expected


# The demo warehouse (bi_support.demo_pages): run 2024-05-01 publishes p1 (DW News, 3 comments of
# which 1 reply, 3 links: youtube, twitter, dw.com), p2 (DW News, 2 comments, 1 facebook link),
# p3 (Al Jazeera English, 2 comments, youtube + instagram); run 2024-05-02 publishes p4 (no
# channel, no comments, 1 link to example.org). Each run quarantines one empty page.


def test_entity_summary_keeps_its_canonical_columns(con: duckdb.DuckDBPyConnection) -> None:
    first_run = datetime(2024, 5, 1, 6)
    columns = [d[0] for d in con.execute("SELECT * FROM entity_summary LIMIT 0").description]
    assert columns == ["canonical_name", "label", "mentions", "videos", "first_seen", "last_seen"]
    assert rows(
        con,
        """SELECT * FROM entity_summary WHERE canonical_name IN ('Iran', 'Vladimir Putin')
           ORDER BY 1""",
    ) == [
        # Iran: p1 title + p1 comment + p2 description = 3 mentions on 2 videos.
        ("Iran", "GPE", 3, 2, first_run, first_run),
        # Vladimir Putin: p1 and p3 descriptions.
        ("Vladimir Putin", "PERSON", 2, 2, first_run, first_run),
    ]


def test_channel_summary(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        """SELECT channel, videos, comments, links, entity_mentions, avg_comments_per_video,
                  max_comments_per_video FROM channel_summary ORDER BY channel""",
    ) == [
        ("(no channel)", 1, 0, 1, 0, 0.0, 0),
        ("Al Jazeera English", 1, 2, 2, 2, 2.0, 2),
        ("DW News", 2, 5, 4, 8, 2.5, 3),
    ]


def test_video_overview(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        """SELECT page_id, comment_count, reply_count, link_count, link_platforms,
                  entity_mentions, distinct_entities, top_entities
           FROM video_overview ORDER BY page_id""",
    ) == [
        # p1: Iran twice (title, comment), so it leads; ties (Russia, Vladimir Putin) by name.
        ("p1_russia_iran", 3, 1, 3, ["twitter", "web", "youtube"], 4, 3,
         ["Iran", "Russia", "Vladimir Putin"]),
        ("p2_gaza", 2, 0, 1, ["facebook"], 4, 4, ["DW News", "Gaza", "Iran", "Qatar"]),
        ("p3_sahel", 2, 0, 2, ["instagram", "youtube"], 2, 2, ["Sahel", "Vladimir Putin"]),
        ("p4_blog", 0, 0, 1, ["web"], 0, 0, []),
    ]  # fmt: skip


def test_link_platform_summary(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        """SELECT platform, links, videos, channels, domains, top_domain, share_of_links_pct
           FROM link_platform_summary ORDER BY links DESC, platform""",
    ) == [
        # 7 links in all; 'web' = dw.com (p1, DW News) + example.org (p4, no channel: not counted).
        ("web", 2, 2, 1, 2, "dw.com", 28.57),
        ("youtube", 2, 2, 2, 1, "youtube.com", 28.57),
        ("facebook", 1, 1, 1, 1, "facebook.com", 14.29),
        ("instagram", 1, 1, 1, 1, "instagram.com", 14.29),
        ("twitter", 1, 1, 1, 1, "twitter.com", 14.29),
    ]


def test_quarantine_and_validation_summaries(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, "SELECT reason_code, pages, latest_message FROM quarantine_summary") == [
        ("empty", 2, "the file is empty")
    ]
    # bi_support fails the warning expectation in runs whose id ends with "2".
    assert rows(
        con,
        """SELECT run_id, run_status, checks, passed, failed_errors, failed_warnings,
                  validation_status FROM validation_summary ORDER BY run_id""",
    ) == [
        ("2024-05-01", "published", 2, 2, 0, 0, "passed"),
        ("2024-05-02", "published", 2, 1, 0, 1, "warnings"),
    ]


def test_a_malformed_view_contract_is_a_contract_error(tmp_path: Path) -> None:
    from etl.contracts import load_view_contracts as load
    from etl.errors import ContractError

    (tmp_path / "v.yaml").write_text("name: v\ndescription: ok\ngrain: one row\ncolumns:\n"
                                     "  - {name: a, description: ''}\n")  # fmt: skip
    with pytest.raises(ContractError, match="empty description"):
        load.__wrapped__(tmp_path)
    (tmp_path / "v.yaml").write_text("name: w\ndescription: ok\ngrain: one row\n")
    with pytest.raises(ContractError, match="declares view 'w'"):
        load.__wrapped__(tmp_path)
    (tmp_path / "v.yaml").write_text("name: v\ngrain: one row\n")
    with pytest.raises(ContractError, match="malformed view contract"):
        load.__wrapped__(tmp_path)
    (tmp_path / "v.yaml").write_text(
        "name: v\ndescription: history\ngrain: one row\ncolumns_from: quarantine\n"
    )
    assert (
        load.__wrapped__(tmp_path)["v"].column_names == load_contracts()["quarantine"].column_names
    )


DUCKDB_CLI = Path(sys.executable).with_name("duckdb")


def test_a_rebuild_without_new_files_reuses_the_stored_tables(tmp_path: Path) -> None:
    root = tmp_path / "warehouse"
    build_demo_warehouse(str(root))
    wh = Warehouse.at(str(root))
    before = _derived(str(root))
    build_catalog(wh, replace(read_manifest(wh), generation=99))
    after = _derived(str(root))
    assert after == before  # taken over from the previous catalog: same generation, same rows
    con = connect_readonly(str(root))
    try:
        assert rows(con, "SELECT generation FROM _catalog_meta") == [(99,)]
        assert rows(con, "SELECT count(*) FROM entity_summary") == [(before["entity_summary"][1],)]
        ((mentions,),) = rows(con, "SELECT count(*) FROM entities")
    finally:
        con.close()
    if DUCKDB_CLI.exists():  # the copied catalog keeps the storage format the DuckDB CLI reads
        lockdown = Path(__file__).resolve().parents[2] / "etl" / "sql" / "bi_lockdown.sql"
        done = subprocess.run(
            [str(DUCKDB_CLI), "-readonly", "-csv", "-cmd", f".read {lockdown}",
             "warehouse.duckdb", "-c", "SELECT sum(mentions) AS n FROM entity_summary"],
            cwd=root, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["n", str(mentions)]


def _derived(warehouse: str) -> dict[str, tuple[int, int]]:
    con = connect_readonly(warehouse)
    try:
        found = rows(con, "SELECT name, generation, row_count FROM _catalog_derived")
    finally:
        con.close()
    return {name: (generation, count) for name, generation, count in found}
