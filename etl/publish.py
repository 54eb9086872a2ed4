"""Write-audit-publish: staged Parquet -> immutable table files -> manifest swap -> catalog swap.

The manifest (``_manifest.json``) is the commit point: it lists, per run (partition), the files of
every table. Table files are content-addressed and never rewritten, so a reader holding an old
catalog keeps working; files a publish replaces are *retired* and deleted only after a grace
period. A crash at any point leaves either the old manifest (old state) or the new one (new state);
the catalog is rebuilt from the manifest whenever its generation lags behind.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import io
import json
import logging
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from etl.config import fault_point
from etl.errors import PublishError, UsageError, WarehouseBusy
from etl.storage import WarehouseLayout, filesystem, is_local

log = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "row_group_size": 128 * 1024,
    "write_statistics": True,
}


@dataclass(frozen=True, slots=True)
class Warehouse:
    """A warehouse root on some filesystem."""

    url: str
    fs: fsspec.AbstractFileSystem
    layout: WarehouseLayout

    @classmethod
    def at(cls, url: str, *, create: bool = True) -> Warehouse:
        fs, root = filesystem(url)
        if is_local(fs):
            root = os.path.abspath(root)
            if os.path.exists(root) and not os.path.isdir(root):
                raise UsageError(f"warehouse {url!r} exists and is not a directory")
        if create:
            try:
                fs.makedirs(root, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot create warehouse directory {url!r}: {exc}") from exc
        return cls(url=url, fs=fs, layout=WarehouseLayout(root))

    @property
    def local_root(self) -> str:
        if not is_local(self.fs):
            raise UsageError(
                f"the DuckDB catalog needs a local warehouse directory, got {self.url!r}; "
                "see README 'Scaling out' for object storage"
            )
        return self.layout.root


@dataclass(frozen=True, slots=True)
class Manifest:
    """The committed state: per run id, per table, the table files (paths relative to the root)."""

    generation: int = 0
    published_at: str | None = None
    partitions: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    seeds: dict[str, str] = field(default_factory=dict)
    retired: list[tuple[str, str]] = field(default_factory=list)

    def files(self, table: str) -> list[str]:
        """All live files of ``table`` across runs, in run id order (deterministic)."""
        return [f for run in sorted(self.partitions) for f in self.partitions[run].get(table, [])]

    def to_json(self) -> bytes:
        body = {
            "format": MANIFEST_FORMAT,
            "generation": self.generation,
            "published_at": self.published_at,
            "partitions": self.partitions,
            "seeds": self.seeds,
            "retired": [list(r) for r in self.retired],
        }
        return json.dumps(body, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        body = json.loads(data)
        if body.get("format") != MANIFEST_FORMAT:
            raise PublishError(f"unsupported manifest format {body.get('format')!r}")
        return cls(
            generation=int(body["generation"]),
            published_at=body.get("published_at"),
            partitions={k: dict(v) for k, v in body.get("partitions", {}).items()},
            seeds=dict(body.get("seeds", {})),
            retired=[(str(p), str(t)) for p, t in body.get("retired", [])],
        )


def read_manifest(wh: Warehouse) -> Manifest:
    """The committed manifest, or an empty one for a new warehouse."""
    path = wh.layout.manifest_path
    try:
        with wh.fs.open(path, "rb") as handle:
            return Manifest.from_json(handle.read())
    except FileNotFoundError:
        return Manifest()
    except (ValueError, KeyError) as exc:
        raise PublishError(f"manifest {path} is unreadable: {exc}") from exc


# Every step of a run at which a test can inject a fault, in the order a run passes them.
FAULT_POINTS = (
    "run_locked",  # pipeline.run holds the lock, nothing written yet
    "after_plan",  # the plan is saved, no batch processed (tests remove the input here)
    "mid_promotion",  # the first staged file has been moved to its immutable home
    "after_files",  # all table and seed files promoted, manifest not written
    "catalog_tmp_written",  # the new catalog is complete beside the old one, not swapped in
    "manifest_tmp_written",  # the new manifest is fsynced beside the old one, not renamed
    "after_manifest",  # commit point passed, catalog not swapped
    "after_catalog",  # catalog swapped, garbage not collected
    "mid_gc",  # the first retired file has been deleted
    "after_gc",  # garbage collected, staging not cleared
)
_FAULT_ERRNOS = {"enospc": errno.ENOSPC, "eacces": errno.EACCES, "erofs": errno.EROFS}


def fault_hook(point: str) -> None:
    """Test hook at a named step of a run, armed by ``ETL_FAULT_POINT=<point>[:<action>]``.

    Actions: ``kill`` (default) SIGKILLs the process, a crash nothing can clean up after;
    ``pause=<seconds>`` sleeps, to hold the step open while a test races another run against it;
    ``enospc``/``eacces``/``erofs`` raise the OSError a full disk, a permission problem or a
    read-only mount would raise there. Tests reach every point deterministically this way.
    """
    spec = fault_point()
    if spec is None:
        return
    name, _, action = spec.partition(":")
    if name != point:
        return
    action = action or "kill"
    log.warning("fault injection at %s: %s", point, action)
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action.startswith("pause="):
        time.sleep(float(action.removeprefix("pause=")))
    elif action in _FAULT_ERRNOS:
        code = _FAULT_ERRNOS[action]
        raise OSError(code, f"{os.strerror(code)} (injected at {point})")
    else:
        raise ValueError(f"unknown fault action {action!r} in ETL_FAULT_POINT")


_crash_here = fault_hook  # the original name of the hook


def atomic_write(
    fs: fsspec.AbstractFileSystem, path: str, data: bytes, *, fault: str | None = None
) -> None:
    """Write ``data`` so readers see the old file or the new one, never a partial one.

    ``fault`` names the fault point between the fsynced temp file and the rename (tests only). A
    failed write removes its temp file, so a full disk leaves no half-written files behind.
    """
    if not is_local(fs):
        fs.pipe_file(path, data)  # single-object PUTs are atomic on object stores
        return
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if fault:
            fault_hook(fault)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def parquet_bytes(table: pa.Table) -> bytes:
    """Serialize a table to Parquet deterministically (same table -> same bytes)."""
    sink = io.BytesIO()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue()


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def write_staged_table(wh: Warehouse, run_id: str, name: str, table: pa.Table) -> str:
    """Write one staged table file under the run's staging dir; returns its path relative to root.

    The file name carries the content digest, so identical output is recognised at publish time.
    """
    data = parquet_bytes(table)
    rel = f"_staging/{run_id}/{name}-{content_digest(data)}.parquet"
    path = wh.layout.join(rel)
    wh.fs.makedirs(
        os.path.dirname(path) if is_local(wh.fs) else path.rsplit("/", 1)[0], exist_ok=True
    )
    try:
        atomic_write(wh.fs, path, data)
    except OSError as exc:
        raise PublishError(f"cannot write staged file {path}: {exc}") from exc
    return rel


@contextlib.contextmanager
def publish_lock(wh: Warehouse, *, wait_seconds: float = 0) -> Iterator[None]:
    """Exclusive lock on the warehouse for one run; a second run waits or gets WarehouseBusy."""
    if not is_local(wh.fs):
        yield  # object stores: one publisher is ensured by the orchestrator (max_active_runs=1)
        return
    info_path = wh.layout.lock_path + ".holder"
    lock = FileLock(wh.layout.lock_path, timeout=wait_seconds)
    try:
        lock.acquire()
    except Timeout:
        holder = ""
        with contextlib.suppress(OSError), open(info_path, encoding="utf-8") as handle:
            holder = handle.read().strip()
        raise WarehouseBusy(
            f"another run is writing to {wh.url} ({holder or 'holder unknown'}); "
            "wait for it or pass --wait SECONDS"
        ) from None
    except OSError as exc:
        raise PublishError(f"cannot lock warehouse {wh.url}: {exc}") from exc
    try:
        with contextlib.suppress(OSError), open(info_path, "w", encoding="utf-8") as handle:
            handle.write(
                f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}"
            )
        yield
    finally:
        lock.release()


def _promote(wh: Warehouse, staged_rel: str, table: str, run_id: str) -> str:
    """Move a staged file to its immutable home; returns the final path relative to root."""
    digest = staged_rel.rsplit("-", 1)[-1].removesuffix(".parquet")
    final_rel = WarehouseLayout.rel_table_file(table, run_id, digest)
    src, dst = wh.layout.join(staged_rel), wh.layout.join(final_rel)
    if wh.fs.exists(dst):
        wh.fs.rm(src)  # identical content is already published (re-run of the same input)
    else:
        wh.fs.makedirs(dst.rsplit("/", 1)[0], exist_ok=True)
        wh.fs.mv(src, dst)
        if is_local(wh.fs):
            # Published files are immutable: read-only, so a reader's COPY cannot overwrite one.
            os.chmod(dst, 0o444)
    return final_rel


def publish_run(
    wh: Warehouse,
    run_id: str,
    staged: Mapping[str, list[str]],
    seeds: Mapping[str, pa.Table],
    *,
    now: datetime,
    grace: timedelta,
    before_commit: Callable[[Manifest], None] | None = None,
) -> Manifest:
    """Publish the staged files of ``run_id``, replacing that run's previous output atomically.

    ``staged`` maps table name -> staged file paths (relative to root). Returns the new manifest.
    ``before_commit`` runs with the new manifest just before it is written (the pipeline builds
    the new catalog there, so a full disk fails the run before its commit point, not after).
    The caller holds ``publish_lock``.
    """
    try:
        old = read_manifest(wh)
        files: dict[str, list[str]] = {}
        for table, rels in sorted(staged.items()):
            if rels:
                files[table] = sorted(_promote(wh, rel, table, run_id) for rel in rels)
                fault_hook("mid_promotion")
        seed_files = {name: _publish_seed(wh, name, table) for name, table in sorted(seeds.items())}
        fault_hook("after_files")

        partitions = dict(old.partitions)
        partitions[run_id] = files
        live = {f for run in partitions.values() for fs_ in run.values() for f in fs_}
        live |= set(seed_files.values())
        previously_live = {
            f for run in old.partitions.values() for fs_ in run.values() for f in fs_
        }
        previously_live |= set(old.seeds.values())
        stamp = now.isoformat()
        retired = [(p, t) for p, t in old.retired if p not in live]
        retired += [(p, stamp) for p in sorted(previously_live - live)]
        new = Manifest(
            generation=old.generation + 1,
            published_at=stamp,
            partitions=partitions,
            seeds=seed_files,
            retired=retired,
        )
        if before_commit is not None:
            before_commit(new)
        atomic_write(wh.fs, wh.layout.manifest_path, new.to_json(), fault="manifest_tmp_written")
        fault_hook("after_manifest")
    except OSError as exc:
        raise PublishError(f"publishing run {run_id} to {wh.url} failed: {exc}") from exc
    return new


def _publish_seed(wh: Warehouse, name: str, table: pa.Table) -> str:
    data = parquet_bytes(table)
    rel = WarehouseLayout.rel_seed_file(name, content_digest(data))
    path = wh.layout.join(rel)
    if not wh.fs.exists(path):
        wh.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        atomic_write(wh.fs, path, data)
    return rel


def collect_garbage(wh: Warehouse, manifest: Manifest, *, now: datetime, grace: timedelta) -> int:
    """Delete retired files older than ``grace`` and leftover staging dirs; returns files removed.

    Never touches a file the manifest lists as live. Retired files stay for ``grace`` so BI
    connections opened on the previous catalog keep working while they finish their queries.
    """
    removed = 0
    keep: list[tuple[str, str]] = []
    for rel, retired_at in manifest.retired:
        if now - datetime.fromisoformat(retired_at) >= grace:
            with contextlib.suppress(FileNotFoundError):
                wh.fs.rm(wh.layout.join(rel))
                removed += 1
                fault_hook("mid_gc")
        else:
            keep.append((rel, retired_at))
    if len(keep) != len(manifest.retired):
        pruned = Manifest(
            generation=manifest.generation,
            published_at=manifest.published_at,
            partitions=manifest.partitions,
            seeds=manifest.seeds,
            retired=keep,
        )
        atomic_write(wh.fs, wh.layout.manifest_path, pruned.to_json())
    fault_hook("after_gc")
    return removed


def clean_leftovers(wh: Warehouse, *, now: datetime, grace: timedelta) -> list[str]:
    """Remove what crashed runs left behind; the caller holds ``publish_lock``.

    Temp files of the manifest and the catalog, and promoted table files, are only ever written
    under the lock, so any that the manifest does not know belong to a dead process. Staging
    dirs are removed only when older than ``grace``: an Airflow run stages batches without the
    lock, and its fresh staging dir must survive. Returns the paths removed (relative to root).
    """
    if not is_local(wh.fs):
        return []
    root = wh.local_root
    removed: list[str] = []
    prefixes = (f"{wh.layout.manifest_path}.tmp-", f"{wh.layout.catalog_path}.tmp-")
    for path in sorted(p for prefix in prefixes for p in glob.glob(glob.escape(prefix) + "*")):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
            removed.append(os.path.relpath(path, root))
    removed += _remove_orphans(wh, read_manifest(wh))
    staging = wh.layout.join("_staging")
    cutoff = (now - grace).timestamp()
    with contextlib.suppress(FileNotFoundError):
        for entry in sorted(os.scandir(staging), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False) and _newest_mtime(entry.path) < cutoff:
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(os.path.relpath(entry.path, root))
    if removed:
        log.info("removed %d leftovers of crashed runs: %s", len(removed), ", ".join(removed))
    return removed


def _remove_orphans(wh: Warehouse, manifest: Manifest) -> list[str]:
    """Delete table and seed files the manifest neither lists nor retires (relative paths).

    Such files were promoted by a run that died before its commit point. Promotion and commit
    both happen under the lock, so while the caller holds it no live run can own them.
    """
    known = {f for run in manifest.partitions.values() for files in run.values() for f in files}
    known |= set(manifest.seeds.values()) | {rel for rel, _ in manifest.retired}
    removed = []
    for top in ("tables", "seeds"):
        for path in sorted(
            glob.glob(glob.escape(wh.layout.join(top)) + "/**/*.parquet", recursive=True)
        ):
            rel = os.path.relpath(path, wh.layout.root).replace(os.sep, "/")
            if rel not in known:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                    removed.append(rel)
    return removed


def _newest_mtime(path: str) -> float:
    """Newest modification time of a directory and the files directly in it."""
    newest = os.stat(path).st_mtime
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(path):
            with contextlib.suppress(FileNotFoundError):
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    return newest


def clear_staging(wh: Warehouse, run_id: str | None = None) -> None:
    """Remove the staging dir of one run, or of every run when ``run_id`` is None."""
    path = wh.layout.staging_dir(run_id) if run_id else wh.layout.join("_staging")
    if wh.fs.exists(path):
        wh.fs.rm(path, recursive=True)
