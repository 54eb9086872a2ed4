"""specs: expectations generated from schemas/ (no GX needed)."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from etl.contracts import DATA_TABLES, contract
from etl.errors import ContractError
from etl.publish import parquet_bytes
from etl.validation import specs as sp
from tests.unit.validate.conftest import make_page, make_tables


def _by_name(table: str) -> dict[str, sp.ExpectationSpec]:
    return {s.name: s for s in sp.table_suite(table)}


def test_every_declared_check_becomes_an_expectation() -> None:
    for table in DATA_TABLES:
        names = set(_by_name(table))
        for col in contract(table).columns:
            for kind in set(col.checks) - {"severity"}:
                assert any(f"({col.name}" in n for n in names), (table, col.name, kind)


def test_keys_are_unique_and_not_null() -> None:
    for table in DATA_TABLES:
        key = contract(table).primary_key[0]
        names = _by_name(table)
        assert f"expect_column_values_to_be_unique({key})" in names
        assert f"expect_column_values_to_not_be_null({key})" in names


def test_check_kinds_map_to_gx_expectations() -> None:
    entities = _by_name("entities")
    label = entities["expect_column_values_to_be_in_set(label)"]
    assert label.gx_class == "ExpectColumnValuesToBeInSet"
    assert "HASHTAG" in label.kwargs["value_set"] and "PERSON" in label.kwargs["value_set"]
    pair = entities["expect_column_pair_values_a_to_be_greater_than_b(end_char > start_char)"]
    assert pair.kwargs == {"column_A": "end_char", "column_B": "start_char", "or_equal": False}
    assert _by_name("videos")["expect_column_values_to_match_regex(content_sha256)"].kwargs[
        "regex"
    ] == ("^[0-9a-f]{64}$")
    position = _by_name("comments")["expect_column_values_to_be_between(position, min=1)"]
    assert position.kwargs == {"column": "position", "min_value": 1}
    compound = _by_name("comments")["expect_compound_columns_to_be_unique(video_id, position)"]
    assert compound.gx_class == "ExpectCompoundColumnsToBeUnique"


def test_platforms_come_from_the_seed_plus_extra() -> None:
    spec = _by_name("links")["expect_column_values_to_be_in_set(platform)"]
    assert {"youtube", "web"} <= set(spec.kwargs["value_set"])
    given = sp.table_suite("links", {"link_platforms.platform": frozenset({"only"})})
    values = next(s for s in given if s.name.endswith("(platform)")).kwargs["value_set"]
    assert values == ["only", "web"]


def test_severity_defaults_to_error_and_can_be_overridden() -> None:
    links = _by_name("links")
    assert links["expect_column_values_to_match_regex(host)"].severity == "warning"
    assert links["expect_column_values_to_match_regex(url)"].severity == "error"


def test_foreign_keys_become_rules() -> None:
    names = {r.name for r in sp.foreign_key_rules()}
    assert "comments.video_id -> videos.video_id" in names
    assert "comments.parent_comment_id -> comments.comment_id" in names
    assert "entities.comment_id -> comments.comment_id" in names
    assert len(names) == sum(len(contract(t).foreign_keys) for t in DATA_TABLES)


def test_declared_rules_are_loaded_with_severity() -> None:
    rules = {r.name: r for r in sp.batch_rules()}
    assert rules["videos.comment_count within declared_comment_count"].severity == "warning"
    assert rules["videos.comment_count matches comments"].severity == "error"
    assert rules["entities offsets inside the source text"].table == "entities"
    drift = sp.table_extras("videos").drift_rules
    assert [d.severity for d in drift] == ["warning"]


def test_rule_spec_asserts_no_violation_row() -> None:
    rule = sp.batch_rules()[0]
    spec = sp.rule_spec(rule)
    assert spec.gx_class == "ExpectColumnValuesToNotBeInSet"
    assert spec.kwargs == {"column": "rule", "value_set": [rule.name]}


def test_schema_signature_survives_a_parquet_round_trip() -> None:
    tables = make_tables([make_page(1)])
    for name, table in tables.items():
        schema = pq.read_schema(io.BytesIO(parquet_bytes(table)))
        signature = sp.schema_signature((f.name, f.type, f.nullable) for f in schema)
        assert signature == sp.contract_signature(contract(name)), name


def _write_schema(tmp_path: Path, table: str, body: dict[str, object]) -> Path:
    (tmp_path / f"{table}.yaml").write_text(yaml.safe_dump(body), encoding="utf-8")
    return tmp_path


def test_malformed_rules_are_a_contract_error(tmp_path: Path) -> None:
    folder = _write_schema(tmp_path, "videos", {"rules": [{"name": "x"}]})
    with pytest.raises(ContractError, match="malformed rules"):
        sp.table_extras("videos", folder)


def test_unknown_severity_is_a_contract_error(tmp_path: Path) -> None:
    rule = {"name": "x", "description": "d", "violations": "SELECT 1", "severity": "fatal"}
    folder = _write_schema(tmp_path, "videos", {"rules": [rule]})
    with pytest.raises(ContractError, match="severity"):
        sp.table_extras("videos", folder)


def test_unknown_check_kind_is_a_contract_error() -> None:
    with pytest.raises(ContractError, match="unknown check kinds"):
        sp._check_specs(contract("videos"), "title", {"maybe": 1}, {})


def test_violations_locate_only_the_rules_that_found_rows() -> None:
    """The probe that skips locating clean rules keeps every violating row and one schema."""
    import pyarrow as pa

    from etl import ids
    from etl.validation import violations as vx
    from tests.unit.validate.conftest import replace_column

    clean = make_tables([make_page(n) for n in range(3)])
    orphan = replace_column(clean["comments"], "video_id", 0, ids.video_id("nowhere"))
    rules = sp.batch_rules()
    for tables in (clean, {**clean, "comments": orphan}):
        con = vx.connect(tables)
        try:
            found = vx.violations(con, rules)
            one_by_one = pa.concat_tables(vx.violations(con, [rule]) for rule in rules)
        finally:
            con.close()
        assert found.schema == vx.VIOLATION_SCHEMA
        assert sorted(found.to_pylist(), key=str) == sorted(one_by_one.to_pylist(), key=str)
    assert "comments.video_id -> videos.video_id" in found.column("rule").to_pylist()
