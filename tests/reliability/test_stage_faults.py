"""A stage that fails on one page (here the entity backend) costs that page, not the run.

The fault is injected in-process: the entity backend is wrapped so it raises whenever a page's
text contains a marker; the pipeline must retry page by page, quarantine only that page with a
reason the quarantine contract allows, and publish the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline
from etl.check import reconcile
from etl.config import settings_from_env
from etl.contracts import contract
from etl.query import run_query
from tests.reliability.support import variant, write_corpus

MARKER = "EXPLODES-THE-ENTITY-BACKEND"


class FailingBackend:
    """Delegates to the real backend but raises on any batch holding the marker."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def annotate(self, pages: Sequence[Any]) -> list[list[Any]]:
        if any(MARKER in t.text for page in pages for t in page.texts):
            raise RuntimeError("injected entity backend failure")
        return list(self._real.annotate(pages))


@pytest.mark.slow
def test_entity_backend_failure_on_one_page_quarantines_only_that_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh"
    write_corpus(landing)
    (landing / "poison.txt").write_text(variant(7, title=f"A video {MARKER}"))
    real = pipeline._entity_backend("rules")
    monkeypatch.setattr(pipeline, "_entity_backend", lambda name: FailingBackend(real))
    settings = settings_from_env(
        {}, input=str(landing), warehouse=str(warehouse), entity_backend="rules", workers=1
    )

    summary = pipeline.run(settings, run_id="2024-05-01", logical_date=date(2024, 5, 1))

    result = reconcile(str(landing), str(warehouse))
    assert result.ok and result.input_pages == 8, result
    _, rows = run_query(str(warehouse), "SELECT page_id, reason_code FROM quarantine")
    reasons = dict(rows)
    allowed = set(contract("quarantine").column("reason_code").checks["in_set"])
    assert set(reasons.values()) <= allowed, reasons
    assert summary.status == "published" and summary.pages_published == 4
    assert "poison" in reasons
