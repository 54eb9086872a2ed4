"""The SQLAlchemy + duckdb-engine connection exactly as the README documents it (Superset's path).

The Python block of the README's 'SQL and BI access' section is executed as written, with only
its two example paths replaced by the test warehouse and this checkout, so the documentation
cannot drift from what works.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.integration.bi_support import build_demo_warehouse, demo_pages, publish_generation

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "README.md"
DOC_SECTION = "## SQL and BI access"
DOC_WAREHOUSE = "/srv/etl/warehouse"
DOC_PROJECT = "/srv/etl/video-pages-etl"


def documented_python() -> str:
    readme = DOC.read_text(encoding="utf-8")
    assert DOC_SECTION in readme, "the README lost its SQL and BI access section"
    section = readme.split(DOC_SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the BI section should hold exactly one Python block (the engine)"
    return blocks[0]


def documented_engine(warehouse: Path) -> Any:
    """The engine of the README's BI Python block, run as written for ``warehouse``."""
    code = documented_python()
    assert DOC_WAREHOUSE in code and DOC_PROJECT in code
    code = code.replace(DOC_WAREHOUSE, str(warehouse)).replace(DOC_PROJECT, str(ROOT))
    namespace: dict[str, Any] = {"__name__": "docs_bi"}
    exec(compile(code, str(DOC), "exec"), namespace)  # the documented block, as written
    return namespace["engine"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sqlalchemy") / "warehouse"
    build_demo_warehouse(str(root))
    return root


@pytest.fixture(scope="module")
def engine(warehouse: Path) -> Any:
    eng = documented_engine(warehouse)
    yield eng
    eng.dispose()


QUERY_FILES = sorted((ROOT / "queries").glob("*.sql"))


def test_the_documented_block_runs_a_query(engine: Any) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT channel, videos FROM channel_summary ORDER BY 1")).all()
    # bi_support.demo_pages: DW News has p1 + p2, Al Jazeera p3, p4 states no channel.
    assert [tuple(r) for r in rows] == [
        ("(no channel)", 1),
        ("Al Jazeera English", 1),
        ("DW News", 2),
    ]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_sample_query_runs_through_sqlalchemy(engine: Any, path: Path) -> None:
    with engine.connect() as conn:
        result = conn.execute(text(path.read_text(encoding="utf-8").strip().rstrip(";")))
        columns = list(result.keys())
        rows = result.all()
    assert columns, path.name
    assert rows, f"{path.name} returned nothing on the demo warehouse"


def test_two_connections_at_once_are_each_locked(engine: Any) -> None:
    with engine.connect() as first, engine.connect() as second:
        a = first.execute(text("SELECT count(*) FROM videos")).scalar()
        b = second.execute(text("SELECT count(*) FROM comments")).scalar()
        locked = second.execute(text("SELECT current_setting('lock_configuration')")).scalar()
    assert (a, b, locked) == (4, 7, True)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY (SELECT 1) TO '{warehouse}/leak.csv'",
        "ATTACH '{warehouse}/other.duckdb' AS other",
        "INSTALL httpfs",
        "SET enable_external_access = true",
    ],
)
def test_the_documented_connection_refuses(engine: Any, warehouse: Path, sql: str) -> None:
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text(sql.format(warehouse=warehouse)))
    assert not (warehouse / "leak.csv").exists()


def test_a_new_connection_sees_a_publish_an_open_one_keeps_its_snapshot(tmp_path: Path) -> None:
    wh = build_demo_warehouse(str(tmp_path / "warehouse"))
    eng = documented_engine(Path(wh.layout.root))
    count = text("SELECT count(*) FROM videos")
    try:
        with eng.connect() as held:
            assert held.execute(count).scalar() == 4
            # A third run republishes p1-p3 under a new run id: still 4 current videos, but the
            # runs history grows from 2 to 3.
            publish_generation(wh, "2024-05-03", datetime(2024, 5, 3, 6), demo_pages()[:3])
            with eng.connect() as fresh:
                assert fresh.execute(text("SELECT count(*) FROM runs")).scalar() == 3
            assert held.execute(text("SELECT count(*) FROM runs")).scalar() == 2
    finally:
        eng.dispose()
