"""Shared fixtures: project paths, a temporary warehouse, and a helper that runs the pipeline."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from etl.config import Settings, settings_from_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_PAGES = PROJECT_ROOT / "seeds" / "pages"
REAL_SEED = SEED_PAGES / "000_079ed658b08d6845.txt"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's ETL_* settings or a fault hook by accident."""
    for name in list(os.environ):
        if name.startswith("ETL_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def warehouse_dir(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse"
    path.mkdir()
    return path


@pytest.fixture
def seed_input(tmp_path: Path) -> Path:
    """A private copy of seeds/pages (tests may add or change pages)."""
    target = tmp_path / "landing"
    shutil.copytree(SEED_PAGES, target)
    return target


RunPipeline = Callable[..., object]


@pytest.fixture
def run_pipeline(warehouse_dir: Path) -> RunPipeline:
    """Run the whole pipeline in-process with the rules backend (fast, no model needed)."""
    from etl import pipeline

    def _run(
        input_dir: Path,
        *,
        logical_date: date = date(2024, 5, 1),
        warehouse: Path | None = None,
        **overrides: object,
    ) -> pipeline.RunSummary:
        settings: Settings = settings_from_env(
            {},
            input=str(input_dir),
            warehouse=str(warehouse or warehouse_dir),
            entity_backend=overrides.pop("entity_backend", "rules"),
            workers=overrides.pop("workers", 1),
            **overrides,
        )
        run_id = pipeline.run_id_for(logical_date=logical_date)
        return pipeline.run(settings, run_id=run_id, logical_date=logical_date)

    return _run
