"""The Great Expectations runtime: one ephemeral context per process, suites built once, and
suite runs turned into plain per-expectation results.

Cost matters here (validation runs per batch inside the workers): GX is imported lazily, the
context and every suite are built once per process and reused, frames are handed to GX without
copies beyond one Arrow -> pandas conversion, GX's per-frame fingerprint hash is skipped, and a
suite of row-level expectations runs with the ``BOOLEAN_ONLY`` result format. Only a failed
expectation is re-run, alone, for its counts and failing rows: ``COMPLETE`` for an ``error``
(every row: its pages are quarantined), ``SUMMARY`` for a ``warning`` (the first 20 rows).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from etl.validation.specs import ExpectationSpec

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

SAMPLE_SIZE = 20
_BOOLEAN_ONLY: dict[str, Any] = {"result_format": "BOOLEAN_ONLY"}
_BASIC: dict[str, Any] = {"result_format": "BASIC", "partial_unexpected_count": SAMPLE_SIZE}
_SUMMARY: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
_COMPLETE: dict[str, Any] = {"result_format": "COMPLETE", "return_unexpected_index_query": False}
_GX_SEVERITY = {"error": "critical", "warning": "warning"}
# GX logs expected conditions (e.g. metric fallbacks) at INFO/WARNING; our outcomes report them.
_NOISY_LOGGERS = ("great_expectations",)


@dataclass(frozen=True, slots=True)
class ExpectationRun:
    """What one expectation found on one frame.

    ``positions`` are 0-based rows of the frame that failed, with their values in ``values``:
    all of them when ``complete``, else the first ``SAMPLE_SIZE``.
    """

    spec: ExpectationSpec
    success: bool
    element_count: int
    unexpected_count: int
    observed_value: str | None
    positions: tuple[int, ...] = ()
    values: tuple[Any, ...] = ()
    complete: bool = True
    exception: str | None = None
    counted: bool = True  # False: GX said only "failed" (BOOLEAN_ONLY); counts need a re-run


@dataclass
class _Runtime:
    context: Any
    datasource: Any
    definitions: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def silence_gx() -> None:
    """Keep GX's own log lines and progress bars out of CLI output (idempotent)."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


@functools.cache
def runtime() -> _Runtime:
    """The process's GX context (ephemeral, in-memory stores, no progress bars), built once."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    silence_gx()
    _skip_batch_fingerprints()
    _memoize_configurations()
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites={},
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    return _Runtime(context=context, datasource=context.data_sources.add_pandas("etl"))


def _skip_batch_fingerprints() -> None:
    """Stop GX hashing every frame it is given (``pandas_data_fingerprint``, a batch marker only).

    The hash costs ~0.4 s per 1,000,000 cells and is used for nothing here: a frame lives for
    one validation and is never looked up again. GX skips it for frames above HASH_THRESHOLD
    bytes; a threshold of 0 skips it always. If a GX upgrade drops the constant, nothing breaks.
    """
    from great_expectations.execution_engine import pandas_execution_engine

    if hasattr(pandas_execution_engine, "HASH_THRESHOLD"):
        pandas_execution_engine.HASH_THRESHOLD = 0
    else:  # pragma: no cover - depends on the installed GX
        log.debug("GX no longer has HASH_THRESHOLD; batch fingerprints stay on")


# Set for the duration of one ``Batch.validate`` call of this thread (see _memoize_configurations).
_validation_scope = threading.local()


def _memoize_configurations() -> None:
    """Let an expectation build its ``configuration`` once per validation, not ~10 times.

    GX's ``Expectation.configuration`` is a property that rebuilds an ExpectationConfiguration
    (pydantic ``.dict()`` plus a regex over the class name) on every access, and one validation
    reads it ~10 times per expectation (domain, success and runtime kwargs, metric dependencies,
    the result): 37% of a batch's validation time in a profile. Within ``_one_validation`` an
    instance's configuration is built on first access and then reused; the memo holds the
    instance too, so its ``id`` cannot be reused by another object while the memo lives, and it
    is dropped when the call returns. Expectations are not changed while GX validates them, so
    results are the same (tests compare them). Outside that scope (suite building, Data Docs)
    GX behaves as shipped. If a GX upgrade drops the property, nothing is patched.
    """
    from great_expectations.expectations.expectation import Expectation

    shipped = Expectation.__dict__.get("configuration")
    if not isinstance(shipped, property) or shipped.fget is None:  # pragma: no cover - GX version
        log.debug("GX's Expectation.configuration is not a property; not memoized")
        return
    if getattr(shipped.fget, "_etl_memoized", False):
        return
    build = shipped.fget

    def configuration(self: Any) -> Any:
        memo: dict[int, tuple[Any, Any]] | None = getattr(_validation_scope, "memo", None)
        if memo is None:
            return build(self)
        hit = memo.get(id(self))
        if hit is None or hit[0] is not self:
            hit = memo[id(self)] = (self, build(self))
        return hit[1]

    configuration._etl_memoized = True  # type: ignore[attr-defined]
    Expectation.configuration = property(configuration, doc=shipped.__doc__)  # type: ignore[method-assign,assignment]


@contextlib.contextmanager
def _one_validation() -> Iterator[None]:
    """The scope in which expectation configurations are memoized (this thread only)."""
    _validation_scope.memo = {}
    try:
        yield
    finally:
        _validation_scope.memo = None


def gx_expectation(spec: ExpectationSpec) -> Any:
    """The GX expectation object of a spec (severity and our name travel in it)."""
    import great_expectations.expectations as gxe

    cls = getattr(gxe, spec.gx_class)
    return cls(
        **dict(spec.kwargs),
        severity=_GX_SEVERITY[spec.severity],
        description=spec.description,
        meta={"name": spec.name, "severity": spec.severity},
    )


def _fingerprint(specs: Sequence[ExpectationSpec]) -> str:
    return json.dumps(
        [[s.name, s.gx_class, dict(s.kwargs), s.severity] for s in specs], sort_keys=True
    )


def definition(suite_name: str, specs: Sequence[ExpectationSpec]) -> Any:
    """The ValidationDefinition of a suite, created on first use and reused for every batch.

    A suite whose specs change (another seed set) gets a new definition under a derived name.
    """
    import great_expectations as gx

    rt = runtime()
    key = f"{suite_name}:{_fingerprint(specs)}"
    with rt.lock:
        found = rt.definitions.get(key)
        if found is not None:
            return found
        n = sum(1 for k in rt.definitions if k.split(":", 1)[0] == suite_name)
        gx_name = suite_name if n == 0 else f"{suite_name}~{n}"
        asset = rt.datasource.add_dataframe_asset(gx_name)
        batch_definition = asset.add_batch_definition_whole_dataframe("frame")
        suite = rt.context.suites.add(gx.ExpectationSuite(name=gx_name))
        for spec in specs:
            suite.add_expectation(gx_expectation(spec))
        vd = rt.context.validation_definitions.add(
            gx.ValidationDefinition(name=gx_name, data=batch_definition, suite=suite)
        )
        rt.definitions[key] = vd
        return vd


def release_frames() -> None:
    """Drop GX's references to the frames it validated (its batch caches keep the last one of
    every suite alive: ~80 MB at 5,000 pages, held into the next batch and adding to its peak)."""
    if not runtime.cache_info().currsize:  # GX never started in this process: nothing held
        return
    manager = runtime().datasource.get_execution_engine().batch_manager
    manager.batch_data_cache.clear()
    manager.reset_batch_cache()


def frame(table: pa.Table) -> pd.DataFrame:
    """A pandas frame of ``table`` that GX checks with vectorised code.

    GX's range check is vectorised only for int64/float64 columns, so 32-bit integers are widened
    (nullable ones become float64, as pandas does). Strings stay Arrow-backed. Column types are
    checked on the Arrow schemas per run, not on this frame.
    """
    widened = pa.schema(
        [
            pa.field(f.name, pa.int64(), f.nullable) if pa.types.is_int32(f.type) else f
            for f in table.schema
        ]
    )
    return table.cast(widened).to_pandas()


def run_suite(
    suite_name: str,
    specs: Sequence[ExpectationSpec],
    data: pd.DataFrame,
    *,
    parameters: Mapping[str, Any] | None = None,
    locate: bool = True,
    row_level: bool = False,
) -> list[ExpectationRun]:
    """Validate ``data`` against a suite; one ExpectationRun per spec, in spec order.

    A suite of row-level (map) expectations (``row_level``) runs with GX's ``BOOLEAN_ONLY``
    result format, the cheapest (~4.5 ms per expectation against ~6 ms for ``BASIC``): a map
    expectation that holds has no unexpected row among the frame's rows. Other suites run with
    ``BASIC``. Each failed expectation is then re-run alone for its counts and, with ``locate``,
    its failing rows: every row (``COMPLETE``) for an ``error``, which quarantines pages, the
    first 20 (``SUMMARY``) for a ``warning``. Failures are rare; a clean batch pays for one pass.
    """
    vd = definition(suite_name, specs)
    # Batch.validate, not ValidationDefinition.run: the same validator and the same suite
    # result, without run()'s freshness check of the suite against the store and its copy of the
    # result into the (in-memory, never read) results store: ~10% of a batch's validation.
    batch = vd.data.get_batch(batch_parameters={"dataframe": data})
    with _one_validation():
        result = batch.validate(
            vd.suite,
            result_format=_BOOLEAN_ONLY if row_level else _BASIC,
            expectation_parameters=dict(parameters or {}),
        )
    by_name = {r.expectation_config.meta["name"]: r for r in result.results}
    rows = len(data) if row_level else None
    runs = [_expectation_run(spec, by_name.get(spec.name), rows) for spec in specs]
    return [
        _detailed(vd, r, data, parameters, locate) if _needs_detail(r, locate) else r for r in runs
    ]


def _needs_detail(run: ExpectationRun, locate: bool) -> bool:
    if run.success or run.exception is not None:
        return False
    return not run.counted or (locate and run.unexpected_count > len(run.positions))


def _detailed(
    vd: Any,
    run: ExpectationRun,
    data: pd.DataFrame,
    parameters: Mapping[str, Any] | None,
    locate: bool,
) -> ExpectationRun:
    """Re-run one failed expectation alone for its counts and (``locate``) its failing rows."""
    every = locate and run.spec.severity == "error"
    result_format = (_COMPLETE if every else _SUMMARY) if locate else _BASIC
    batch = vd.data.get_batch(batch_parameters={"dataframe": data})
    with _one_validation():
        res = batch.validate(
            gx_expectation(run.spec),
            result_format=result_format,
            expectation_parameters=dict(parameters or {}),
        )
    detailed = _expectation_run(run.spec, res, None)
    if not locate:
        return detailed
    body = res.result or {}
    prefix = "" if every else "partial_"
    positions = tuple(
        int(p) for p in body.get(f"{prefix}unexpected_index_list") or () if _is_int(p)
    )
    values = tuple(body.get(f"{prefix}unexpected_list") or ())
    return replace(
        detailed,
        positions=positions,
        values=values if len(values) == len(positions) else (),
        complete=len(positions) >= detailed.unexpected_count,
    )


def _expectation_run(spec: ExpectationSpec, res: Any, rows: int | None) -> ExpectationRun:
    """An ExpectationRun from a GX result; ``rows`` (frame length) marks a BOOLEAN_ONLY result."""
    if res is None:  # GX dropped it (should not happen): count it as failed, not as passed
        return ExpectationRun(
            spec, False, 0, 0, None, complete=False, exception="no result from GX"
        )
    info = res.exception_info or {}
    if info.get("raised_exception"):
        message = str(info.get("exception_message") or "expectation raised")
        return ExpectationRun(spec, False, 0, 0, None, complete=False, exception=message)
    if rows is not None:  # BOOLEAN_ONLY: a map expectation that held has no unexpected row
        ok = bool(res.success)
        observed = f"0 of {rows} rows unexpected" if ok else None
        return ExpectationRun(spec, ok, rows, 0, observed, complete=ok, counted=ok)
    result = res.result or {}
    unexpected = int(result.get("unexpected_count") or 0)
    positions = tuple(
        int(p) for p in result.get("partial_unexpected_index_list") or () if _is_int(p)
    )
    values = tuple(result.get("partial_unexpected_list") or ())
    observed = result.get("observed_value")
    if observed is None and "element_count" in result:
        observed = f"{unexpected} of {result['element_count']} rows unexpected"
    return ExpectationRun(
        spec=spec,
        success=bool(res.success),
        element_count=int(result.get("element_count") or 0),
        unexpected_count=unexpected,
        observed_value=None if observed is None else _text(observed),
        positions=positions,
        values=values if len(values) == len(positions) else (),
        complete=unexpected <= len(positions),
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) or (hasattr(value, "__index__") and not isinstance(value, bool))


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
