"""publish: manifest round trip, deterministic Parquet bytes, promotion and retirement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from etl.errors import WarehouseBusy
from etl.publish import (
    Manifest,
    Warehouse,
    collect_garbage,
    parquet_bytes,
    publish_lock,
    publish_run,
    read_manifest,
    write_staged_table,
)

NOW = datetime(2024, 5, 1, tzinfo=UTC)
GRACE = timedelta(minutes=10)


def _table(value: str) -> pa.Table:
    return pa.table({"domain": [value], "platform": ["web"]})


def test_manifest_round_trip() -> None:
    m = Manifest(3, "t", {"r": {"videos": ["a.parquet"]}}, {"s": "s.parquet"}, [("old", "t")])
    assert Manifest.from_json(m.to_json()) == m


def test_parquet_bytes_are_deterministic() -> None:
    assert parquet_bytes(_table("x")) == parquet_bytes(_table("x"))


def test_publish_replaces_a_run_and_retires_old_files(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path))
    first = write_staged_table(wh, "r1", "videos-b0", _table("a"))
    m1 = publish_run(wh, "r1", {"videos": [first]}, {}, now=NOW, grace=GRACE)
    assert m1.generation == 1 and len(m1.files("videos")) == 1
    second = write_staged_table(wh, "r1", "videos-b0", _table("b"))
    m2 = publish_run(wh, "r1", {"videos": [second]}, {}, now=NOW, grace=GRACE)
    assert m2.files("videos") != m1.files("videos")
    assert [p for p, _ in m2.retired] == m1.files("videos")
    assert (tmp_path / m1.files("videos")[0]).exists()  # kept for readers during the grace period
    removed = collect_garbage(wh, m2, now=NOW + GRACE, grace=GRACE)
    assert removed == 1 and not (tmp_path / m1.files("videos")[0]).exists()
    assert read_manifest(wh).retired == []


def test_identical_republish_keeps_the_same_file(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path))
    m1 = publish_run(
        wh,
        "r1",
        {"videos": [write_staged_table(wh, "r1", "v", _table("a"))]},
        {},
        now=NOW,
        grace=GRACE,
    )
    m2 = publish_run(
        wh,
        "r1",
        {"videos": [write_staged_table(wh, "r1", "v", _table("a"))]},
        {},
        now=NOW,
        grace=GRACE,
    )
    assert m1.files("videos") == m2.files("videos") and m2.retired == []


def test_second_lock_holder_gets_a_clear_error(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path))
    with (
        publish_lock(wh),
        pytest.raises(WarehouseBusy, match="another run"),
        publish_lock(wh, wait_seconds=0),
    ):
        pass
