"""validate_batch: corrupted batches are caught, attributed to their pages, and explained."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl import ids
from etl.validate import BatchValidation, ExpectationOutcome, validate_batch
from etl.validation import specs as sp
from tests.unit.validate.conftest import PLATFORM_SET, make_page, make_tables, replace_column

# GX costs seconds per process to import and ~1 s per batch; one worker pays it for the module.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("gx")]


def _validate(tables: dict[str, pa.Table]) -> BatchValidation:
    return validate_batch(tables, platforms=PLATFORM_SET)


def _failed(report: BatchValidation) -> dict[str, ExpectationOutcome]:
    return {o.expectation: o for o in report.outcomes if not o.success}


def _row_of(table: pa.Table, column: str, value: object) -> int:
    return table.column(column).to_pylist().index(value)


def test_clean_batch_passes_every_expectation(batch: dict[str, pa.Table]) -> None:
    report = _validate(batch)
    assert _failed(report) == {}
    assert report.failing_pages == {} and not report.rejects_batch
    expected = sum(len(sp.table_suite(t)) for t in batch) + len(sp.batch_rules())
    assert len(report.outcomes) == expected
    assert {o.suite for o in report.outcomes} == {*batch, sp.CROSS_TABLE_SUITE}
    assert report.seconds > 0


def test_duplicate_key_is_caught_and_attributed(batch: dict[str, pa.Table]) -> None:
    comments = batch["comments"]
    dup = pa.concat_tables([comments, comments.slice(0, 1)])
    report = _validate({**batch, "comments": dup})
    failed = _failed(report)
    unique = failed["expect_column_values_to_be_unique(comment_id)"]
    assert unique.severity == "error" and unique.unexpected_count == 2
    sample = json.loads(unique.unexpected_sample or "[]")
    page = sample[0]["page_id"]
    assert {s["key"] for s in sample} == {comments.column("comment_id")[0].as_py()}
    assert sample[0]["source_file"] == f"/landing/{page}.txt" and sample[0]["line"] >= 10
    assert list(report.failing_pages) == [page]
    assert "expect_column_values_to_be_unique(comment_id)" in report.failing_pages[page]
    assert not report.rejects_batch


def test_orphan_comment_rejects_the_whole_batch(batch: dict[str, pa.Table]) -> None:
    orphan = replace_column(batch["comments"], "video_id", 0, ids.video_id("nowhere"))
    report = _validate({**batch, "comments": orphan})
    rule = "expect_column_values_to_not_be_in_set(rule=comments.video_id -> videos.video_id)"
    outcome = _failed(report)[rule]
    assert outcome.suite == sp.CROSS_TABLE_SUITE and outcome.table_name == "comments"
    sample = json.loads(outcome.unexpected_sample or "[]")
    assert sample[0]["key"] == batch["comments"].column("comment_id")[0].as_py()
    assert (
        sample[0]["page_id"] is None
        and sample[0]["line"] == batch["comments"]["line_start"][0].as_py()
    )
    assert report.rejects_batch
    assert set(report.failing_pages) == {f"p{n}" for n in range(4)}
    assert all(rule in names for names in report.failing_pages.values())


def test_bad_label_quarantines_only_its_page(batch: dict[str, pa.Table]) -> None:
    entities = batch["entities"]
    row = _row_of(entities, "source", "comment")
    bad = replace_column(entities, "label", row, "ALIEN")
    report = _validate({**batch, "entities": bad})
    outcome = _failed(report)["expect_column_values_to_be_in_set(label)"]
    assert outcome.unexpected_count == 1
    (sample,) = json.loads(outcome.unexpected_sample or "[]")
    assert sample["value"] == "ALIEN"
    assert sample["key"] == entities.column("mention_id")[row].as_py()
    comment_id = entities.column("comment_id")[row].as_py()
    comments = batch["comments"]
    assert (
        sample["line"]
        == comments.column("line_start")[_row_of(comments, "comment_id", comment_id)].as_py()
    )
    assert list(report.failing_pages) == [sample["page_id"]]
    assert not report.rejects_batch


def test_every_failing_page_is_found_beyond_the_sample() -> None:
    tables = make_tables([make_page(n) for n in range(12)])
    entities = tables["entities"]
    alien = pa.array(["ALIEN"] * entities.num_rows)
    bad = entities.set_column(entities.column_names.index("label"), "label", alien)
    report = _validate({**tables, "entities": bad})
    outcome = _failed(report)["expect_column_values_to_be_in_set(label)"]
    assert outcome.unexpected_count == entities.num_rows > 20
    assert len(json.loads(outcome.unexpected_sample or "[]")) == 20
    assert set(report.failing_pages) == {f"p{n}" for n in range(12)}


def test_warning_is_reported_but_does_not_quarantine() -> None:
    tables = make_tables([make_page(0, comments=3, declared=1), make_page(1)])
    report = _validate(tables)
    rule = (
        "expect_column_values_to_not_be_in_set"
        "(rule=videos.comment_count within declared_comment_count)"
    )
    outcome = _failed(report)[rule]
    assert outcome.severity == "warning" and outcome.unexpected_count == 1
    assert "declared=1" in (outcome.unexpected_sample or "")
    assert report.failing_pages == {} and not report.rejects_batch


def test_offsets_outside_the_source_text_are_caught(batch: dict[str, pa.Table]) -> None:
    entities = batch["entities"]
    row = _row_of(entities, "source", "title")
    bad = replace_column(entities, "end_char", row, 500)
    report = _validate({**batch, "entities": bad})
    rule = "expect_column_values_to_not_be_in_set(rule=entities offsets inside the source text)"
    (sample,) = json.loads(_failed(report)[rule].unexpected_sample or "[]")
    assert sample["line"] == 1 and "end_char=500" in sample["detail"]
    assert list(report.failing_pages) == [sample["page_id"]]


def test_comment_count_must_match_comment_rows(batch: dict[str, pa.Table]) -> None:
    comments = batch["comments"]
    kept = comments.filter(pc.not_equal(comments["position"], 2))
    report = _validate({**batch, "comments": kept})
    rule = "expect_column_values_to_not_be_in_set(rule=videos.comment_count matches comments)"
    outcome = _failed(report)[rule]
    assert outcome.unexpected_count == 4
    assert set(report.failing_pages) == {f"p{n}" for n in range(4)}


def test_empty_batch_passes() -> None:
    report = _validate(make_tables([]))
    assert _failed(report) == {} and report.failing_pages == {}


def test_prewarm_builds_the_suites_a_batch_uses(batch: dict[str, pa.Table]) -> None:
    from etl.validate import prewarm
    from etl.validation.engine import runtime

    prewarm(PLATFORM_SET)
    built = set(runtime().definitions)
    _validate(batch)
    assert set(runtime().definitions) == built


def test_column_pair_and_multicolumn_checks_name_their_rows(batch: dict[str, pa.Table]) -> None:
    comments = batch["comments"]
    row = comments["position"].to_pylist().index(2)
    entities = batch["entities"]
    report = _validate(
        {
            **batch,
            "comments": replace_column(comments, "position", row, 1),
            "entities": replace_column(entities, "start_char", 0, 99),
        }
    )
    failed = _failed(report)
    compound = failed["expect_compound_columns_to_be_unique(video_id, position)"]
    pair = failed["expect_column_pair_values_a_to_be_greater_than_b(end_char > start_char)"]
    assert compound.unexpected_count == 2 and pair.unexpected_count == 1
    (pair_row,) = json.loads(pair.unexpected_sample or "[]")
    assert pair_row["key"] == entities["mention_id"][0].as_py()
    compound_pages = {r["page_id"] for r in json.loads(compound.unexpected_sample or "[]")}
    assert set(report.failing_pages) == compound_pages | {pair_row["page_id"]}


def test_memoized_configurations_change_no_result(
    batch: dict[str, pa.Table], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reusing each expectation's configuration within one GX call (engine, for speed) gives the
    same outcomes, counts and failing rows as GX rebuilding it on every access."""
    import contextlib

    from great_expectations.expectations.expectation import Expectation

    from etl.validation import engine

    entities = batch["entities"]
    broken = {
        **batch,
        "comments": pa.concat_tables([batch["comments"], batch["comments"].slice(0, 1)]),
        "entities": replace_column(entities, "label", 0, "NOT_A_LABEL"),
    }
    memoized = [_validate(batch), _validate(broken)]
    one_validation = engine._one_validation
    monkeypatch.setattr(engine, "_one_validation", contextlib.nullcontext)
    shipped = [_validate(batch), _validate(broken)]
    assert [r.outcomes for r in memoized] == [r.outcomes for r in shipped]
    assert [r.failing_pages for r in memoized] == [r.failing_pages for r in shipped]
    assert _failed(memoized[1]) and not _failed(memoized[0])
    # Outside a validation GX builds a fresh configuration on every access, as shipped.
    expectation = engine.gx_expectation(sp.table_suite("videos")[0])
    assert isinstance(expectation, Expectation)
    assert expectation.configuration is not expectation.configuration
    with one_validation():
        assert expectation.configuration is expectation.configuration
