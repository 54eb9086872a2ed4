"""Helpers the reliability tests share: a varied corpus, the `etl` command, warehouse snapshots."""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.catalog import view_statements
from etl.check import Reconciliation, reconcile
from etl.contracts import contract
from etl.publish import Warehouse, read_manifest
from tests.conftest import PROJECT_ROOT, REAL_SEED

# The views a user sees; in each, the current state has one row per key (see current_key).
STATE_VIEWS = ("videos", "comments", "links", "entities", "quarantine", "page_states")
_PR_CAPBSET_DROP = 24
_ROOT_BYPASS_CAPS = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


# The suite runs a core set of each fault matrix (every distinct outcome and leftover kind);
# RELIABILITY_FULL=1 runs all of it (each `etl run` costs seconds of GX validation).
FULL_MATRIX = os.environ.get("RELIABILITY_FULL") == "1"


def matrix(values: Sequence[Any], core: Collection[Any]) -> list[Any]:
    """pytest params for ``values``; those outside ``core`` run only with RELIABILITY_FULL=1."""
    skip = pytest.mark.skipif(not FULL_MATRIX, reason="full fault matrix: RELIABILITY_FULL=1")
    return [v if v in core else pytest.param(v, marks=skip) for v in values]


def current_key(view: str) -> tuple[str, ...]:
    """The key no current-state view may repeat: the contract's key, or the page for the views
    whose current grain is one row per page (quarantine keeps history per run, shows the latest)."""
    if view in ("quarantine", "page_states"):
        return ("page_id",)
    return tuple(contract(view).primary_key)


def seed_text() -> str:
    return REAL_SEED.read_text(encoding="utf-8")


def variant(n: int, *, title: str | None = None) -> str:
    """The real seed page with its title (both copies) made unique: a distinct, valid page."""
    original = "The increasing ties between Russia and Iran"
    return seed_text().replace(original, title or f"{original}, part {n}")


def write_corpus(folder: Path, *, valid: int = 4) -> dict[str, str]:
    """A small corpus: ``valid`` publishable pages plus pages each quarantine reason catches.

    Returns page_id -> file name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    pages: dict[str, bytes] = {f"page_{n:03d}": variant(n).encode() for n in range(valid)}
    pages["broken_empty"] = b""
    pages["broken_binary"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    pages["broken_latin1"] = "Caf\xe9 | Cha\xeene\n\nd\xe9j\xe0 vu\n".encode("latin-1")
    for page_id, data in pages.items():
        (folder / f"{page_id}.txt").write_bytes(data)
    return {p: f"{p}.txt" for p in pages}


def etl_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETL_")}
    env["ETL_ENTITIES"] = "rules"
    env["ETL_WORKERS"] = "1"
    env.update(extra or {})
    return env


def etl_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "etl.cli", *args]


def etl(
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real `etl` command in a subprocess (the rules backend, one worker)."""
    return subprocess.run(
        etl_command(*args),
        capture_output=True,
        text=True,
        env=etl_env(env),
        timeout=timeout,
        cwd=PROJECT_ROOT,
        preexec_fn=preexec_fn,
    )


def run_args(input_dir: Path, warehouse: Path, date: str = "2024-05-01") -> list[str]:
    return [
        "run",
        "--input",
        str(input_dir),
        "--warehouse",
        str(warehouse),
        "--logical-date",
        date,
        "--no-progress",
    ]


State = dict[str, list[tuple[Any, ...]]]


def _state_of(con: duckdb.DuckDBPyConnection) -> State:
    return {
        view: [tuple(r) for r in con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()]
        for view in STATE_VIEWS
    }


def catalog_state(warehouse: Path) -> State:
    """What a user querying ``warehouse.duckdb`` sees, view by view (sorted rows)."""
    con = duckdb.connect(
        str(warehouse / "warehouse.duckdb"),
        read_only=True,
        config={"file_search_path": str(warehouse)},
    )
    try:
        return _state_of(con)
    finally:
        con.close()


def manifest_state(warehouse: Path) -> State:
    """What the committed manifest says, view by view (the catalog rebuilt in memory)."""
    wh = Warehouse.at(str(warehouse), create=False)
    con = duckdb.connect(config={"file_search_path": str(warehouse)})
    try:
        for stmt in view_statements(read_manifest(wh)):
            con.execute(stmt)
        return _state_of(con)
    finally:
        con.close()


def query_every_view(warehouse: Path) -> dict[str, int]:
    """Row count of every view in the catalog; raises if any view fails to query."""
    con = duckdb.connect(
        str(warehouse / "warehouse.duckdb"),
        read_only=True,
        config={"file_search_path": str(warehouse)},
    )
    try:
        views = [
            r[0]
            for r in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
            ).fetchall()
        ]
        return {v: con.execute(f"SELECT count(*) FROM {v}").fetchone()[0] for v in views}  # type: ignore[index]
    finally:
        con.close()


def duplicate_keys(warehouse: Path) -> dict[str, int]:
    """Per view, how many key values occur more than once (must all be 0)."""
    con = duckdb.connect(
        str(warehouse / "warehouse.duckdb"),
        read_only=True,
        config={"file_search_path": str(warehouse)},
    )
    try:
        out = {}
        for view in STATE_VIEWS:
            cols = ", ".join(current_key(view))
            row = con.execute(
                f"SELECT count(*) FROM (SELECT {cols} FROM {view} GROUP BY ALL HAVING count(*) > 1)"
            ).fetchone()
            out[view] = int(row[0]) if row else 0
        return out
    finally:
        con.close()


# What "the warehouse" is for the intact-after-failure promise: the committed data, the commit
# point and the catalog. GX data docs (quality/) are written during validation, outside the
# commit protocol, and are left out on purpose (see the reliability notes).
WAREHOUSE_CONTENT = ("tables/", "seeds/", "_manifest.json", "warehouse.duckdb")


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file of the warehouse's content (WAREHOUSE_CONTENT)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and rel.startswith(WAREHOUSE_CONTENT):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def leftovers(warehouse: Path) -> list[str]:
    """Temp files of crashed writes and non-empty staging dirs still in the warehouse."""
    found = [p.name for p in warehouse.glob("*.tmp-*")]
    staging = warehouse / "_staging"
    if staging.exists():
        found += [f"_staging/{p.name}" for p in staging.iterdir()]
    return sorted(found)


def check(input_dir: Path, warehouse: Path) -> Reconciliation:
    return reconcile(str(input_dir), str(warehouse))


def without_root_bypass() -> Callable[[], None] | None:
    """preexec_fn making a root child obey permission bits; None when not root (nothing to do).

    Root ignores file modes through the capabilities CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and
    CAP_FOWNER. Dropping them from the bounding set before exec removes them from the new
    program, which stays uid 0 (so it can still run the interpreter under /root), but a
    directory without write bits is now read-only to it, as it would be to any user.
    """
    if os.geteuid() != 0:
        return None

    def _drop() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in _ROOT_BYPASS_CAPS:
            if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")

    return _drop


def make_read_only(root: Path) -> None:
    """Remove every write bit under ``root`` (directories stay enterable)."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
