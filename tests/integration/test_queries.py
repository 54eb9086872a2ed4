"""The sample queries in queries/: documented, runnable with `etl query --file`, and pinned.

Two warehouses: the hand-made one of tests/integration/bi_support.py, where every expected row
below can be worked out by reading ``demo_pages``, and the real seed page published by the
pipeline, where the pins come from reading seeds/pages/000_079ed658b08d6845.txt.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline
from etl.cli import EXIT_OK, main
from etl.config import settings_from_env
from tests.conftest import SEED_PAGES
from tests.integration.bi_support import build_demo_warehouse

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "queries"
EXPECTED_FILES = {
    "most_discussed_videos",
    "top_entities",
    "entity_co_mentions",
    "channel_link_platforms",
    "comment_length_distribution",
    "quarantine_reasons",
    "validation_history",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("queries") / "warehouse"
    build_demo_warehouse(str(root))
    return root


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seeds") / "warehouse"
    settings = settings_from_env(
        {}, input=str(SEED_PAGES), warehouse=str(root), entity_backend="rules", workers=1
    )
    logical = date(2024, 5, 1)
    pipeline.run(settings, run_id=pipeline.run_id_for(logical_date=logical), logical_date=logical)
    return root


def query(warehouse: Path, name: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """Run queries/<name>.sql through the CLI exactly as documented; rows as dicts."""
    capsys.readouterr()
    code = main(
        ["query", "--file", str(QUERIES / f"{name}.sql"), "--warehouse", str(warehouse),
         "--format", "json"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == EXIT_OK
    return [json.loads(line) for line in out.splitlines()]


def test_every_query_file_is_documented() -> None:
    files = {p.stem: p.read_text(encoding="utf-8") for p in QUERIES.glob("*.sql")}
    assert set(files) >= EXPECTED_FILES
    for name, sql in files.items():
        header = sql.split("\n\n", 1)[0]
        question = header.split("-- Question: ", 1)[-1].split("-- Columns:", 1)[0]
        assert header.startswith("-- Question: ") and question.rstrip().endswith("?"), name
        assert re.search(r"^-- Columns: ", header, flags=re.M), name
        assert f"etl query --file queries/{name}.sql" in header, name


# --- the hand-made warehouse: p1 DW News (3 comments, 1 a reply; youtube, twitter, dw.com),
# p2 DW News (2 comments; facebook), p3 Al Jazeera English (2 comments; youtube, instagram),
# p4 no channel (no comments; example.org); one empty page quarantined per run.


def test_most_discussed_videos_on_demo(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = query(demo, "most_discussed_videos", capsys)
    assert [(r["title"], r["comment_count"], r["reply_count"]) for r in rows] == [
        ("Russia and Iran", 3, 1),
        ("Drought in the Sahel", 2, 0),  # ties on 2 comments sorted by title
        ("Gaza ceasefire talks", 2, 0),
        ("A blog post with no channel", 0, 0),
    ]
    assert rows[0]["top_entities"] == ["Iran", "Russia", "Vladimir Putin"]


def test_top_entities_on_demo(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = query(demo, "top_entities", capsys)
    assert [(r["canonical_name"], r["mentions"], r["videos"]) for r in rows[:3]] == [
        ("Iran", 3, 2),  # p1 title, p1 comment, p2 description
        ("Vladimir Putin", 2, 2),  # p1 and p3 descriptions
        ("DW News", 1, 1),  # then single mentions by name
    ]
    assert len(rows) == 7


def test_entity_co_mentions_on_demo(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = query(demo, "entity_co_mentions", capsys)
    pairs = {(r["entity_a"], r["entity_b"]): r["videos"] for r in rows}
    # Iran + Vladimir Putin only share p1; p2 has Iran, p3 has Putin, so 1 video, not 2.
    assert pairs[("Iran", "Vladimir Putin")] == 1
    assert pairs[("Gaza", "Qatar")] == 1
    # Iran is mentioned twice on p1 (title, comment), Russia once: they co-occur once.
    assert {(r["entity_a"], r["entity_b"]): r["co_mentions"] for r in rows}[("Iran", "Russia")] == 1
    # p1: 3 entities -> 3 pairs; p2: 4 -> 6; p3: 2 -> 1; no pair repeats across pages.
    assert len(rows) == 10 and set(pairs.values()) == {1}


def test_channel_link_platforms_on_demo(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = query(demo, "channel_link_platforms", capsys)
    assert [(r["channel"], r["platform"], r["links"], r["share_pct"]) for r in rows] == [
        ("(no channel)", "web", 1, 100.0),
        ("Al Jazeera English", "instagram", 1, 50.0),
        ("Al Jazeera English", "youtube", 1, 50.0),
        ("DW News", "facebook", 1, 25.0),
        ("DW News", "twitter", 1, 25.0),
        ("DW News", "web", 1, 25.0),
        ("DW News", "youtube", 1, 25.0),
    ]


def test_comment_length_distribution_on_demo(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = query(demo, "comment_length_distribution", capsys)
    # Lengths: 20, 18, 2 (p1), 9, 23 (p2), 8, 53 (p3).
    assert [(r["length_bucket"], r["comments"], r["median_chars"]) for r in rows] == [
        ("1-19", 4, 8.5),
        ("20-49", 2, 21.5),
        ("50-99", 1, 53.0),
    ]
    assert sum(r["share_pct"] for r in rows) == pytest.approx(100.0, abs=0.2)


def test_quarantine_and_validation_history_on_demo(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert [(r["reason_code"], r["pages"]) for r in query(demo, "quarantine_reasons", capsys)] == [
        ("empty", 2)
    ]
    history = query(demo, "validation_history", capsys)
    assert [
        (r["run_id"], r["status"], r["pages_published"], r["pages_quarantined"],
         r["checks"], r["failed_warnings"], r["validation_status"])
        for r in history
    ] == [
        ("2024-05-01", "published", 3, 1, 2, 0, "passed"),
        ("2024-05-02", "published", 1, 1, 2, 1, "warnings"),
    ]  # fmt: skip


# --- the demo seeds (seeds/pages, 13 reviewed pages of every family, commit 2dc80ca). Pins come
# from reading the pages: 000_079ed658b08d6845 (DW News, "22 comments", 5 numbered comments,
# 7 URLs: youtube x2, dw.com, facebook, twitter, instagram, twitch), 001_bf72087323a193a4
# (Kings and Generals, "1,047 comments", 6 comments + 2 replies; the list inside comment 1 is
# part of its text), one binary file and one page that is not about a video.


@pytest.mark.slow
def test_seed_queries(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    videos = {v["title"]: v for v in query(seeds, "most_discussed_videos", capsys)}
    rome = videos["Why the Roman Empire Really Fell | Fall of Rome"]
    assert (rome["channel"], rome["comment_count"], rome["reply_count"]) == (
        "Kings and Generals", 8, 2,
    )  # fmt: skip
    assert rome["declared_comment_count"] == 1047
    dw = videos["The increasing ties between Russia and Iran"]
    assert (dw["channel"], dw["comment_count"], dw["reply_count"]) == ("DW News", 5, 0)
    assert dw["declared_comment_count"] == 22
    ranked = [v["comment_count"] for v in videos.values()]
    assert ranked == sorted(ranked, reverse=True) and ranked[0] == 8  # Rome is the most discussed

    platforms = query(seeds, "channel_link_platforms", capsys)
    assert [(r["platform"], r["links"]) for r in platforms if r["channel"] == "DW News"] == [
        ("youtube", 2),
        ("facebook", 1),
        ("instagram", 1),
        ("twitch", 1),
        ("twitter", 1),
        ("web", 1),  # dw.com is not in the link_platforms seed
    ]
    for channel in {r["channel"] for r in platforms}:
        shares = [r["share_pct"] for r in platforms if r["channel"] == channel]
        assert sum(shares) == pytest.approx(100.0, abs=0.3), channel

    (run,) = query(seeds, "validation_history", capsys)
    assert (run["run_id"], run["status"], run["pages_published"], run["pages_quarantined"]) == (
        "2024-05-01", "published", 11, 2,
    )  # fmt: skip
    assert run["failed_errors"] == 0 and run["validation_status"] in {"passed", "warnings"}
    reasons = query(seeds, "quarantine_reasons", capsys)
    assert [(r["reason_code"], r["pages"]) for r in reasons] == [
        ("binary", 1),
        ("not_a_video_page", 1),
    ]

    lengths = query(seeds, "comment_length_distribution", capsys)
    all_comments = sum(v["comment_count"] for v in query(seeds, "most_discussed_videos", capsys))
    assert sum(r["comments"] for r in lengths) == all_comments
    # DW's comment 5 runs over eight lines (~900 characters): the one comment of 500+.
    assert (lengths[-1]["length_bucket"], lengths[-1]["comments"]) == ("500+", 1)

    top = query(seeds, "top_entities", capsys)
    # The DW page names Russia and Iran in its title, hashtags, description and comments.
    assert {r["canonical_name"] for r in top[:2]} == {"Russia", "Iran"}
    assert all(r["label"] != "HASHTAG" for r in top)
    pairs = {(r["entity_a"], r["entity_b"]) for r in query(seeds, "entity_co_mentions", capsys)}
    # Russia and Iran are mentioned ~10 times each on one page: the strongest single-page pair.
    assert ("Iran", "Russia") in pairs and all(a < b for a, b in pairs)
