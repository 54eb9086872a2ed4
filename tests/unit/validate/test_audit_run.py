"""audit_run: run-level checks over staged files (schemas, keys across batches, drift warning)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from etl.publish import Warehouse, publish_run, write_staged_table
from etl.validate import BatchValidation, audit_run
from etl.validation import specs as sp
from tests.unit.validate.conftest import make_page, make_tables

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gx")]

DRIFT = "expect_column_mean_to_be_between(drift=videos share with a comment section)"


def _stage(wh: Warehouse, run_id: str, tables: dict[str, pa.Table]) -> dict[str, list[str]]:
    return {
        name: [write_staged_table(wh, run_id, f"{name}-b00000", t)]
        for name, t in tables.items()
        if t.num_rows
    }


def _stage_page_twice(wh: Warehouse) -> dict[str, list[str]]:
    """Two staged batches of run r1, page p2 in both: its keys repeat across the run."""
    first = _stage(wh, "r1", make_tables([make_page(1), make_page(2)]))
    again = make_tables([make_page(2)])
    second = {
        n: [write_staged_table(wh, "r1", f"{n}-b00001", t)] for n, t in again.items() if t.num_rows
    }
    return {n: first[n] + second.get(n, []) for n in first}


def _outcome(report: BatchValidation, name: str) -> object:
    (found,) = [o for o in report.outcomes if o.expectation == name]
    return found


def test_clean_run_passes_and_covers_every_staged_table(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path / "wh"))
    staged = _stage(wh, "r1", make_tables([make_page(n) for n in range(3)]))
    report = audit_run(wh, staged, run_id="r1")
    assert [o for o in report.outcomes if not o.success] == []
    suites = {o.suite for o in report.outcomes}
    assert {sp.schema_suite_name(t) for t in staged} | {sp.RUN_KEYS_SUITE} <= suites
    assert sp.DRIFT_SUITE not in suites  # 3 pages: too few for a share to mean anything


def test_drift_without_history_records_the_share(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path / "wh"))
    staged = _stage(wh, "r1", make_tables([make_page(n, comments=n % 2) for n in range(60)]))
    drift = _outcome(audit_run(wh, staged, run_id="r1"), DRIFT)
    assert drift.success is True  # type: ignore[attr-defined]
    assert drift.observed_value == "0.5; no published history"  # type: ignore[attr-defined]


def test_key_repeated_across_batches_is_an_error(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path / "wh"))
    staged = _stage_page_twice(wh)
    report = audit_run(wh, staged, run_id="r1")
    failed = {o.expectation: o for o in report.outcomes if not o.success}
    name = "expect_column_values_to_not_be_in_set(rule=videos.video_id unique across the run)"
    assert failed[name].severity == "error"
    sample = json.loads(failed[name].unexpected_sample or "[]")
    assert {s["page_id"] for s in sample} == {"p2"} and "appears 2 times" in sample[0]["detail"]


def test_wrong_column_type_in_a_staged_file_is_an_error(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path / "wh"))
    tables = make_tables([make_page(1)])
    links = tables["links"]
    idx = links.column_names.index("position")
    tables["links"] = links.set_column(idx, "position", links["position"].cast(pa.int64()))
    report = audit_run(wh, _stage(wh, "r1", tables), run_id="r1")
    failed = {o.expectation: o for o in report.outcomes if not o.success}
    outcome = failed["expect_column_pair_values_to_be_in_set(links column, type)"]
    (row,) = json.loads(outcome.unexpected_sample or "[]")
    assert row["column_name"] == "position" and row["column_type"] == "int64"
    assert "expect_column_values_to_be_in_set(links file schema)" in failed


def test_drop_in_comment_section_share_is_a_warning(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path / "wh"))
    history = _stage(wh, "2024-05-01", make_tables([make_page(n) for n in range(60)]))
    publish_run(wh, "2024-05-01", history, {}, now=datetime(2024, 5, 1), grace=timedelta(0))
    bare = make_tables([make_page(n, comments=0) for n in range(100, 160)])
    report = audit_run(wh, _stage(wh, "2024-05-02", bare), run_id="2024-05-02")
    drift = _outcome(report, DRIFT)
    assert drift.success is False and drift.severity == "warning"  # type: ignore[attr-defined]
    assert "history 1.000 over 60 pages" in drift.observed_value  # type: ignore[attr-defined]
    assert not [o for o in report.outcomes if not o.success and o.severity == "error"]


def test_a_rule_out_of_memory_is_run_again_on_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At 1,000,000 pages the mention-id uniqueness check ran out of DuckDB memory on two threads;
    # on one thread it spills in smaller pieces. The retry must give the same violations.
    import duckdb

    from etl.validation import violations as vx

    wh = Warehouse.at(str(tmp_path / "wh"))
    staged = _stage_page_twice(wh)
    rules = sp.run_key_rules()
    con = vx.connect_files(staged, wh.local_root)
    expected = vx.violations(con, rules)
    real = vx.violations
    threads_seen: list[object] = []

    def short_of_memory_once(c: duckdb.DuckDBPyConnection, rs: list[sp.Rule]) -> pa.Table:
        threads_seen.append(c.execute("SELECT current_setting('threads')").fetchall()[0][0])
        if rs[0].table == "entities" and len(threads_seen) < 50 and threads_seen[-1] != 1:
            raise duckdb.OutOfMemoryException("simulated")
        return real(c, rs)

    monkeypatch.setattr(vx, "violations", short_of_memory_once)
    before = con.execute("SELECT current_setting('threads')").fetchall()
    found = vx.violations_one_by_one(con, rules)
    assert found.equals(expected) and found.num_rows > 0
    assert 1 in threads_seen  # the entities rules ran again on one thread...
    assert con.execute("SELECT current_setting('threads')").fetchall() == before  # ...restored
