"""contracts: schemas/ parse, generate Arrow schemas, comments and the data dictionary."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from etl import contracts
from etl.errors import ContractError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_every_schema_file_loads() -> None:
    loaded = contracts.load_contracts()
    files = {p.stem for p in (PROJECT_ROOT / "schemas").glob("*.yaml")}
    assert set(loaded) == files
    for name in (*contracts.DATA_TABLES, "quarantine", "runs", "validation_results"):
        assert name in loaded


def test_every_column_has_a_description_and_known_type() -> None:
    for c in contracts.load_contracts().values():
        assert c.description and c.grain
        for col in c.columns:
            assert col.description.strip(), f"{c.name}.{col.name} has no description"
            assert isinstance(col.arrow_type, pa.DataType)


def test_issue_contract_columns_exist() -> None:
    # The minimum columns the spine issue promises to users.
    videos = contracts.contract("videos")
    for col in (
        "video_id",
        "page_id",
        "source_file",
        "title",
        "channel",
        "description",
        "hashtags",
        "declared_comment_count",
        "comment_count",
        "content_sha256",
        "ingested_at",
        "run_id",
    ):
        assert col in videos.column_names
    assert videos.column("hashtags").type == "VARCHAR[]"
    assert videos.column("declared_comment_count").nullable


def test_foreign_keys_reference_declared_columns() -> None:
    loaded = contracts.load_contracts()
    for c in loaded.values():
        for fk in c.foreign_keys:
            assert set(fk.columns) <= set(c.column_names)
            assert set(fk.referenced_columns) <= set(loaded[fk.references].column_names)


def test_conform_rejects_drift() -> None:
    schema = contracts.contract("link_platforms").arrow_schema
    ok = pa.table({"domain": ["x.com"], "platform": ["twitter"]}, schema=schema)
    assert contracts.conform("link_platforms", ok).equals(ok)
    with pytest.raises(ContractError, match="unexpected"):
        contracts.conform("link_platforms", ok.append_column("extra", pa.array([1])))
    with pytest.raises(ContractError, match="missing"):
        contracts.conform("link_platforms", ok.drop(["platform"]))
    with pytest.raises(ContractError, match="NOT NULL"):
        contracts.conform("link_platforms", pa.table({"domain": [None], "platform": ["x"]}))


def test_comment_statements_quote_text() -> None:
    stmts = contracts.comment_statements("videos")
    assert stmts[0].startswith("COMMENT ON VIEW videos IS '")
    assert len(stmts) == 1 + len(contracts.contract("videos").columns)


def test_unsafe_relation_name_refused() -> None:
    with pytest.raises(ContractError):
        contracts.comment_statements("videos", relation="videos; DROP")


def test_data_dictionary_lists_every_column() -> None:
    text = contracts.data_dictionary_markdown()
    for c in contracts.load_contracts().values():
        for col in c.columns:
            assert f"`{col.name}`" in text


def test_readme_dictionary_is_generated_from_schemas() -> None:
    """The README's data dictionary section must equal what `etl dictionary` prints."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- dictionary:start -->", "<!-- dictionary:end -->"
    assert start in readme and end in readme
    section = readme.split(start, 1)[1].split(end, 1)[0].strip()
    assert section == contracts.data_dictionary_markdown().strip(), (
        "README data dictionary is stale: run `etl dictionary` and paste it between the markers"
    )
