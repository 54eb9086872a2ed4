"""Read-only SQL against the warehouse catalog, and the one-screen warehouse summary."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import duckdb

from etl.catalog import connect_readonly
from etl.contracts import DATA_TABLES
from etl.errors import UsageError


def run_query(warehouse_dir: str, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``sql`` on a locked-down read-only connection; returns column names and rows.

    Writes, ATTACH, COPY, extension installs and file reads outside the warehouse are refused by
    DuckDB itself (see ``catalog.connect_readonly``); the refusal comes back as a UsageError.
    """
    con = connect_readonly(warehouse_dir)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall() if cursor.description else []
    except duckdb.Error as exc:
        raise UsageError(f"query refused or failed: {_first_line(str(exc))}") from None
    finally:
        con.close()
    return columns, rows


def _count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
    return 0 if row is None else int(row[0])


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


EXAMPLE_QUERY = """SELECT canonical_name, label, mentions, videos
FROM entity_summary
WHERE label <> 'HASHTAG'
ORDER BY mentions DESC, canonical_name
LIMIT 10"""


def warehouse_summary(warehouse_dir: str) -> str:
    """Row counts of every table, the most-mentioned entities, and how to query further."""
    from etl.cli import format_rows

    con = connect_readonly(warehouse_dir)
    try:
        tables: Sequence[str] = (*DATA_TABLES, "quarantine", "runs", "validation_results")
        counts = [(t, _count(con, t)) for t in tables]
        cursor = con.execute(EXAMPLE_QUERY)
        columns = [d[0] for d in cursor.description]
        top = cursor.fetchall()
    finally:
        con.close()
    root = os.path.abspath(warehouse_dir)
    out = ["Warehouse " + root, ""]
    out.append(format_rows(["table", "rows"], counts, "table"))
    out.append("Most-mentioned entities (etl query --file queries/top_entities.sql):")
    out.append(format_rows(columns, top, "table"))
    out.append("Query further:")
    out.append(
        '  etl query "SELECT title, channel, comment_count FROM videos ORDER BY comment_count DESC"'
    )
    out.append("  etl query --file queries/<name>.sql        (documented sample queries)")
    out.append(f"  cd {root} && duckdb -readonly warehouse.duckdb")
    out.append(
        "      (DuckDB CLI; BI tools and the locked-down connection: README, SQL and BI access)"
    )
    report = os.path.join(root, "report", "index.html")
    if os.path.exists(report):
        out.append(f"  dashboard: file://{report}")
    return "\n".join(out) + "\n"
