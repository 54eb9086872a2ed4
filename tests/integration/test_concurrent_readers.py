"""BI readers stay connected while the pipeline publishes: no errors, never a mixed snapshot.

A reader process opens a fresh locked-down connection in a tight loop (as a dashboard refresh
does) and also keeps one connection open across all publishes (as a pooled BI connection does),
while this process publishes generation after generation. Every publish replaces the same run
and stamps a marker ``gN`` into every video title, every comment and the run's row, so a
snapshot mixing two publishes would show two markers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from etl.publish import Warehouse, collect_garbage
from tests.integration.bi_support import demo_pages, publish_generation

ROOT = Path(__file__).resolve().parents[2]
PUBLISHES = 12

SNAPSHOT_SQL = r"""
SELECT
    (SELECT list(DISTINCT regexp_extract(title, 'g[0-9]+$') ORDER BY 1) FROM videos),
    (SELECT list(DISTINCT regexp_extract(text, 'g[0-9]+$') ORDER BY 1) FROM comments),
    (SELECT list(DISTINCT orchestrator ORDER BY 1) FROM runs),
    (SELECT count(*) FROM video_overview),
    (SELECT generation FROM _catalog_meta)
"""

READER = r"""
import json, sys, time, traceback
from pathlib import Path
from etl.catalog import connect_readonly

warehouse, stop, out, sql = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
snapshots, errors, held = [], [], []
long_lived = connect_readonly(warehouse)
deadline = time.monotonic() + 120
while not stop.exists() and time.monotonic() < deadline:
    try:
        con = connect_readonly(warehouse)
        try:
            snapshots.append(list(con.execute(sql).fetchone()))
        finally:
            con.close()
        held.append(list(long_lived.execute(sql).fetchone()))
    except Exception:
        errors.append(traceback.format_exc())
long_lived.close()
Path(out).write_text(json.dumps({"snapshots": snapshots, "held": held, "errors": errors}))
"""


@pytest.mark.slow
def test_readers_never_fail_and_never_see_a_mixed_publish(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path / "warehouse"))
    start = datetime(2024, 5, 1, 6)
    publish_generation(wh, "live", start, demo_pages("g0"), marker="g0")
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, wh.layout.root, str(stop), str(out), SNAPSHOT_SQL],
        cwd=ROOT,
    )
    try:
        time.sleep(1.5)  # let the reader start its loop before the first publish
        for n in range(1, PUBLISHES + 1):
            at = start + timedelta(seconds=n)  # well within the GC grace period
            # Publishes alternate between 4 and 3 pages, so counts change between snapshots too.
            pages = demo_pages(f"g{n}")[: 4 - n % 2]
            manifest = publish_generation(wh, "live", at, pages, marker=f"g{n}")
            collect_garbage(wh, manifest, now=at, grace=timedelta(minutes=10))
            time.sleep(0.15)
    finally:
        stop.touch()
        reader.wait(timeout=120)
    result = json.loads(out.read_text())

    assert result["errors"] == []
    snapshots = result["snapshots"]
    assert len(snapshots) >= 20
    seen = set()
    for videos, comments, runs, video_count, generation in snapshots:
        # One marker across videos, comments and runs: all from one publish.
        assert videos == comments == runs and len(videos) == 1, (videos, comments, runs)
        n = int(videos[0][1:])
        assert generation == n + 1  # generation 1 published g0
        assert video_count == (4 if n == 0 else 4 - n % 2)
        seen.add(n)
    print(
        f"{len(snapshots)} snapshots, {len(result['held'])} on the held connection, "
        f"publishes seen {sorted(seen)}"
    )
    generations = [s[4] for s in snapshots]
    assert generations == sorted(generations), "a reader went back to an older publish"
    assert len(seen) >= PUBLISHES // 2, f"the reader saw too few publishes: {sorted(seen)}"
    # The connection held open all along keeps its snapshot, without an error.
    assert {json.dumps(h) for h in result["held"]} == {json.dumps(result["held"][0])}
