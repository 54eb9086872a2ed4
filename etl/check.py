"""Reconciliation: every input page is accounted for exactly once in current videos ∪ quarantine.

This is the "nothing lost, nothing duplicated" promise made checkable. The warehouse side is read
from the committed manifest (the commit point), not from ``warehouse.duckdb``, so the answer is
right even while the catalog lags after a crash; the catalog's generation is reported beside it.
The per-page counts come from the ``page_accounting`` view (etl/sql/views), which BI users see too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from etl.catalog import catalog_generation, view_statements
from etl.errors import UsageError
from etl.publish import Manifest, Warehouse, read_manifest
from etl.storage import discover_pages

log = logging.getLogger(__name__)

_SHOWN_IDS = 20


@dataclass(frozen=True, slots=True)
class PageCount:
    """How often one page appears in the current ``videos`` and ``quarantine`` views."""

    page_id: str
    video_count: int
    quarantine_count: int


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The outcome of comparing the input's page ids with the warehouse's current state.

    ``missing``: input pages in neither view; ``in_both``: pages both published and quarantined;
    ``duplicated``: pages more than once in one view; ``not_in_input``: warehouse pages whose file
    is no longer in the input (informational: removing a file does not unpublish its page).
    """

    input_pages: int
    published: int
    quarantined: int
    missing: tuple[str, ...]
    in_both: tuple[str, ...]
    duplicated: tuple[str, ...]
    not_in_input: tuple[str, ...]
    manifest_generation: int
    catalog_generation: int | None

    @property
    def ok(self) -> bool:
        return not (self.missing or self.in_both or self.duplicated)

    @property
    def catalog_current(self) -> bool:
        return self.catalog_generation == self.manifest_generation


def compare(
    input_ids: Iterable[str],
    counts: Iterable[PageCount],
    *,
    manifest_generation: int = 0,
    catalog_generation: int | None = None,
) -> Reconciliation:
    """Pure comparison of input page ids with per-page warehouse counts (result ids sorted)."""
    wanted = set(input_ids)
    by_id = {c.page_id: c for c in counts}
    input_counts = [by_id[p] for p in sorted(wanted) if p in by_id]
    return Reconciliation(
        input_pages=len(wanted),
        published=sum(1 for c in input_counts if c.video_count == 1 and not c.quarantine_count),
        quarantined=sum(1 for c in input_counts if c.quarantine_count == 1 and not c.video_count),
        missing=tuple(sorted(wanted - by_id.keys())),
        in_both=tuple(c.page_id for c in input_counts if c.video_count and c.quarantine_count),
        duplicated=tuple(
            c.page_id for c in input_counts if c.video_count > 1 or c.quarantine_count > 1
        ),
        not_in_input=tuple(sorted(by_id.keys() - wanted)),
        manifest_generation=manifest_generation,
        catalog_generation=catalog_generation,
    )


def page_counts(wh: Warehouse, manifest: Manifest) -> list[PageCount]:
    """Per-page counts from the ``page_accounting`` view over ``manifest``'s files."""
    if not manifest.partitions:
        return []
    con = duckdb.connect(config={"file_search_path": wh.local_root})
    try:
        for stmt in view_statements(manifest):
            con.execute(stmt)
        rows = con.execute(
            "SELECT page_id, video_count, quarantine_count FROM page_accounting ORDER BY page_id"
        ).fetchall()
    finally:
        con.close()
    return [PageCount(str(p), int(v), int(q)) for p, v, q in rows]


def reconcile(input_url: str, warehouse_dir: str) -> Reconciliation:
    """Compare the pages ``discover_pages`` finds under ``input_url`` with the committed warehouse.

    Raises UsageError when the input or the warehouse directory does not exist.
    """
    wh = Warehouse.at(warehouse_dir, create=False)
    if not os.path.isdir(wh.local_root):
        raise UsageError(f"no warehouse at {warehouse_dir}; run `etl run` first")
    refs = discover_pages(input_url)
    manifest = read_manifest(wh)
    result = compare(
        (r.page_id for r in refs),
        page_counts(wh, manifest),
        manifest_generation=manifest.generation,
        catalog_generation=catalog_generation(wh) if manifest.generation else 0,
    )
    log.info(
        "reconciled %d input pages: %d published, %d quarantined, %d missing, %d in both, "
        "%d duplicated",
        result.input_pages,
        result.published,
        result.quarantined,
        len(result.missing),
        len(result.in_both),
        len(result.duplicated),
    )
    return result


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:_SHOWN_IDS])
    return shown + (f", … ({len(ids) - _SHOWN_IDS} more)" if len(ids) > _SHOWN_IDS else "")


def format_reconciliation(result: Reconciliation) -> str:
    """The human report ``etl check`` prints: counts, then each problem with (some) page ids."""
    lines = [
        f"check: {'ok' if result.ok else 'FAILED'} — {result.input_pages} input pages: "
        f"{result.published} published, {result.quarantined} quarantined, "
        f"{len(result.missing)} missing, {len(result.in_both)} both published and quarantined, "
        f"{len(result.duplicated)} duplicated",
    ]
    for label, ids in (
        ("missing (in neither videos nor quarantine)", result.missing),
        ("in both videos and quarantine", result.in_both),
        ("duplicated", result.duplicated),
    ):
        if ids:
            lines.append(f"  {label}: {_ids(ids)}")
    if result.not_in_input:
        lines.append(
            f"  note: {len(result.not_in_input)} warehouse pages are not in this input "
            f"(e.g. {_ids(result.not_in_input[:3])})"
        )
    if not result.catalog_current:
        lines.append(
            f"  note: warehouse.duckdb is at generation {result.catalog_generation}, the manifest "
            f"at {result.manifest_generation}; the next `etl run` or `etl catalog` rebuilds it"
        )
    return "\n".join(lines) + "\n"
