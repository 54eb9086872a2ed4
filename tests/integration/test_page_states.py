"""page_states: which event of a page is current, across runs (published vs quarantined)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from etl.catalog import build_catalog
from etl.publish import Warehouse, publish_run, write_staged_table
from etl.query import run_query
from etl.records import PageSource, ParsedPage
from etl.transform import PageResult, RunContext, build_tables, quarantine_table

GRACE = timedelta(minutes=10)


def _publish_pages(wh: Warehouse, run_id: str, day: int, pages: dict[str, str]) -> None:
    ctx = RunContext(run_id, datetime(2024, 5, day), "rules")
    results = [
        PageResult(
            PageSource(page_id, f"/in/{page_id}.txt", sha * 64, 10),
            ParsedPage(
                title=f"title {page_id} {sha}",
                channel=None,
                description="",
                layout="news",
                title_line=1,
            ),
            (),
        )
        for page_id, sha in pages.items()
    ]
    tables = build_tables(results, ctx, {})
    staged = {name: [write_staged_table(wh, run_id, name, t)] for name, t in tables.items()}
    publish_run(wh, run_id, staged, {}, now=datetime(2024, 5, day, tzinfo=UTC), grace=GRACE)


def _quarantine_pages(wh: Warehouse, run_id: str, day: int, reasons: dict[str, str]) -> None:
    at = datetime(2024, 5, day)
    rows = [
        {
            "page_id": p,
            "source_file": f"/in/{p}.txt",
            "content_sha256": "f" * 64,
            "reason_code": reason,
            "message": reason,
            "line_number": None,
            "run_id": run_id,
            "quarantined_at": at,
        }
        for p, reason in reasons.items()
    ]
    staged = {"quarantine": [write_staged_table(wh, run_id, "quarantine", quarantine_table(rows))]}
    publish_run(wh, run_id, staged, {}, now=datetime(2024, 5, day, tzinfo=UTC), grace=GRACE)


def _states(root: Path) -> dict[str, tuple[str, str]]:
    rows = run_query(str(root), "SELECT page_id, status, run_id FROM page_states")[1]
    return {page: (status, run) for page, status, run in rows}


def test_retryable_quarantine_never_hides_an_earlier_published_version(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path))
    _publish_pages(wh, "2024-05-01", 1, {"a": "a", "b": "b", "c": "c"})
    _quarantine_pages(wh, "2024-05-02", 2, {"a": "validation_failed", "b": "binary"})
    _quarantine_pages(wh, "2024-05-03", 3, {"d": "unreadable"})
    build_catalog(wh)
    assert _states(tmp_path) == {
        "a": ("published", "2024-05-01"),  # the failed re-run left the good version visible
        "b": ("quarantined", "2024-05-02"),  # the file itself is now bad: the page is quarantined
        "c": ("published", "2024-05-01"),
        "d": ("quarantined", "2024-05-03"),  # never published: its quarantine is its state
    }
    videos = run_query(str(tmp_path), "SELECT page_id FROM videos ORDER BY page_id")[1]
    assert videos == [("a",), ("c",)]
    quarantined = run_query(str(tmp_path), "SELECT page_id FROM quarantine ORDER BY page_id")[1]
    assert quarantined == [("b",), ("d",)]
    history = run_query(str(tmp_path), "SELECT count(*) FROM quarantine_history")[1]
    assert history == [(3,)]


def test_a_newer_published_version_wins(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path))
    _publish_pages(wh, "2024-05-01", 1, {"a": "a"})
    _quarantine_pages(wh, "2024-05-02", 2, {"a": "not_a_video_page"})
    _publish_pages(wh, "2024-05-03", 3, {"a": "b"})
    build_catalog(wh)
    assert _states(tmp_path) == {"a": ("published", "2024-05-03")}
    assert run_query(str(tmp_path), "SELECT title FROM videos")[1] == [("title a b",)]
