"""The spine end to end through the real `etl` command: run, re-run, later run, move, errors."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from etl.query import run_query
from tests.conftest import REAL_SEED, SEED_PAGES

pytestmark = pytest.mark.slow


def etl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("ETL_")}
    return subprocess.run(
        [sys.executable, "-m", "etl.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def etl_run(
    landing: Path, warehouse: Path, logical_date: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    """`etl run` with the rules backend (fast, no model) for one logical date."""
    return etl(
        "run", "--input", str(landing), "--warehouse", str(warehouse),
        "--entities", "rules", "--logical-date", logical_date, *extra,
    )  # fmt: skip


def _data_files(warehouse: Path) -> dict[str, str]:
    """Relative path -> sha256 of every data table file (runs is a log and changes per attempt)."""
    out = {}
    for path in sorted((warehouse / "tables").rglob("*.parquet")):
        rel = path.relative_to(warehouse).as_posix()
        if not rel.startswith(("tables/runs/", "tables/validation_results/")):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _rows(warehouse: Path, sql: str) -> list[tuple[object, ...]]:
    return run_query(str(warehouse), sql)[1]


@pytest.fixture(scope="module")
def published_once(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """One real `etl run` per module; tests get private copies (the catalog survives a move)."""
    base = tmp_path_factory.mktemp("published")
    landing, warehouse = base / "landing", base / "warehouse"
    shutil.copytree(SEED_PAGES, landing)
    result = etl_run(landing, warehouse, "2024-05-01", "--no-progress")
    assert result.returncode == 0, result.stderr
    return landing, warehouse, result


@pytest.fixture
def published(
    published_once: tuple[Path, Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    landing, warehouse, result = published_once
    shutil.copytree(landing, tmp_path / "landing")
    shutil.copytree(warehouse, tmp_path / "warehouse")
    return tmp_path / "landing", tmp_path / "warehouse", result


def test_run_publishes_every_page_or_quarantines_it(
    published: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    landing, warehouse, result = published
    pages = sorted(p.stem for p in landing.glob("*.txt"))
    assert "run 2024-05-01: published" in result.stdout
    states = _rows(warehouse, "SELECT page_id, status FROM page_states ORDER BY page_id")
    assert [s[0] for s in states] == pages
    published_ids = {p for p, s in states if s == "published"}
    assert _rows(warehouse, "SELECT count(*) FROM videos")[0][0] == len(published_ids)
    assert REAL_SEED.stem in published_ids
    for table in ("videos", "comments", "links", "entities", "quarantine", "runs"):
        _rows(warehouse, f"SELECT * FROM {table} LIMIT 1")


def test_the_real_seed_page_is_read_exactly(
    published: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    _, warehouse, _ = published
    (title, channel, hashtags, declared, count, links) = _rows(
        warehouse,
        f"SELECT title, channel, hashtags, declared_comment_count, comment_count, link_count "
        f"FROM videos WHERE page_id = '{REAL_SEED.stem}'",
    )[0]
    assert (title, channel) == ("The increasing ties between Russia and Iran", "DW News")
    assert hashtags == ["Russia", "Iran", "Turkmenistan"]
    assert (declared, count, links) == (22, 5, 7)
    labels = _rows(
        warehouse,
        f"""SELECT label FROM links l JOIN videos v USING (video_id)
                   WHERE v.page_id = '{REAL_SEED.stem}' ORDER BY position""",
    )
    assert [r[0] for r in labels] == [
        "Subscribe",
        "For more news go to",
        "Facebook",
        "Twitter",
        "Instagram",
        "Twitch",
        "Für Videos in deutscher Sprache besuchen Sie",
    ]
    third = _rows(
        warehouse,
        f"""SELECT text, line_start, line_end FROM comments c JOIN videos v USING (video_id)
                  WHERE v.page_id = '{REAL_SEED.stem}' AND position = 3""",
    )[0]
    assert third[0].endswith("Isaiah 54:17! ✝️❤️✝️❤️✝️") and third[2] == third[1] + 1
    lines = REAL_SEED.read_text(encoding="utf-8").splitlines()
    assert lines[third[1] - 1].lstrip().startswith("3.")


def test_rerun_of_the_same_date_writes_identical_bytes(
    published: tuple[Path, Path, subprocess.CompletedProcess[str]],
    published_once: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    _, warehouse, _ = published
    landing = published_once[0]  # the very files the first run read (source_file is in the rows)
    before = _data_files(warehouse)
    videos_before = _rows(warehouse, "SELECT * FROM videos ORDER BY video_id")
    again = etl_run(landing, warehouse, "2024-05-01", "--no-progress")
    assert again.returncode == 0, again.stderr
    assert _data_files(warehouse) == before
    assert _rows(warehouse, "SELECT * FROM videos ORDER BY video_id") == videos_before
    assert _rows(warehouse, "SELECT run_id, attempt FROM runs") == [("2024-05-01", 2)]


def test_later_run_with_unchanged_pages_adds_nothing(
    published: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    landing, warehouse, _ = published
    counts = _rows(
        warehouse,
        "SELECT (SELECT count(*) FROM videos), (SELECT count(*) FROM comments), "
        "(SELECT count(*) FROM entities)",
    )
    later = etl_run(landing, warehouse, "2024-05-02", "--json")
    assert later.returncode == 0, later.stderr
    summary = json.loads(later.stdout)
    assert summary["pages_published"] == 0
    # every page is settled: published ones and those quarantined for a reason a retry of the
    # unchanged file cannot fix (not a video page, binary) are all skipped
    assert summary["pages_skipped"] == _rows(warehouse, "SELECT count(*) FROM page_states")[0][0]
    assert (
        _rows(
            warehouse,
            "SELECT (SELECT count(*) FROM videos), (SELECT count(*) FROM comments), "
            "(SELECT count(*) FROM entities)",
        )
        == counts
    )
    assert _rows(warehouse, "SELECT run_id, status FROM runs ORDER BY run_id") == [
        ("2024-05-01", "published"),
        ("2024-05-02", "nothing_to_do"),
    ]


def test_changed_page_replaces_its_previous_version(
    published: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    landing, warehouse, _ = published
    total = _rows(warehouse, "SELECT count(*) FROM videos")[0][0]
    page = landing / REAL_SEED.name
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "The increasing ties between Russia and Iran | DW News",
            "The growing ties between Russia and Iran | DW News",
        ),
        encoding="utf-8",
    )
    result = etl_run(landing, warehouse, "2024-05-03", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert _rows(warehouse, "SELECT count(*) FROM videos")[0][0] == total
    assert _rows(
        warehouse, f"SELECT title, run_id FROM videos WHERE page_id = '{REAL_SEED.stem}'"
    ) == [("The growing ties between Russia and Iran", "2024-05-03")]
    # children follow their page's current version only
    assert _rows(
        warehouse,
        f"""SELECT count(DISTINCT c.run_id) FROM comments c JOIN videos v USING (video_id)
                 WHERE v.page_id = '{REAL_SEED.stem}'""",
    ) == [(1,)]


def test_catalog_works_from_any_directory_and_after_a_move(
    published: tuple[Path, Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    _, warehouse, _ = published
    expected = _rows(warehouse, "SELECT count(*) FROM comments")
    moved = tmp_path / "elsewhere" / "wh"
    moved.parent.mkdir()
    shutil.move(str(warehouse), moved)
    result = etl(
        "query",
        "SELECT count(*) AS n FROM comments",
        "--warehouse",
        str(moved),
        "--format",
        "json",
        cwd=Path("/"),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"n": expected[0][0]}


def test_usage_errors_are_one_line_without_traceback(tmp_path: Path, warehouse_dir: Path) -> None:
    cases = [
        ("run", "--input", str(tmp_path / "missing"), "--warehouse", str(warehouse_dir)),
        ("run", "--entities", "rules", "--batch-size", "0"),
        ("query", "SELECT 1", "--warehouse", str(tmp_path / "no-warehouse")),
        ("inspect", str(tmp_path / "missing.txt")),
    ]
    for args in cases:
        result = etl(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("etl"), result.stderr


def test_bad_sql_is_refused_with_a_message(
    published: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    _, warehouse, _ = published
    result = etl("query", "SELEC nonsense", "--warehouse", str(warehouse))
    assert result.returncode == 2 and "query refused or failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_help_is_complete() -> None:
    top = etl("--help")
    assert top.returncode == 0
    for command in (
        "run",
        "query",
        "inspect",
        "summary",
        "catalog",
        "check",
        "report",
        "synth",
        "dictionary",
    ):
        assert command in top.stdout
        sub = etl(command, "--help")
        assert sub.returncode == 0 and "usage: etl " + command in sub.stdout
