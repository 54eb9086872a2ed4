"""Validation of staged tables with Great Expectations (interface; implementation in progress).

TEMPORARY: returns no outcomes until the GX implementation lands (issue 5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa


@dataclass(frozen=True, slots=True)
class ExpectationOutcome:
    """One expectation's result: a row of the ``validation_results`` table (minus run_id/batch)."""

    table_name: str
    expectation: str
    severity: str  # "error" blocks publishing; "warning" is recorded and reported
    success: bool
    observed_value: str | None = None
    unexpected_count: int = 0
    unexpected_sample: str | None = None  # JSON list of failing keys/values with source file/line


@dataclass(frozen=True, slots=True)
class BatchValidation:
    """Outcomes for one batch, plus the pages to quarantine (page_id -> failed expectation names)."""

    outcomes: tuple[ExpectationOutcome, ...] = ()
    failing_pages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    seconds: float = 0.0


def validate_batch(tables: Mapping[str, pa.Table], *, platforms: frozenset[str]) -> BatchValidation:
    """Validate one batch's data tables (per-table and cross-table checks within the batch)."""
    return BatchValidation()


def audit_run(wh: object, staged: Mapping[str, list[str]]) -> BatchValidation:
    """Run-level checks over all staged files of a run (keys unique across batches, drift)."""
    return BatchValidation()
