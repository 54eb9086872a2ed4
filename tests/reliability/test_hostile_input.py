"""Promise 4 (hostile input): huge pages, many pages, odd names and folders, a vanishing input.

Every test ends with the reconciliation of promise 6: each input page is in current videos or
quarantine exactly once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from etl import pipeline
from etl.check import reconcile
from etl.config import settings_from_env
from etl.errors import PageRejected
from etl.extract import decode_page
from etl.parse import parse_page_strict
from etl.query import run_query
from etl.storage import discover_pages
from tests.conftest import PROJECT_ROOT
from tests.reliability.support import (
    check,
    etl,
    etl_command,
    etl_env,
    run_args,
    seed_text,
    variant,
    write_corpus,
)

# The full 100k is run by hand (RELIABILITY_TINY_PAGES=100000); the suite runs a slice.
TINY_PAGES = int(os.environ.get("RELIABILITY_TINY_PAGES", "1000"))


def run_in_process(landing: Path, warehouse: Path, **overrides: object) -> pipeline.RunSummary:
    settings = settings_from_env(
        {},
        input=str(landing),
        warehouse=str(warehouse),
        entity_backend="rules",
        workers=overrides.pop("workers", 1),
        **overrides,
    )
    return pipeline.run(settings, run_id="2024-05-01", logical_date=date(2024, 5, 1))


def states(warehouse: Path) -> dict[str, tuple[str, str | None]]:
    """page_id -> (status, quarantine reason or None) from the current views."""
    _, rows = run_query(
        str(warehouse),
        """SELECT s.page_id, s.status, q.reason_code FROM page_states s
           LEFT JOIN quarantine q USING (page_id) ORDER BY s.page_id""",
    )
    return {p: (s, r) for p, s, r in rows}


def nested_replies_page(depth: int) -> str:
    """A family-A page whose one comment has replies nested ``depth`` levels deep."""
    replies = [
        f"{'  ' * (d + 1)}1. @user{d} I reply to the one above, level {d}" for d in range(depth)
    ]
    return "\n".join(
        [
            "Nested replies test | Channel",
            "",
            "A video with a very deep reply chain.",
            "",
            f"{depth + 1} comments",
            "",
            "  1. The top comment",
            *replies,
            "",
            "Leave a Reply",
            "",
        ]
    )


def test_parser_survives_deeply_nested_replies() -> None:
    start = time.perf_counter()
    outcome = parse_page_strict(decode_page(nested_replies_page(1_000).encode()))
    assert time.perf_counter() - start < 20
    assert outcome.comments, "the top comment at least must be found"
    assert all(c.parent_index is None or c.parent_index < c.index for c in outcome.comments)


@pytest.mark.slow
def test_odd_names_links_and_folders_are_each_accounted_once(tmp_path: Path) -> None:
    landing, outside, warehouse = tmp_path / "landing", tmp_path / "outside", tmp_path / "wh"
    write_corpus(landing, valid=1)
    names = ["with space.txt", "ünïcödé_页面.txt", "new\nline.txt", "quote'and\"double.txt"]
    names += ["-dash.txt", "tab\tname.txt", "emoji_🎬.txt"]
    for n, name in enumerate(names):
        (landing / name).write_text(variant(10 + n))
    (landing / os.fsdecode(b"latin1_caf\xe9.txt")).write_text(variant(30))  # not UTF-8
    (landing / "deep_replies.txt").write_text(nested_replies_page(400))
    (landing / "folder.txt").mkdir()  # a directory named *.txt is not a page...
    (landing / "folder.txt" / "inside.txt").write_text(variant(40))  # ...but its pages are
    (landing / "a").mkdir()
    (landing / "b").mkdir()
    (landing / "a" / "same.txt").write_text(variant(41))
    (landing / "b" / "same.txt").write_text(variant(42))  # same stem: distinct page ids
    outside.mkdir()
    (outside / "linked_target.txt").write_text(variant(50))
    (landing / "linked.txt").symlink_to(outside / "linked_target.txt")
    (landing / "broken_link.txt").symlink_to(outside / "does_not_exist.txt")
    (landing / "loop").symlink_to(landing, target_is_directory=True)  # a cycle for ** globs
    os.mkfifo(landing / "fifo.txt")  # reading it would block forever

    discovered = {r.page_id for r in discover_pages(str(landing))}
    expected = {Path(n).stem for n in names} | {"deep_replies", "inside", "linked"}
    expected |= {"page_000", "broken_empty", "broken_binary", "broken_latin1"}
    expected |= {"latin1_caf\\xe9"}  # the byte that is not UTF-8, shown as text
    assert expected <= discovered
    assert not {"folder", "broken_link", "fifo"} & discovered
    same = sorted(p for p in discovered if p.startswith("same~"))
    assert len(same) == 2
    assert discovered - expected - set(same) <= {"loop"}  # a cycle may be read once, not forever

    run_in_process(landing, warehouse)
    result = reconcile(str(landing), str(warehouse))
    assert result.ok and result.input_pages == len(discovered), result
    assert states(warehouse)["new\nline"][0] in {"published", "quarantined"}
    cli = etl("check", "--input", str(landing), "--warehouse", str(warehouse))
    assert cli.returncode == 0 and cli.stdout.startswith("check: ok"), cli.stdout + cli.stderr


@pytest.mark.slow
def test_50_mb_page_and_5_mb_line_are_bounded(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    landing.mkdir()
    (landing / "normal.txt").write_text(seed_text())
    chunk = ("a fifty megabyte page of words " * 1000 + "\n").encode()
    with open(landing / "huge_50mb.txt", "wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
    head, _, tail = seed_text().partition("\n\nRussia’s President")
    one_line = "word " * (5 * 1024 * 1024 // 5)
    (landing / "one_5mb_line.txt").write_text(f"{head}\n\n{one_line}\n\nRussia’s President{tail}")
    assert (landing / "huge_50mb.txt").stat().st_size >= 50 * 1024 * 1024

    start = time.perf_counter()
    run_in_process(landing, warehouse)
    seconds = time.perf_counter() - start

    assert seconds < 120, f"{seconds:.1f}s"
    result = reconcile(str(landing), str(warehouse))
    assert result.ok and result.input_pages == 3, result
    found = states(warehouse)
    assert found["huge_50mb"] == ("quarantined", "too_large")
    assert found["normal"] == ("published", None)
    assert found["one_5mb_line"][0] in {"published", "quarantined"}
    _, rows = run_query(
        str(warehouse), "SELECT content_sha256 FROM quarantine WHERE page_id = 'huge_50mb'"
    )
    assert rows[0][0] and len(rows[0][0]) == 64  # the whole file was hashed, not just the head


@pytest.mark.slow
def test_many_tiny_pages(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    landing.mkdir()
    for n in range(TINY_PAGES):
        body = f"Clip {n} | Channel {n % 7}\n\nA short video, number {n}.\n"
        if n % 10 == 9:
            body = "" if n % 20 == 19 else "x\n"  # some pages are broken
        (landing / f"tiny_{n:06d}.txt").write_text(body)

    start = time.perf_counter()
    summary = run_in_process(landing, warehouse, batch_size=max(TINY_PAGES // 2, 1))
    seconds = time.perf_counter() - start

    result = reconcile(str(landing), str(warehouse))
    assert result.ok and result.input_pages == TINY_PAGES, result
    assert summary.pages_seen == TINY_PAGES
    print(f"{TINY_PAGES} tiny pages: {seconds:.1f}s, {summary.pages_published} published")
    assert seconds < 60 * max(TINY_PAGES / 1000, 1)


@pytest.mark.slow
def test_input_folder_disappears_mid_run(tmp_path: Path) -> None:
    """The folder vanishes after the plan: the run still finalizes, quarantining the planned pages
    as unreadable; once the folder is back, the next run publishes them (unreadable is retried)."""
    landing, warehouse, saved = tmp_path / "landing", tmp_path / "wh", tmp_path / "saved"
    pages = write_corpus(landing)
    shutil.copytree(landing, saved)
    proc = subprocess.Popen(
        etl_command(*run_args(landing, warehouse), "--json"),
        env=etl_env({"ETL_FAULT_POINT": "after_plan:pause=2"}),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    first_line = proc.stderr.readline()  # blocks until the run is paused after its plan
    assert "fault injection at after_plan" in first_line, first_line
    shutil.rmtree(landing)
    _, err = proc.communicate(timeout=300)

    assert proc.returncode == 0, err
    assert states(warehouse) == {p: ("quarantined", "unreadable") for p in pages}
    with pytest.raises(Exception, match="does not exist"):
        check(landing, warehouse)

    shutil.copytree(saved, landing)
    again = etl(*run_args(landing, warehouse, "2024-05-02"))
    assert again.returncode == 0, again.stderr
    result = check(landing, warehouse)
    assert result.ok and (result.published, result.quarantined) == (4, 3), result
    assert all(reason != "unreadable" for _, reason in states(warehouse).values())


def test_a_page_that_vanishes_is_rejected_not_crashed(tmp_path: Path) -> None:
    """The unit under the test above: reading a planned page that is gone raises OSError (which
    process_batch turns into an ``unreadable`` quarantine row), never anything else."""
    from etl.storage import read_page_bytes

    with pytest.raises(OSError):
        read_page_bytes(str(tmp_path / "gone.txt"), 1000)
    with pytest.raises(PageRejected):
        decode_page(b"")
