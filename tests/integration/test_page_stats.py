"""Re-runs skip files whose size and mtime are unchanged since their last read (etl.page_stats)."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from etl import page_stats, pipeline
from etl.config import Settings, project_root
from etl.publish import Warehouse
from etl.storage import RawPage, read_page_bytes

SEEDS = project_root() / "seeds" / "pages"


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        input=str(tmp_path / "in"),
        warehouse=str(tmp_path / "wh"),
        entity_backend="rules",
        entity_backend_explicit=True,
        workers=1,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for page in sorted(SEEDS.glob("*.txt"))[:5]:
        shutil.copy2(page, folder / page.name)
    return folder


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    paths: list[str] = []

    def counting(path: str, limit: int) -> RawPage:
        paths.append(path)
        return read_page_bytes(path, limit)

    monkeypatch.setattr(pipeline, "read_page_bytes", counting)
    return paths


def _run(settings: Settings, run_id: str) -> pipeline.RunSummary:
    return pipeline.run(settings, run_id=run_id, logical_date=date(2024, 5, 1))


def test_an_unchanged_landing_folder_is_not_read_again(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    first = _run(settings, "a")
    reads = _count_reads(monkeypatch)
    second = _run(settings, "b")
    assert reads == []  # nothing opened: every page matched its size + mtime record
    assert second.status == "nothing_to_do"
    assert second.pages_skipped == second.pages_seen == first.pages_seen == 5
    record = page_stats.load(Warehouse.at(settings.warehouse))
    assert len(record) == 5  # carried over whole by the run that skipped everything


def test_a_changed_or_touched_file_is_read_and_only_a_changed_one_processed(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    _run(settings, "a")
    changed, touched = sorted(landing.iterdir())[:2]
    with changed.open("a", encoding="utf-8") as handle:
        handle.write("\nOne more line at the end.\n")
    os.utime(touched, ns=(1_000_000_000, 1_000_000_000))  # same bytes, another mtime
    reads = _count_reads(monkeypatch)
    summary = _run(settings, "b")
    assert sorted(reads) == sorted([str(changed), str(touched)])
    assert summary.pages_published == 1 and summary.pages_skipped == 4
    record = page_stats.load(Warehouse.at(settings.warehouse))
    assert record[touched.stem][2] == 1_000_000_000  # the touch is recorded: not read next time
    reads.clear()
    assert _run(settings, "c").status == "nothing_to_do" and reads == []


def test_same_size_and_mtime_hides_an_edit_until_rehash(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The documented limit of the shortcut (as for make or rsync): an edit that keeps both the
    # size and the mtime is not seen, unless the run is asked to rehash.
    settings = _settings(tmp_path)
    _run(settings, "a")
    page = sorted(landing.iterdir())[0]
    st = page.stat()
    data = bytearray(page.read_bytes())
    index = data.index(b"a")
    data[index : index + 1] = b"b"
    page.write_bytes(bytes(data))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _run(settings, "b").pages_published == 0
    summary = _run(_settings(tmp_path, rehash=True), "c")
    assert summary.pages_published == 1 and summary.pages_skipped == 4


def test_a_damaged_record_means_hashing_every_file(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path)
    _run(settings, "a")
    record = Path(settings.warehouse) / page_stats.RECORD
    record.write_bytes(b"not parquet")
    reads = _count_reads(monkeypatch)
    summary = _run(settings, "b")
    assert len(reads) == 5 and summary.status == "nothing_to_do"
    assert "ignoring the page stats record" in caplog.text
    assert len(page_stats.load(Warehouse.at(settings.warehouse))) == 5  # rebuilt by the run


def test_a_page_quarantined_for_a_retryable_reason_is_read_again(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The record only vouches for pages settled with the hash it holds: a page whose last run
    # ended in a retryable quarantine (here: the entity backend failed) has no published hash.
    settings = _settings(tmp_path)
    victim = sorted(landing.iterdir())[0].stem
    real = pipeline._annotate

    def failing_on_victim(backend: str, pages: list[tuple[object, object]]) -> object:
        mentions, failures = real(backend, pages)  # type: ignore[arg-type]
        return mentions, {**failures, victim: "entity backend error: boom"}

    monkeypatch.setattr(pipeline, "_annotate", failing_on_victim)
    assert _run(settings, "a").quarantined == {"entity_error": 1}
    monkeypatch.setattr(pipeline, "_annotate", real)
    reads = _count_reads(monkeypatch)
    summary = _run(settings, "b")
    assert [Path(p).stem for p in reads] == [victim] and summary.pages_published == 1


def test_is_unchanged_needs_every_part_to_match() -> None:
    record = ("/in/p.txt", 10, 99, "abc")
    assert page_stats.is_unchanged(record, "/in/p.txt", (10, 99), "abc")
    assert not page_stats.is_unchanged(record, "/in/p.txt", (11, 99), "abc")
    assert not page_stats.is_unchanged(record, "/in/p.txt", (10, 98), "abc")
    assert not page_stats.is_unchanged(record, "/in/q.txt", (10, 99), "abc")
    assert not page_stats.is_unchanged(record, "/in/p.txt", (10, 99), "abd")  # republished
    assert not page_stats.is_unchanged(record, "/in/p.txt", (10, 99), None)  # not settled
    assert not page_stats.is_unchanged(None, "/in/p.txt", (10, 99), "abc")
    assert not page_stats.is_unchanged(record, "/in/p.txt", None, "abc")  # remote: no stat
    assert page_stats.local_stat("s3://bucket/p.txt") is None


def test_a_file_name_that_is_not_utf8_round_trips_through_the_record(
    tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = sorted(landing.iterdir())[0]
    odd = os.path.join(os.fsencode(landing), b"caf\xe9.txt")
    with open(odd, "wb") as handle:
        handle.write(seed.read_bytes())
    settings = _settings(tmp_path)
    assert _run(settings, "a").pages_seen == 6
    reads = _count_reads(monkeypatch)
    assert _run(settings, "b").status == "nothing_to_do" and reads == []
