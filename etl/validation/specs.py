"""Expectation specs generated from schemas/*.yaml: one list per suite, declared nowhere else.

Pure and GX-free, so the mapping from contract to expectations is cheap to test and to read:
column ``checks`` (with an optional per-check ``severity``), primary keys and ``unique_together``
become the per-table row suites; column names, types and NOT NULL the per-table schema suites;
``foreign_keys`` and the tables' ``rules`` the cross-table rules whose violating rows DuckDB
computes (see ``etl.validation.violations``); ``drift_rules`` the run-level drift warnings.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from etl.config import project_root
from etl.contracts import DATA_TABLES, SCHEMAS_DIR, TableContract, contract
from etl.errors import ContractError

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")
# Column check kinds this module knows how to turn into expectations.
CHECK_KINDS = frozenset(
    {
        "regex",
        "unique",
        "in_set",
        "in_set_from_seed",
        "min",
        "max",
        "min_length",
        "gt_column",
        "gte_column",
    }
)
# Suites besides the per-table ones: per batch (cross_table) and per run (the others).
CROSS_TABLE_SUITE = "cross_table"
RUN_KEYS_SUITE = "run_keys"
SCHEMA_SUITE = "schema"  # suffix: <table>_schema
DRIFT_SUITE = "drift"
# Tables besides the data tables whose staged files the run-level audit checks.
AUDITED_RUN_TABLES: tuple[str, ...] = ("quarantine", "validation_results")


@dataclass(frozen=True, slots=True)
class ExpectationSpec:
    """One GX expectation: its class name in ``great_expectations.expectations``, kwargs, severity.

    ``name`` is what users see in ``validation_results.expectation`` and quarantine messages.
    """

    name: str
    gx_class: str
    kwargs: Mapping[str, Any]
    severity: Severity = "error"
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """A cross-table or semantic rule: SQL returning the violating rows of ``table``.

    The SQL sees the batch's (or run's) tables under their own names and returns the columns
    ``key`` (the violating row's key), ``video_id`` and ``detail`` (what was observed).
    """

    name: str
    table: str
    severity: Severity
    description: str
    sql: str


@dataclass(frozen=True, slots=True)
class DriftRule:
    """A run-level warning: the share of pages matching ``share_sql`` must not fall by more than
    ``max_drop`` (relative) below the published history's share. Evaluated for runs of at least
    ``min_pages`` pages; a history of fewer pages sets no floor."""

    name: str
    table: str
    severity: Severity
    description: str
    share_sql: str
    max_drop: float
    min_pages: int


@dataclass(frozen=True, slots=True)
class TableExtras:
    """What a table's yaml declares for validation beyond the contract loader's fields."""

    source_line: str | None = None
    unique_together: tuple[tuple[str, ...], ...] = ()
    rules: tuple[Rule, ...] = ()
    drift_rules: tuple[DriftRule, ...] = field(default_factory=tuple)


def _severity(value: object, where: str) -> Severity:
    if value is None:
        return "error"
    if value not in SEVERITIES:
        raise ContractError(where, f"severity must be one of {SEVERITIES}, got {value!r}")
    return value


@functools.cache
def table_extras(table: str, schemas_dir: Path = SCHEMAS_DIR) -> TableExtras:
    """The validation declarations of schemas/<table>.yaml (``source_line``, ``unique_together``,
    ``rules``, ``drift_rules``); the contract loader ignores these keys."""
    raw = yaml.safe_load((schemas_dir / f"{table}.yaml").read_text(encoding="utf-8"))
    try:
        rules = tuple(
            Rule(
                r["name"],
                table,
                _severity(r.get("severity"), table),
                r["description"],
                r["violations"],
            )
            for r in raw.get("rules") or ()
        )
        drift = tuple(
            DriftRule(
                r["name"],
                table,
                _severity(r.get("severity", "warning"), table),
                r["description"],
                r["share_sql"],
                float(r["max_drop"]),
                int(r["min_pages"]),
            )
            for r in raw.get("drift_rules") or ()
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(table, f"malformed rules in schemas/{table}.yaml: {exc!r}") from exc
    return TableExtras(
        source_line=raw.get("source_line"),
        unique_together=tuple(tuple(cols) for cols in raw.get("unique_together") or ()),
        rules=rules,
        drift_rules=drift,
    )


@functools.cache
def seed_values(seed: str, column: str) -> frozenset[str]:
    """Distinct values of one column of a seed CSV (e.g. the platforms of link_platforms)."""
    path = contract(seed).seed
    if path is None:
        raise ContractError(seed, "in_set_from_seed names a table without a seed file")
    with open(project_root() / path, encoding="utf-8", newline="") as handle:
        return frozenset(row[column].strip() for row in csv.DictReader(handle))


def _check_specs(
    c: TableContract, column: str, checks: Mapping[str, Any], seeds: Mapping[str, frozenset[str]]
) -> list[ExpectationSpec]:
    severities = dict(checks.get("severity") or {})
    unknown = set(checks) - CHECK_KINDS - {"severity"}
    if unknown:
        raise ContractError(c.name, f"column {column!r}: unknown check kinds {sorted(unknown)}")
    specs: list[ExpectationSpec] = []

    def add(kind: str, name: str, gx_class: str, **kwargs: Any) -> None:
        sev = _severity(severities.get(kind), c.name)
        specs.append(ExpectationSpec(name, gx_class, {"column": column, **kwargs}, sev))

    for kind, value in checks.items():
        if kind == "regex":
            add(
                kind,
                f"expect_column_values_to_match_regex({column})",
                "ExpectColumnValuesToMatchRegex",
                regex=value,
            )
        elif kind == "unique" and value:
            add(
                kind, f"expect_column_values_to_be_unique({column})", "ExpectColumnValuesToBeUnique"
            )
        elif kind in ("in_set", "in_set_from_seed"):
            if kind == "in_set":
                values = sorted(value)
            else:
                key = f"{value['seed']}.{value['column']}"
                base = seeds.get(key) or seed_values(value["seed"], value["column"])
                values = sorted(set(base) | set(value.get("extra") or ()))
            add(
                kind,
                f"expect_column_values_to_be_in_set({column})",
                "ExpectColumnValuesToBeInSet",
                value_set=values,
            )
        elif kind in ("min", "max"):
            bound = "min_value" if kind == "min" else "max_value"
            add(
                kind,
                f"expect_column_values_to_be_between({column}, {kind}={value})",
                "ExpectColumnValuesToBeBetween",
                **{bound: value},
            )
        elif kind == "min_length":
            add(
                kind,
                f"expect_column_value_lengths_to_be_between({column}, min={value})",
                "ExpectColumnValueLengthsToBeBetween",
                min_value=value,
            )
        elif kind in ("gt_column", "gte_column"):
            sev = _severity(severities.get(kind), c.name)
            op = ">" if kind == "gt_column" else ">="
            specs.append(
                ExpectationSpec(
                    f"expect_column_pair_values_a_to_be_greater_than_b({column} {op} {value})",
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    {"column_A": column, "column_B": value, "or_equal": kind == "gte_column"},
                    sev,
                )
            )
    return specs


def table_suite(
    table: str, seeds: Mapping[str, frozenset[str]] | None = None
) -> list[ExpectationSpec]:
    """Row-level expectations of one table, generated from its contract.

    Keys unique and not null, every column check, and the declared ``unique_together`` column
    groups. Column names, types and NOT NULL are checked on the staged files' schemas per run
    (``schema_suite``): the Parquet writer refuses a null in a NOT NULL column, so a staged file
    whose schema passes has no null in any required column, and each batch does not pay GX's
    per-expectation cost (~10 ms) for ~40 more not-null expectations.
    """
    c = contract(table)
    seeds = seeds or {}
    specs: list[ExpectationSpec] = []
    for col in c.columns:
        if col.name in c.primary_key:
            specs.append(
                ExpectationSpec(
                    f"expect_column_values_to_not_be_null({col.name})",
                    "ExpectColumnValuesToNotBeNull",
                    {"column": col.name},
                )
            )
        checks = dict(col.checks)
        if c.primary_key == (col.name,):
            checks.setdefault("unique", True)
        specs += _check_specs(c, col.name, checks, seeds)
    groups = list(table_extras(table).unique_together)
    if len(c.primary_key) > 1:
        groups.insert(0, c.primary_key)
    for cols in groups:
        missing = [x for x in cols if x not in c.column_names]
        if missing:
            raise ContractError(table, f"unique_together names unknown columns {missing}")
        specs.append(
            ExpectationSpec(
                f"expect_compound_columns_to_be_unique({', '.join(cols)})",
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": list(cols)},
            )
        )
    _assert_unique_names(table, specs)
    return specs


def _assert_unique_names(suite: str, specs: list[ExpectationSpec]) -> None:
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ContractError(suite, f"expectations would share a name: {dupes}")


def foreign_key_rules(tables: tuple[str, ...] = DATA_TABLES) -> list[Rule]:
    """One rule per declared foreign key: rows whose (non-null) reference has no target row."""
    rules = []
    for table in tables:
        c = contract(table)
        key = c.primary_key[0]
        for fk in c.foreign_keys:
            if len(fk.columns) != 1:
                raise ContractError(table, "only single-column foreign keys are supported")
            col, ref_col = fk.columns[0], fk.referenced_columns[0]
            sql = (
                f"SELECT x.{key} AS key, x.video_id, '{col}=' || x.{col} AS detail FROM {table} x "
                f"ANTI JOIN {fk.references} r ON r.{ref_col} = x.{col} WHERE x.{col} IS NOT NULL"
            )
            rules.append(
                Rule(
                    f"{table}.{col} -> {fk.references}.{ref_col}",
                    table,
                    "error",
                    f"Every {table}.{col} exists in {fk.references}.{ref_col}.",
                    sql,
                )
            )
    return rules


def batch_rules(tables: tuple[str, ...] = DATA_TABLES) -> list[Rule]:
    """All rules checked within a batch: foreign keys first, then each table's declared rules."""
    rules = foreign_key_rules(tables)
    for table in tables:
        rules += table_extras(table).rules
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise ContractError(CROSS_TABLE_SUITE, f"duplicate rule names in schemas/: {names}")
    return rules


def run_key_rules(tables: tuple[str, ...] = DATA_TABLES) -> list[Rule]:
    """Keys (and ``unique`` columns) unique across all batches of a run, plus foreign keys."""
    rules: list[Rule] = []
    for table in tables:
        c = contract(table)
        key = c.primary_key[0]
        unique_cols = [key] + [
            col.name for col in c.columns if col.checks.get("unique") and col.name != key
        ]
        for col in unique_cols:
            # Aggregate first: a run's entities can be millions of rows, its duplicates few.
            # Rows are grouped by the 8-byte hash of the value first and exactly only where two
            # hashes meet (every true duplicate does): 2.4x faster than grouping 64-character
            # ids at 100,000 pages, and a fraction of the memory at 1,000,000.
            sql = (
                f"SELECT x.{key} AS key, x.video_id, '{col}=' || x.{col} || ' appears ' "
                f"|| d.n || ' times' AS detail FROM {table} x JOIN (SELECT {col}, count(*) AS n "
                f"FROM {table} WHERE hash({col}) IN (SELECT hash({col}) FROM {table} "
                f"GROUP BY 1 HAVING count(*) > 1) GROUP BY {col} HAVING count(*) > 1) d "
                f"ON d.{col} = x.{col}"
            )
            rules.append(
                Rule(
                    f"{table}.{col} unique across the run",
                    table,
                    "error",
                    f"{table}.{col} is unique across all batches of the run.",
                    sql,
                )
            )
    return rules + foreign_key_rules(tables)


def rule_spec(rule: Rule) -> ExpectationSpec:
    """The GX expectation asserting on a rule's violating rows: no row may carry its name."""
    return ExpectationSpec(
        f"expect_column_values_to_not_be_in_set(rule={rule.name})",
        "ExpectColumnValuesToNotBeInSet",
        {"column": "rule", "value_set": [rule.name]},
        rule.severity,
        rule.description,
    )


DRIFT_PARAMETER = "share_floor"


def drift_spec(rule: DriftRule) -> ExpectationSpec:
    """The GX expectation of a drift rule: the run's mean of the 0/1 ``matches`` column is at
    least the floor derived from the published history (passed as the ``share_floor`` parameter)."""
    return ExpectationSpec(
        f"expect_column_mean_to_be_between(drift={rule.name})",
        "ExpectColumnMeanToBeBetween",
        {"column": "matches", "min_value": {"$PARAMETER": DRIFT_PARAMETER}},
        rule.severity,
        rule.description,
    )


def schema_suite_name(table: str) -> str:
    return f"{table}_{SCHEMA_SUITE}"


def schema_suite(table: str) -> list[ExpectationSpec]:
    """A table's staged files have exactly the contract's columns, in order, with its types.

    Evaluated on a frame describing the staged files' Arrow schemas (one row per file column, see
    ``schema_signature``), so nested types (VARCHAR[]) and NOT NULL are checked too. The first
    expectation names the files whose schema differs; the second the offending columns.
    """
    c = contract(table)
    return [
        ExpectationSpec(
            f"expect_column_values_to_be_in_set({table} file schema)",
            "ExpectColumnValuesToBeInSet",
            {"column": "file_schema", "value_set": [contract_signature(c)]},
            description=f"Every staged {table} file has the columns, order and types of "
            f"schemas/{table}.yaml.",
        ),
        ExpectationSpec(
            f"expect_column_pair_values_to_be_in_set({table} column, type)",
            "ExpectColumnPairValuesToBeInSet",
            {
                "column_A": "column_name",
                "column_B": "column_type",
                "value_pairs_set": [
                    [col.name, column_type_label(col.arrow_type, col.nullable)] for col in c.columns
                ],
            },
            description=f"Every column of the staged {table} files is declared with that type.",
        ),
    ]


def contract_signature(c: TableContract) -> str:
    """The expected ``file_schema`` value of a table: its columns and types in order."""
    return schema_signature((col.name, col.arrow_type, col.nullable) for col in c.columns)


def schema_signature(fields: Iterable[tuple[str, Any, bool]]) -> str:
    """``name type[ not null], ...`` for an Arrow schema's fields (name, type, nullable)."""
    return ", ".join(f"{name} {column_type_label(t, nullable)}" for name, t, nullable in fields)


def column_type_label(arrow_type: Any, nullable: bool) -> str:
    """How the schema frame spells a column type: the Arrow type (lists without their field name,
    which Parquet renames), plus ``not null`` when required."""
    return f"{_type_text(arrow_type)}{'' if nullable else ' not null'}"


def _type_text(arrow_type: Any) -> str:
    if hasattr(arrow_type, "value_type") and str(arrow_type).startswith(("list<", "large_list<")):
        return f"list<{_type_text(arrow_type.value_type)}>"
    return str(arrow_type)
