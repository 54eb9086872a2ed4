"""Size and modification time of every input file when it was last read: a shortcut for re-runs.

A re-run must not reprocess unchanged pages. The content hash decides that, but computing it
means reading every file: ~70 s at 1,000,000 pages for a run that finds nothing new, the case of
an hourly DAG over a landing folder that only grows. Like make, rsync and git's index, a page
whose path, size and mtime equal the record of its last read, and whose recorded content hash
is still the one published, is taken as unchanged without reading it. ``--rehash`` (or
``ETL_REHASH=1``) reads and hashes every file again.

The record can only be trusted less, never more, than the hashes: a missing, stale or unreadable
record means files are read and hashed again, and a record's hash must equal the currently
published one for a page to be skipped. It is internal state, not a warehouse table (nothing
queries it), so it is declared here rather than in schemas/: ``_state/page_stats.parquet``,
replaced as a whole after each successful publish from parts staged by the plan (pages skipped
through it) and by the batches (pages read). Only local input files have a record: remote
stores (s3://, ...) are always read.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from etl.publish import Warehouse, atomic_write, parquet_bytes

log = logging.getLogger(__name__)

SCHEMA = pa.schema(
    [
        pa.field("page_id", pa.string(), nullable=False),
        # Bytes, not text: a file name need not be UTF-8 (Python keeps such bytes as lone
        # surrogates, which Arrow strings refuse); the path must round-trip exactly.
        pa.field("path", pa.binary(), nullable=False),
        pa.field("size_bytes", pa.int64(), nullable=False),
        pa.field("mtime_ns", pa.int64(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
    ]
)
RECORD = "_state/page_stats.parquet"

FileStat = tuple[int, int]  # (size in bytes, mtime in ns)
Record = tuple[str, int, int, str]  # (path, size, mtime_ns, sha256) of a page's last read
Row = tuple[str, str, int, int, str]  # (page_id, *Record)


def local_stat(path: str) -> FileStat | None:
    """Size and mtime of a local file; None for a URL or a file that cannot be stat'ed."""
    if "://" in path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def is_unchanged(
    record: Record | None, path: str, stat: FileStat | None, known: str | None
) -> bool:
    """True when the page can be skipped unread: same path, size and mtime as when it was last
    read, and the hash read then is the one published now (pure)."""
    if record is None or stat is None or known is None:
        return False
    return record == (path, stat[0], stat[1], known)


def load(wh: Warehouse) -> dict[str, Record]:
    """page_id -> record of its last read; empty when there is none or it cannot be read."""
    path = wh.layout.join(RECORD)
    try:
        with wh.fs.open(path, "rb") as handle:
            table = _read(handle)
    except FileNotFoundError:
        return {}
    except (OSError, pa.ArrowException) as exc:
        log.warning("ignoring the page stats record %s (%s): every file is hashed", path, exc)
        return {}
    columns = [table.column(name).to_pylist() for name in SCHEMA.names]
    return {
        page_id: (_path_text(path), size, mtime, sha)
        for page_id, path, size, mtime, sha in zip(*columns, strict=True)
    }


def _read(handle: BinaryIO) -> pa.Table:
    """One record file, checked against SCHEMA (ParquetFile: pq.read_table would import
    pyarrow.dataset and pandas, a quarter of an unchanged re-run's planning)."""
    table = pq.ParquetFile(handle).read()
    if not table.schema.equals(SCHEMA):
        raise pa.ArrowInvalid(f"unexpected schema {table.schema}")
    return table


def _path_bytes(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def _path_text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _parts_dir(wh: Warehouse, run_id: str) -> str:
    return wh.layout.join("_staging", run_id, "page_stats")


def stage_part(wh: Warehouse, run_id: str, name: str, rows: Iterable[Row]) -> None:
    """Stage one part of the run's new record (written even when empty: a batch ran)."""
    encoded = [(page_id, _path_bytes(path), *rest) for page_id, path, *rest in rows]
    columns = list(zip(*encoded, strict=True)) or [() for _ in SCHEMA.names]
    table = pa.table([list(c) for c in columns], schema=SCHEMA)
    folder = _parts_dir(wh, run_id)
    wh.fs.makedirs(folder, exist_ok=True)
    atomic_write(wh.fs, f"{folder}/{name}.parquet", parquet_bytes(table))


def commit(wh: Warehouse, run_id: str) -> int:
    """Replace the record by the run's staged parts (after the run's publish); returns its rows.

    Pages of the input that the run neither skipped through the record nor read successfully
    (unreadable files, changed while read) have no row, so the next run reads them.
    """
    folder = _parts_dir(wh, run_id)
    if not wh.fs.exists(folder):
        return 0
    parts = sorted(p for p in wh.fs.ls(folder, detail=False) if str(p).endswith(".parquet"))
    tables = []
    for part in parts:
        with wh.fs.open(part, "rb") as handle:
            tables.append(_read(handle))
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    table = table.sort_by("page_id")
    target = wh.layout.join(RECORD)
    wh.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
    atomic_write(wh.fs, target, parquet_bytes(table))
    return int(table.num_rows)
