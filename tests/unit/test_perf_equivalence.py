"""The fast paths of the performance work give the same answers as the general code they bypass."""

from __future__ import annotations

import gc
import os
import posixpath
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl import pipeline, storage
from etl.publish import Warehouse


def _glob_discovery(root: str) -> list[str]:
    """What discovery returned before its local fast path: fsspec glob + one isfile each."""
    fs, path = storage.filesystem(root)
    found = fs.glob(posixpath.join(path, "**", "*.txt"))
    return sorted(p for p in found if storage._is_regular_file(fs, p))


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    for rel in ("a.txt", "sub/b.txt", "sub/deeper/c.txt", ".hidden.txt", ".hdir/d.txt", "x.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("Title\n", encoding="utf-8")
    (root / "folder.txt").mkdir()
    (root / "folder.txt" / "inner.txt").write_text("t\n", encoding="utf-8")
    os.symlink(root / "a.txt", root / "link.txt")
    os.symlink(root / "missing", root / "broken.txt")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "e.txt").write_text("t\n", encoding="utf-8")
    os.symlink(outside, root / "linked_dir")
    return root


@pytest.mark.parametrize("suffix", ["", "/"])
def test_local_discovery_matches_the_fsspec_glob(tmp_path: Path, suffix: str) -> None:
    root = str(_tree(tmp_path)) + suffix
    refs = storage.discover_pages(root)
    assert [r.path for r in refs] == _glob_discovery(root)
    assert {r.page_id for r in refs} >= {"a", "b", "c", ".hidden", "d", "link", "inner"}


def test_plain_open_reads_what_fsspec_reads(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_bytes(b"\xef\xbb\xbfTitle\r\nbody\n" * 100)
    local = storage.read_page_bytes(str(page), limit=50)
    via_url = storage.read_page_bytes(f"file://{page}", limit=50)
    assert local == via_url


def _plan(wh_dir: Path, batches: list[list[pipeline.PlannedPage]]) -> pipeline.RunPlan:
    """A saved plan (batch files on disk, as plan_run leaves them) of the given batches."""
    wh = Warehouse.at(str(wh_dir))
    for n, refs in enumerate(batches):
        pipeline.save_batch_refs(wh, "r", n, refs)
    return pipeline.RunPlan(
        run_id="r",
        logical_date=None,
        ingested_at="2024-05-01T00:00:00",
        started_at="2024-05-01T00:00:00",
        entity_backend="rules",
        pages_seen=sum(len(b) for b in batches),
        pages_known=sum(1 for b in batches for ref in b if ref[2] is not None),
        pages_unchanged=0,
        batch_sizes=[len(b) for b in batches],
    )


def test_the_plan_a_pool_task_gets_holds_no_page(tmp_path: Path) -> None:
    # Each task's arguments are pickled to a worker: a plan holding every page of the run made
    # that O(pages x batches), and the main process held every page during the batches.
    page = pipeline.PlannedPage
    batches = [
        [page("p1", "/a", None, 10, 1)],
        [page("p2", "/b", "x"), page("p3", "/c", None)],
        [page("p4", "/d", None)],
    ]
    plan = _plan(tmp_path / "wh", batches)
    wh = Warehouse.at(str(tmp_path / "wh"))
    assert [pipeline.batch_refs(wh, "r", n) for n in range(plan.batch_count)] == batches
    assert pipeline.RunPlan.from_json(plan.to_json()) == plan
    assert b"/b" not in plan.to_json() and (plan.pages_seen, plan.pages_known) == (4, 1)


def test_a_missing_batch_file_is_a_usage_error(tmp_path: Path) -> None:
    from etl.errors import UsageError

    _plan(tmp_path / "wh", [[pipeline.PlannedPage("p1", "/a", None)]])
    with pytest.raises(UsageError, match="no batch 3"):
        pipeline.batch_refs(Warehouse.at(str(tmp_path / "wh")), "r", 3)


def test_a_batch_of_unchanged_pages_loads_no_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.config import settings_from_env
    from etl.storage import read_page_bytes

    page = tmp_path / "in" / "p.txt"
    page.parent.mkdir()
    page.write_text("Title\n", encoding="utf-8")
    sha = read_page_bytes(str(page), 1000).sha256
    settings = settings_from_env(
        {}, input=str(page.parent), warehouse=str(tmp_path / "wh"), entity_backend="rules"
    )

    def _no_backend(name: str) -> None:
        raise AssertionError("the backend must not be loaded for unchanged pages")

    monkeypatch.setattr(pipeline, "_entity_backend", _no_backend)
    thresholds = gc.get_threshold()
    plan = _plan(tmp_path / "wh", [[pipeline.PlannedPage("p", str(page), sha)]])
    result = pipeline.process_batch(settings, plan, 0)
    assert gc.get_threshold() == thresholds  # the batch's GC setting does not leak out
    assert (result.pages, result.skipped, result.published, result.staged) == (1, 1, 0, {})
    assert set(result.rows) >= {"videos", "comments", "links", "entities", "quarantine"}
    assert not any(result.rows.values())


def _make_id_reference(prefix: str, *parts: str | int | None) -> str:
    """``ids.make_id`` as first written (one length-prefixed update per part)."""
    import hashlib

    h = hashlib.sha256(prefix.encode())
    for part in parts:
        text = "\x00NULL" if part is None else str(part)
        encoded = text.encode("utf-8", "surrogatepass")
        h.update(b"%d:" % len(encoded))
        h.update(encoded)
    return f"{prefix}_{h.hexdigest()[:20]}"


@given(
    st.sampled_from(["v", "c", "l", "m", "é"]),
    st.lists(st.one_of(st.none(), st.integers(), st.text()), max_size=7),
)
def test_make_id_fast_path_gives_the_same_ids(prefix: str, parts: list[str | int | None]) -> None:
    from etl import ids

    assert ids.make_id(prefix, *parts) == _make_id_reference(prefix, *parts)


def test_make_id_non_ascii_and_lone_surrogates_take_the_byte_path() -> None:
    from etl import ids

    for parts in (("\ud800",), ("Путин", 3), ("a", None, "\x00NULL"), ()):
        assert ids.make_id("m", *parts) == _make_id_reference("m", *parts)
