"""storage: discovery of page files and bounded reading."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from etl.errors import UsageError
from etl.storage import WarehouseLayout, discover_pages, iter_chunks, read_page_bytes
from tests.awkward import HOSTILE_FILE_NAMES


def _touch(path: Path, text: str = "Title\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_directory_is_searched_recursively_for_txt(tmp_path: Path) -> None:
    _touch(tmp_path / "b.txt")
    _touch(tmp_path / "sub" / "a.txt")
    _touch(tmp_path / "notes.md")
    refs = discover_pages(str(tmp_path))
    assert [r.page_id for r in refs] == ["b", "a"]  # sorted by path: b.txt < sub/a.txt


def test_directories_named_txt_and_broken_links_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    target = _touch(tmp_path / "real" / "page.txt")
    os.symlink(target, tmp_path / "link.txt")
    os.symlink(tmp_path / "missing", tmp_path / "broken.txt")
    ids = sorted(r.page_id for r in discover_pages(str(tmp_path)))
    assert ids == ["link", "page"]


def test_duplicate_stems_get_distinct_ids(tmp_path: Path) -> None:
    _touch(tmp_path / "x" / "p.txt")
    _touch(tmp_path / "y" / "p.txt")
    ids = [r.page_id for r in discover_pages(str(tmp_path))]
    assert len(set(ids)) == 2 and all(i.startswith("p~") for i in ids)


def test_glob_and_single_file_and_file_url(tmp_path: Path) -> None:
    a = _touch(tmp_path / "a.txt")
    _touch(tmp_path / "b.txt")
    assert [r.page_id for r in discover_pages(str(tmp_path / "a*.txt"))] == ["a"]
    assert [r.page_id for r in discover_pages(str(a))] == ["a"]
    assert [r.page_id for r in discover_pages(f"file://{tmp_path}")] == ["a", "b"]


def test_hostile_file_names(tmp_path: Path) -> None:
    for name in HOSTILE_FILE_NAMES:
        _touch(tmp_path / name)
    assert len(discover_pages(str(tmp_path))) == len(HOSTILE_FILE_NAMES)


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        discover_pages(str(tmp_path / "nope"))


def test_read_is_bounded_but_hash_covers_everything(tmp_path: Path) -> None:
    data = b"x" * 5000
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    raw = read_page_bytes(str(path), limit=100)
    assert len(raw.data) == 101 and raw.size_bytes == 5000
    assert raw.sha256 == hashlib.sha256(data).hexdigest()


def test_chunks() -> None:
    assert [len(c) for c in iter_chunks(list(range(5)), 2)] == [2, 2, 1]  # type: ignore[arg-type]


def test_layout_paths_are_relative_to_root() -> None:
    layout = WarehouseLayout("/w")
    assert layout.catalog_path == "/w/warehouse.duckdb"
    assert WarehouseLayout.rel_table_file("videos", "2024-05-01", "ab") == (
        "tables/videos/run_id=2024-05-01/ab.parquet"
    )
