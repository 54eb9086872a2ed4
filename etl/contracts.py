"""Table contracts loaded from schemas/*.yaml: the single source of truth for every table.

Arrow schemas, DuckDB view DDL and comments, the data dictionary and the Great Expectations
suites are all generated from these contracts; no other module lists a table's columns by hand.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from etl.errors import ContractError

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"

# The data tables every run writes, in dependency order (parents first).
DATA_TABLES: tuple[str, ...] = ("videos", "comments", "links", "entities")
# Tables written per run besides the data tables.
RUN_TABLES: tuple[str, ...] = ("quarantine", "runs", "validation_results")

_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR[]": pa.list_(pa.string()),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a contract."""

    name: str
    type: str
    nullable: bool
    description: str
    checks: dict[str, Any] = field(default_factory=dict)

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.type]


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """``columns`` of this table reference ``referenced_columns`` of ``references``."""

    columns: tuple[str, ...]
    references: str
    referenced_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableContract:
    """A table's grain, key, columns and foreign keys, as declared in schemas/<name>.yaml."""

    name: str
    description: str
    grain: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    partitioned: bool = False
    seed: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise ContractError(self.name, f"no column {name!r}")

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns],
            metadata={b"table": self.name.encode(), b"grain": self.grain.encode()},
        )


def _parse_contract(raw: dict[str, Any], source: Path) -> TableContract:
    try:
        columns = tuple(
            Column(
                name=c["name"],
                type=c["type"],
                nullable=bool(c["nullable"]),
                description=c["description"],
                checks=dict(c.get("checks") or {}),
            )
            for c in raw["columns"]
        )
        fks = tuple(
            ForeignKey(tuple(fk["columns"]), fk["references"], tuple(fk["referenced_columns"]))
            for fk in raw.get("foreign_keys") or ()
        )
        contract = TableContract(
            name=raw["name"],
            description=raw["description"],
            grain=raw["grain"],
            primary_key=tuple(raw["primary_key"]),
            columns=columns,
            foreign_keys=fks,
            partitioned=bool(raw.get("partitioned", False)),
            seed=raw.get("seed"),
        )
    except (KeyError, TypeError) as exc:
        raise ContractError(source.stem, f"malformed contract {source}: {exc!r}") from exc
    unknown = [c.type for c in columns if c.type not in _ARROW_TYPES]
    if unknown:
        raise ContractError(contract.name, f"unknown column types {unknown}")
    missing_key = [k for k in contract.primary_key if k not in contract.column_names]
    if missing_key:
        raise ContractError(contract.name, f"primary key columns not declared: {missing_key}")
    return contract


@functools.cache
def load_contracts(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, TableContract]:
    """All contracts in ``schemas_dir`` keyed by table name (cached; the files are read once)."""
    contracts: dict[str, TableContract] = {}
    for path in sorted(schemas_dir.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        contract = _parse_contract(raw, path)
        if contract.name != path.stem:
            raise ContractError(contract.name, f"{path.name} declares table {contract.name!r}")
        contracts[contract.name] = contract
    return contracts


def contract(name: str) -> TableContract:
    """The contract of one table; raises ContractError for an unknown table."""
    try:
        return load_contracts()[name]
    except KeyError:
        raise ContractError(name, "no such table in schemas/") from None


def seed_contracts() -> list[TableContract]:
    """Contracts of the reference tables loaded from seeds/ CSV files."""
    return [c for c in load_contracts().values() if c.seed]


def conform(table_name: str, table: pa.Table) -> pa.Table:
    """Cast ``table`` to its contract's exact schema (column order, types, nullability).

    Missing or extra columns are a ContractError: output schemas are frozen, drift is an error.
    """
    schema = contract(table_name).arrow_schema
    names = set(table.column_names)
    expected = set(schema.names)
    if names != expected:
        raise ContractError(
            table_name,
            f"columns differ from schemas/{table_name}.yaml: "
            f"missing {sorted(expected - names)}, unexpected {sorted(names - expected)}",
        )
    table = table.select(schema.names)
    for fld in schema:
        if not fld.nullable and table.column(fld.name).null_count:
            raise ContractError(
                table_name, f"column {fld.name!r} is declared NOT NULL but has nulls"
            )
    try:
        return table.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ContractError(table_name, f"cannot cast to contract schema: {exc}") from exc


def empty_table(table_name: str) -> pa.Table:
    """A zero-row table with the contract's schema."""
    return contract(table_name).arrow_schema.empty_table()


_IDENT_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


def quote_sql_string(value: str) -> str:
    """Quote a string literal for DuckDB SQL."""
    return "'" + value.replace("'", "''") + "'"


def parquet_select_sql(table_name: str, files: Sequence[str]) -> str:
    """SELECT of the contract's columns over Parquet ``files``; a typed empty SELECT when none.

    The one place that turns a table's file list into SQL, for the catalog and the audit alike.
    """
    columns = contract(table_name).columns
    if not files:
        typed = ", ".join(f"CAST(NULL AS {c.type}) AS {c.name}" for c in columns)
        return f"SELECT {typed} LIMIT 0"
    listed = ", ".join(quote_sql_string(f) for f in files)
    names = ", ".join(c.name for c in columns)
    return f"SELECT {names} FROM read_parquet([{listed}], hive_partitioning = false)"


def comment_statements(table_name: str, relation: str | None = None) -> list[str]:
    """``COMMENT ON`` statements for a view/table and its columns, from the contract."""
    c = contract(table_name)
    rel = relation or c.name
    if not _IDENT_RE.match(rel):
        raise ContractError(table_name, f"unsafe relation name {rel!r}")
    stmts = [f"COMMENT ON VIEW {rel} IS {quote_sql_string(c.description + ' Grain: ' + c.grain)}"]
    stmts += [
        f"COMMENT ON COLUMN {rel}.{col.name} IS {quote_sql_string(col.description)}"
        for col in c.columns
    ]
    return stmts


def data_dictionary_markdown() -> str:
    """The data dictionary (README section) generated from every contract."""
    lines: list[str] = []
    for c in load_contracts().values():
        lines.append(f"### `{c.name}`")
        lines.append("")
        lines.append(f"{c.description} *Grain:* {c.grain} *Key:* `{', '.join(c.primary_key)}`.")
        if c.foreign_keys:
            refs = "; ".join(
                f"`{', '.join(fk.columns)}` → `{fk.references}.{', '.join(fk.referenced_columns)}`"
                for fk in c.foreign_keys
            )
            lines.append(f"*Foreign keys:* {refs}.")
        lines.append("")
        lines.append("| column | type | null | description |")
        lines.append("|---|---|---|---|")
        for col in c.columns:
            null = "yes" if col.nullable else "no"
            lines.append(f"| `{col.name}` | {col.type} | {null} | {col.description} |")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# View contracts: schemas/views/<view>.yaml describe the catalog's derived views (no types: the
# SQL decides them) so every view and column a BI tool lists carries a description.


@dataclass(frozen=True, slots=True)
class ViewContract:
    """A catalog view's description, grain and column descriptions (schemas/views/<name>.yaml)."""

    name: str
    description: str
    grain: str
    columns: tuple[tuple[str, str], ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


def _parse_view_contract(raw: dict[str, Any], source: Path) -> ViewContract:
    try:
        columns: list[tuple[str, str]] = []
        base = raw.get("columns_from")
        if base:
            # A view with a table's columns (e.g. quarantine_history) says so instead of
            # restating the table's column list.
            columns += [(c.name, c.description) for c in contract(base).columns]
        columns += [(c["name"], c["description"]) for c in raw.get("columns") or ()]
        view = ViewContract(
            name=raw["name"],
            description=raw["description"],
            grain=raw["grain"],
            columns=tuple(columns),
        )
    except (KeyError, TypeError) as exc:
        raise ContractError(source.stem, f"malformed view contract {source}: {exc!r}") from exc
    if view.name != source.stem:
        raise ContractError(view.name, f"{source.name} declares view {view.name!r}")
    empty = [n for n, d in view.columns if not str(d).strip()]
    if not view.description.strip() or empty:
        raise ContractError(view.name, f"empty description (view or columns {empty})")
    return view


@functools.cache
def load_view_contracts(views_dir: Path = SCHEMAS_DIR / "views") -> dict[str, ViewContract]:
    """All view contracts in ``views_dir`` keyed by view name (cached)."""
    return {
        path.stem: _parse_view_contract(yaml.safe_load(path.read_text(encoding="utf-8")), path)
        for path in sorted(views_dir.glob("*.yaml"))
    }


def view_comment_statements(view: ViewContract, existing_columns: set[str]) -> list[str]:
    """``COMMENT ON`` statements for a view and those of its columns that exist in the catalog."""
    if not _IDENT_RE.match(view.name):
        raise ContractError(view.name, f"unsafe relation name {view.name!r}")
    text = f"{view.description} Grain: {view.grain}"
    stmts = [f"COMMENT ON VIEW {view.name} IS {quote_sql_string(text)}"]
    stmts += [
        f"COMMENT ON COLUMN {view.name}.{name} IS {quote_sql_string(description)}"
        for name, description in view.columns
        if name in existing_columns
    ]
    return stmts
