"""Promise 3: disk full, permission denied, read-only warehouse -> a clear error, exit 4, and the
previous warehouse byte-for-byte intact; the next healthy run completes the work.

How each fault is injected (no root tricks that could harm the machine):
- disk full: the child's RLIMIT_FSIZE is set in ``preexec_fn``; CPython ignores SIGXFSZ, so a
  write past the limit fails with EFBIG ("File too large") exactly where a full disk would fail.
  Four limits hit different writes (plan file, staged Parquet, GX data docs or the catalog).
  ENOSPC itself is raised by ``ETL_FAULT_POINT=<point>:enospc`` at the promotion, the catalog and
  the manifest steps.
- "intact" compares the committed content byte for byte: tables/, seeds/, _manifest.json and
  warehouse.duckdb (GX data docs under quality/ are written outside the commit protocol).
- permission denied / read-only: write bits are removed with chmod. Root ignores them, so when
  the tests run as root the child drops CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH/CAP_FOWNER from its
  capability bounding set before exec and then obeys file modes like any user.
"""

from __future__ import annotations

import json
import resource
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.support import (
    catalog_state,
    check,
    etl,
    leftovers,
    make_read_only,
    make_writable,
    matrix,
    run_args,
    tree_digest,
    variant,
    without_root_bypass,
    write_corpus,
)

pytestmark = pytest.mark.slow

DATE = "2024-05-01"
PUBLISH_FAILED = "etl: publishing failed, the previous warehouse is intact: "


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A published warehouse and an input whose next run changes it (one page edited)."""
    root = tmp_path_factory.mktemp("writefail")
    landing, warehouse = root / "landing", root / "warehouse"
    write_corpus(landing)
    result = etl(*run_args(landing, warehouse, DATE))
    assert result.returncode == 0, result.stderr
    (landing / "page_000.txt").write_text(variant(0, title="Russia and Iran, revised"))
    return landing, warehouse


@pytest.fixture
def warehouse(published: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "warehouse"
    shutil.copytree(published[1], copy)
    return copy


def file_size_limit(limit: int) -> Callable[[], None]:
    def _limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return _limit


def assert_failed_cleanly(result: object, warehouse: Path, before: dict[str, str]) -> str:
    """Exit 4, one clear line on stderr, every previous file unchanged, nothing left behind."""
    assert getattr(result, "returncode") == 4, getattr(result, "stderr")  # noqa: B009
    lines = [
        line
        for line in str(getattr(result, "stderr")).splitlines()  # noqa: B009
        if line.strip() and "fault injection at" not in line  # the hook's own log line
    ]
    assert len(lines) == 1 and lines[0].startswith(PUBLISH_FAILED), lines
    message = lines[0]
    after = tree_digest(warehouse)
    assert {p: after.get(p) for p in before} == before
    assert leftovers(warehouse) == []
    return message


def assert_next_run_completes(landing: Path, warehouse: Path) -> None:
    again = etl(*run_args(landing, warehouse, DATE))
    assert again.returncode == 0, again.stderr
    result = check(landing, warehouse)
    assert result.ok and result.catalog_current, result
    assert leftovers(warehouse) == []
    manifest = json.loads((warehouse / "_manifest.json").read_text())
    known = {f for run in manifest["partitions"].values() for fs in run.values() for f in fs}
    known |= set(manifest["seeds"].values()) | {rel for rel, _ in manifest["retired"]}
    on_disk = {
        p.relative_to(warehouse).as_posix()
        for top in ("tables", "seeds")
        for p in (warehouse / top).rglob("*.parquet")
    }
    assert on_disk <= known, f"orphan files not cleaned: {sorted(on_disk - known)}"


@pytest.mark.parametrize("limit", matrix([500, 5_000, 50_000, 300_000], {5_000, 300_000}))
def test_disk_full_fails_before_the_commit(
    limit: int, published: tuple[Path, Path], warehouse: Path
) -> None:
    """The first write past the limit fails, wherever it is (at the time of writing: the plan
    file at 500 bytes, a staged Parquet file at 5 kB, GX data docs or the catalog above)."""
    landing = published[0]
    before, state = tree_digest(warehouse), catalog_state(warehouse)
    result = etl(*run_args(landing, warehouse, DATE), preexec_fn=file_size_limit(limit))
    message = assert_failed_cleanly(result, warehouse, before)
    assert "File too large" in message
    assert catalog_state(warehouse) == state
    assert_next_run_completes(landing, warehouse)


@pytest.mark.parametrize(
    "point",
    matrix(
        ["mid_promotion", "after_files", "catalog_tmp_written", "manifest_tmp_written"],
        {"catalog_tmp_written", "manifest_tmp_written"},
    ),
)
def test_no_space_left_at_each_publish_step(
    point: str, published: tuple[Path, Path], warehouse: Path
) -> None:
    landing = published[0]
    before, state = tree_digest(warehouse), catalog_state(warehouse)
    result = etl(*run_args(landing, warehouse, DATE), env={"ETL_FAULT_POINT": f"{point}:enospc"})
    message = assert_failed_cleanly(result, warehouse, before)
    assert "No space left on device" in message
    assert catalog_state(warehouse) == state
    assert_next_run_completes(landing, warehouse)


def test_failure_after_the_commit_only_warns(published: tuple[Path, Path], warehouse: Path) -> None:
    """Garbage collection runs after the commit: if it fails the run has still succeeded."""
    landing = published[0]
    result = etl(
        *run_args(landing, warehouse, DATE),
        env={"ETL_FAULT_POINT": "mid_gc:enospc", "ETL_GC_GRACE_SECONDS": "0"},
    )
    assert result.returncode == 0, result.stderr
    assert "tidying up failed" in result.stderr
    assert check(landing, warehouse).ok
    assert_next_run_completes(landing, warehouse)


def test_permission_denied_on_a_table_folder(published: tuple[Path, Path], warehouse: Path) -> None:
    landing = published[0]
    videos = warehouse / "tables" / "videos" / f"run_id={DATE}"
    before, state = tree_digest(warehouse), catalog_state(warehouse)
    videos.chmod(0o555)
    try:
        result = etl(*run_args(landing, warehouse, DATE), preexec_fn=without_root_bypass())
    finally:
        videos.chmod(0o755)
    message = assert_failed_cleanly(result, warehouse, before)
    assert "Permission denied" in message and "tables/videos" in message
    assert catalog_state(warehouse) == state
    assert_next_run_completes(landing, warehouse)


def test_read_only_warehouse_refuses_runs_but_serves_queries(
    published: tuple[Path, Path], warehouse: Path
) -> None:
    landing = published[0]
    before, state = tree_digest(warehouse), catalog_state(warehouse)
    make_read_only(warehouse)
    try:
        result = etl(*run_args(landing, warehouse, DATE), preexec_fn=without_root_bypass())
        query = etl(
            "query",
            "--warehouse",
            str(warehouse),
            "--format",
            "json",
            "SELECT count(*) AS n FROM videos",
            preexec_fn=without_root_bypass(),
        )
    finally:
        make_writable(warehouse)
    message = assert_failed_cleanly(result, warehouse, before)
    assert "cannot lock warehouse" in message and "Permission denied" in message
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout) == {"n": len(state["videos"])}
    assert_next_run_completes(landing, warehouse)
