"""page_states: which event of a page is current, across runs (published vs quarantined)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from etl.catalog import MATERIALIZED_VIEWS, build_catalog, connect_readonly, view_statements
from etl.publish import Warehouse, publish_run, read_manifest, write_staged_table
from etl.query import run_query
from etl.records import Mention, PageComment, PageLink, PageSource, ParsedPage
from etl.transform import PageResult, RunContext, build_tables, quarantine_table

GRACE = timedelta(minutes=10)


def _page(page_id: str, sha: str) -> PageResult:
    """A page with one comment, one link and one title mention, all depending on its version:
    version ``sha`` names the entity ``Entity <sha>`` and says ``channel <sha>``."""
    title = f"title {page_id} {sha}"
    return PageResult(
        PageSource(page_id, f"/in/{page_id}.txt", sha * 64, 10),
        ParsedPage(
            title=title,
            channel=f"channel {sha}",
            description="",
            layout="wordpress",
            title_line=1,
            comments=(PageComment(0, f"comment on {page_id} {sha}", 3, 3),),
            links=(PageLink(f"https://{sha}.example.org/{page_id}", None, "title", 1),),
        ),
        (Mention("title", sha, "ORG", len(title) - len(sha), len(title), f"Entity {sha}"),),
    )


def _publish_pages(wh: Warehouse, run_id: str, day: int, pages: dict[str, str]) -> None:
    ctx = RunContext(run_id, datetime(2024, 5, day), "rules")
    results = [_page(page_id, sha) for page_id, sha in pages.items()]
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
    assert_catalog_matches_the_logical_views(tmp_path)


def test_a_newer_published_version_wins(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path))
    _publish_pages(wh, "2024-05-01", 1, {"a": "a"})
    _quarantine_pages(wh, "2024-05-02", 2, {"a": "not_a_video_page"})
    _publish_pages(wh, "2024-05-03", 3, {"a": "b"})
    build_catalog(wh)
    assert _states(tmp_path) == {"a": ("published", "2024-05-03")}
    assert run_query(str(tmp_path), "SELECT title FROM videos")[1] == [("title a b",)]
    assert_catalog_matches_the_logical_views(tmp_path)


# Every relation whose rows depend on which version of a page is current.
CURRENT_STATE = (
    "videos",
    "comments",
    "links",
    "entities",
    "quarantine",
    "page_states",
    "page_accounting",
    "quarantine_summary",
    *MATERIALIZED_VIEWS,
)


def _sorted_rows(con: Any, relation: str) -> list[tuple[Any, ...]]:
    rows = con.execute(f"SELECT * FROM {relation}").fetchall()
    return sorted(rows, key=repr)


def assert_catalog_matches_the_logical_views(root: Path) -> None:
    """The catalog file (stored tables, faster views) gives exactly the rows of the logical
    definitions (view_statements: page_states window and semi joins) over the same manifest."""
    logical = duckdb.connect(config={"file_search_path": str(root)})
    catalog = connect_readonly(str(root))
    try:
        for stmt in view_statements(read_manifest(Warehouse.at(str(root)))):
            logical.execute(stmt)
        for relation in CURRENT_STATE:
            assert _sorted_rows(catalog, relation) == _sorted_rows(logical, relation), relation
    finally:
        logical.close()
        catalog.close()


def _entity_summary(root: Path) -> dict[str, tuple[int, int]]:
    rows = run_query(str(root), "SELECT canonical_name, mentions, videos FROM entity_summary")[1]
    return {name: (mentions, videos) for name, mentions, videos in rows}


def _derived(root: Path) -> dict[str, int]:
    """Stored table -> generation whose publish computed it."""
    return dict(run_query(str(root), "SELECT name, generation FROM _catalog_derived")[1])


def test_stored_summaries_follow_replaced_and_quarantined_versions(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path))
    _publish_pages(wh, "2024-05-01", 1, {"a": "a", "b": "a", "c": "a", "d": "a"})
    build_catalog(wh)
    assert _entity_summary(tmp_path) == {"Entity a": (4, 4)}
    assert_catalog_matches_the_logical_views(tmp_path)
    first = _derived(tmp_path)

    # b: a later version; c: the file turned bad (quarantined for good); d: a passing cause,
    # so its published version stays current; e: a new page.
    _publish_pages(wh, "2024-05-02", 2, {"b": "b", "e": "b"})
    _quarantine_pages(wh, "2024-05-03", 3, {"c": "binary", "d": "validation_failed"})
    build_catalog(wh)
    assert _entity_summary(tmp_path) == {"Entity a": (2, 2), "Entity b": (2, 2)}
    channels = run_query(str(tmp_path), "SELECT channel, videos, comments FROM channel_summary")
    assert sorted(channels[1]) == [("channel a", 2, 2), ("channel b", 2, 2)]
    overview = run_query(
        str(tmp_path), "SELECT page_id, run_id, top_entities FROM video_overview ORDER BY 1"
    )[1]
    assert overview == [
        ("a", "2024-05-01", ["Entity a"]),
        ("b", "2024-05-02", ["Entity b"]),
        ("d", "2024-05-01", ["Entity a"]),
        ("e", "2024-05-02", ["Entity b"]),
    ]
    superseded = run_query(
        str(tmp_path), "SELECT page_id, run_id, status FROM _superseded_versions ORDER BY 1, 3"
    )[1]
    assert superseded == [
        ("b", "2024-05-01", "published"),
        ("c", "2024-05-01", "published"),
        ("d", "2024-05-03", "quarantined"),
    ]
    assert_catalog_matches_the_logical_views(tmp_path)
    second = _derived(tmp_path)
    assert set(second) == set(first) and all(second[n] > first[n] for n in first)

    # Nothing new published: the stored tables are taken over, not computed again.
    build_catalog(wh)
    assert _derived(tmp_path) == second
    assert_catalog_matches_the_logical_views(tmp_path)

    # A newer version replaces a page whose older version is in a run with superseded rows.
    _publish_pages(wh, "2024-05-04", 4, {"a": "c"})
    build_catalog(wh)
    assert _entity_summary(tmp_path) == {"Entity a": (1, 1), "Entity b": (2, 2), "Entity c": (1, 1)}
    assert_catalog_matches_the_logical_views(tmp_path)
