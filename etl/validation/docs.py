"""Great Expectations Data Docs for a run: one validation result per suite, rendered by GX.

The batches of a run are validated in separate worker processes; what they leave behind is their
``validation_results`` rows (staged Parquet). Here those rows are summed per expectation over the
run (counts add up; the samples of failing rows are kept, up to 20) and turned back into GX
validation results whose expectation configurations come from the same specs, so the Data Docs
show every suite with its expectations, the run's counts and the failing rows' keys, page, file
and line. The site is built aside and swapped in: it is a report, never part of the publish.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from etl.contracts import DATA_TABLES
from etl.validation import specs as sp
from etl.validation.engine import SAMPLE_SIZE, gx_expectation, silence_gx

log = logging.getLogger(__name__)

_LOCATOR_COLUMNS = ["key", "page_id", "source_file", "line"]


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One expectation's outcome over a whole run (all batches summed)."""

    suite: str
    table_name: str
    expectation: str
    severity: str
    success: bool
    element_count: int
    unexpected_count: int
    observed_value: str | None
    sample: tuple[Mapping[str, Any], ...]
    batches: int


def spec_registry(
    seeds: Mapping[str, frozenset[str]] | None = None,
) -> dict[tuple[str, str], sp.ExpectationSpec]:
    """(suite, expectation name) -> spec, for every suite a run can report."""
    suites: dict[str, list[sp.ExpectationSpec]] = {
        t: sp.table_suite(t, seeds) for t in (*DATA_TABLES, *sp.AUDITED_RUN_TABLES)
    }
    suites[sp.CROSS_TABLE_SUITE] = [sp.rule_spec(r) for r in sp.batch_rules()]
    suites[sp.RUN_KEYS_SUITE] = [sp.rule_spec(r) for r in sp.run_key_rules()]
    for table in (*DATA_TABLES, *sp.AUDITED_RUN_TABLES):
        suites[sp.schema_suite_name(table)] = sp.schema_suite(table)
    suites[sp.DRIFT_SUITE] = [
        sp.drift_spec(r) for t in DATA_TABLES for r in sp.table_extras(t).drift_rules
    ]
    return {(suite, s.name): s for suite, specs in suites.items() for s in specs}


def aggregate(rows: Iterable[Mapping[str, Any]]) -> list[Aggregate]:
    """Sum ``validation_results`` rows per (suite, table, expectation), in first-seen order."""
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["suite"], row["table_name"], row["expectation"]), []).append(row)
    out = []
    for (suite, table, name), members in groups.items():
        sample: list[Mapping[str, Any]] = []
        for m in members:
            if m.get("unexpected_sample") and len(sample) < SAMPLE_SIZE:
                sample += json.loads(m["unexpected_sample"])[: SAMPLE_SIZE - len(sample)]
        unexpected = sum(int(m["unexpected_count"] or 0) for m in members)
        elements = sum(int(m.get("element_count") or 0) for m in members)
        observed = {m.get("observed_value") for m in members}
        if len(observed) == 1:
            observed_value = observed.pop()
        elif suite in (sp.CROSS_TABLE_SUITE, sp.RUN_KEYS_SUITE):
            observed_value = f"{unexpected} of {elements} rows violate the rule"
        else:
            observed_value = f"{unexpected} of {elements} rows unexpected"
        out.append(
            Aggregate(
                suite=suite,
                table_name=table,
                expectation=name,
                severity=str(members[0]["severity"]),
                success=all(bool(m["success"]) for m in members),
                element_count=elements,
                unexpected_count=unexpected,
                observed_value=observed_value,
                sample=tuple(sample),
                batches=len(members),
            )
        )
    return out


def _result_body(agg: Aggregate, spec: sp.ExpectationSpec) -> dict[str, Any]:
    body: dict[str, Any] = {"observed_value": agg.observed_value}
    if agg.element_count or agg.unexpected_count:
        domain = str(spec.kwargs.get("column") or spec.kwargs.get("column_A") or "value")
        body.update(
            element_count=agg.element_count,
            unexpected_count=agg.unexpected_count,
            unexpected_percent=100.0 * agg.unexpected_count / agg.element_count
            if agg.element_count
            else 0.0,
        )
        located = [s for s in agg.sample if "key" in s or "page_id" in s]
        if located:
            rows = [
                {
                    **{c: "" if s.get(c) is None else str(s.get(c)) for c in _LOCATOR_COLUMNS},
                    domain: str(s.get("value", s.get("detail", ""))),
                }
                for s in located
            ]
            counts: dict[str, int] = {}
            for r in rows:
                counts[r[domain]] = counts.get(r[domain], 0) + 1
            body.update(
                unexpected_index_column_names=_LOCATOR_COLUMNS,
                partial_unexpected_index_list=rows,
                # GX renders the failing rows' key columns from this list (a sample here).
                unexpected_index_list=rows,
                partial_unexpected_list=[r[domain] for r in rows],
                partial_unexpected_counts=[{"value": v, "count": n} for v, n in counts.items()],
            )
        elif agg.sample:
            body["partial_unexpected_list"] = [json.dumps(s, default=str) for s in agg.sample]
    return body


def suite_results(
    run_id: str,
    aggregates: Sequence[Aggregate],
    registry: Mapping[tuple[str, str], sp.ExpectationSpec],
) -> list[Any]:
    """GX ExpectationSuiteValidationResults, one per suite, from a run's aggregates."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.core.run_identifier import RunIdentifier

    by_suite: dict[str, list[Any]] = {}
    for agg in aggregates:
        spec = registry.get((agg.suite, agg.expectation))
        if spec is None:
            log.warning("no spec for %s/%s; left out of the data docs", agg.suite, agg.expectation)
            continue
        by_suite.setdefault(agg.suite, []).append(
            ExpectationValidationResult(
                success=agg.success,
                expectation_config=gx_expectation(spec).configuration,
                result=_result_body(agg, spec),
            )
        )
    results = []
    for suite, members in by_suite.items():
        ok = sum(1 for m in members if m.success)
        results.append(
            ExpectationSuiteValidationResult(
                success=ok == len(members),
                results=members,
                suite_name=suite,
                statistics={
                    "evaluated_expectations": len(members),
                    "successful_expectations": ok,
                    "unsuccessful_expectations": len(members) - ok,
                    "success_percent": 100.0 * ok / len(members),
                },
                meta={
                    "run_id": RunIdentifier(run_name=run_id),
                    "active_batch_definition": {"data_asset_name": suite, "batch_identifiers": {}},
                    "batch_spec": {"run_id": run_id},
                    "batch_markers": {},
                },
            )
        )
    return results


def build_site(
    run_id: str,
    results: Sequence[Any],
    registry: Mapping[tuple[str, str], sp.ExpectationSpec],
    target: str,
) -> str:
    """Render the Data Docs of ``results`` into the directory ``target``; returns index.html."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    silence_gx()
    site = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": target},
    }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={"run": site},
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    suites: dict[str, list[sp.ExpectationSpec]] = {}
    for (suite, _), spec in registry.items():
        suites.setdefault(suite, []).append(spec)
    for name in sorted(suites):  # every suite, also those with nothing to check in this run
        gx_suite = context.suites.add(gx.ExpectationSuite(name=name))
        for spec in suites[name]:
            gx_suite.add_expectation(gx_expectation(spec))
    for result in results:
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
            run_id=result.meta["run_id"],
            batch_identifier=run_id,
        )
        context.validation_results_store.set(key, result)
    context.build_data_docs(site_names=["run"])
    return os.path.join(target, "index.html")


def write_site(
    docs_root: str,
    run_id: str,
    results: Sequence[Any],
    registry: Mapping[tuple[str, str], sp.ExpectationSpec],
) -> str:
    """Build the run's site next to ``docs_root/run_id`` and swap it in; returns the index path."""
    os.makedirs(docs_root, exist_ok=True)
    final = os.path.join(docs_root, run_id)
    building = tempfile.mkdtemp(prefix=f".{run_id}.building-", dir=docs_root)
    try:
        build_site(run_id, results, registry, building)
        retired = None
        if os.path.exists(final):
            retired = tempfile.mkdtemp(prefix=f".{run_id}.retired-", dir=docs_root)
            os.replace(final, os.path.join(retired, "site"))
        os.replace(building, final)
        if retired:
            shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return os.path.join(final, "index.html")
