"""Data Docs: batch outcomes summed per run, rendered by GX with the failing rows' locations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline, validate
from etl.publish import Warehouse, write_staged_table
from etl.validation import docs
from etl.validation import specs as sp
from tests.unit.validate.conftest import PLATFORM_SET, make_page, make_tables, replace_column


def _row(
    batch: int, success: bool, unexpected: int, sample: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "suite": "entities",
        "table_name": "entities",
        "expectation": "expect_column_values_to_be_in_set(label)",
        "severity": "error",
        "success": success,
        "observed_value": f"{unexpected} of 10 rows unexpected",
        "unexpected_count": unexpected,
        "element_count": 10,
        "unexpected_sample": json.dumps(sample) if sample else None,
        "batch_no": batch,
    }


def test_aggregate_sums_batches_and_caps_the_sample() -> None:
    many = [
        {"key": f"m{i}", "page_id": "p1", "source_file": "/p1.txt", "line": i} for i in range(15)
    ]
    rows = [_row(0, True, 0, []), _row(1, False, 15, many), _row(2, False, 15, many)]
    (agg,) = docs.aggregate(rows)
    assert agg.success is False and agg.batches == 3
    assert (agg.unexpected_count, agg.element_count) == (30, 30)
    assert len(agg.sample) == 20 and agg.sample[0]["key"] == "m0"
    assert agg.observed_value == "30 of 30 rows unexpected"


def test_registry_knows_every_suite_a_run_reports() -> None:
    suites = {suite for suite, _ in docs.spec_registry()}
    assert {"videos", "comments", "links", "entities", "quarantine", "validation_results"} <= suites
    assert {sp.CROSS_TABLE_SUITE, sp.RUN_KEYS_SUITE, sp.DRIFT_SUITE} <= suites
    assert sp.schema_suite_name("videos") in suites


@pytest.mark.slow
@pytest.mark.xdist_group("gx")
def test_data_docs_show_the_failing_rows(tmp_path: Path) -> None:
    wh = Warehouse.at(str(tmp_path / "wh"))
    tables = make_tables([make_page(n) for n in range(3)])
    tables["entities"] = replace_column(tables["entities"], "label", 1, "ALIEN")
    report = validate.validate_batch(tables, platforms=PLATFORM_SET)
    staged = write_staged_table(
        wh, "r1", "validation_results-b00000", pipeline.validation_table(report.outcomes, "r1", 0)
    )
    result = validate.write_data_docs(wh, "r1", {"validation_results": [staged]}, report)
    index = Path(result.index)
    assert index == tmp_path / "wh" / "quality" / "data_docs" / "r1" / "index.html"
    (page,) = (index.parent / "validations" / "entities").rglob("*.html")
    text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
    failing = json.loads(
        next(o for o in report.outcomes if not o.success).unexpected_sample or "[]"
    )[0]
    for shown in ("ALIEN", failing["key"], failing["source_file"]):
        assert shown in text
    again = validate.write_data_docs(wh, "r1", {"validation_results": [staged]}, report)
    assert again.index == result.index  # a re-run replaces the run's site in place
    assert [p.name for p in index.parent.parent.iterdir()] == ["r1"]
